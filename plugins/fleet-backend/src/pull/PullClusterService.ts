import type {
  AuditorService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ClusterSummary,
  fleetClusterManagePermission,
  JoinTokenResponse,
  RegisterClusterRequest,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { Request } from 'express';
import type { ClusterRegistry } from '../cluster/ClusterRegistry';
import type { FleetStore } from '../store/FleetStore';
import { audited } from '../operations/audited';
import type { AgentSessions } from './AgentSessions';
import type { PullClusterRepository } from './PullClusterRepository';

/** Options of {@link PullClusterService}. */
export interface PullClusterServiceOptions {
  repository: PullClusterRepository;
  registry: ClusterRegistry;
  store: FleetStore;
  sessions: AgentSessions;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
}

/** Who asks, for the permission check and the audit trail. */
export interface AdminCaller {
  credentials: BackstageCredentials;
  request?: Request;
}

/**
 * Joining pull clusters: registration with a first join token, rotation and revocation, each
 * behind `fleet.cluster.manage` and audited. A token is answered once and never stored; a
 * rotated or revoked token ends its agent's open streams at once.
 */
export class PullClusterService {
  constructor(private readonly options: PullClusterServiceOptions) {}

  async register(body: RegisterClusterRequest, caller: AdminCaller): Promise<JoinTokenResponse> {
    return this.audited('cluster-register', body.name, caller, async () => {
      if (this.options.registry.get(body.name) || (await this.options.repository.get(body.name))) {
        throw new ConflictError(`name: a cluster named ${body.name} is already part of the fleet`);
      }
      const token = await this.options.repository.register({
        name: body.name,
        title: body.title ?? body.name,
        labels: body.labels ?? {},
      });
      if (!token) throw new ConflictError(`name: a cluster named ${body.name} is already part of the fleet`);
      await this.options.registry.refresh();
      this.options.logger.info(`Pull cluster ${body.name} registered`);
      return { cluster: await this.summary(body.name), token };
    });
  }

  async rotateToken(name: string, caller: AdminCaller): Promise<JoinTokenResponse> {
    return this.audited('cluster-token-rotate', name, caller, async () => {
      const token = await this.options.repository.rotateToken(name);
      if (!token) throw new NotFoundError(`No pull cluster named ${name}`);
      this.options.sessions.endAll(name, 401, 'the join token was rotated');
      this.options.logger.info(`Join token of pull cluster ${name} rotated`);
      return { cluster: await this.summary(name), token };
    });
  }

  async revokeToken(name: string, caller: AdminCaller): Promise<ClusterSummary> {
    return this.audited('cluster-token-revoke', name, caller, async () => {
      if (!(await this.options.repository.revokeToken(name))) throw new NotFoundError(`No pull cluster named ${name}`);
      this.options.sessions.endAll(name, 401, 'the join token was revoked');
      this.options.logger.info(`Join token of pull cluster ${name} revoked`);
      return this.summary(name);
    });
  }

  private async summary(name: string): Promise<ClusterSummary> {
    const summary = (await this.options.store.listClusters()).find(c => c.name === name);
    if (!summary) throw new NotFoundError(`No pull cluster named ${name}`);
    return summary;
  }

  private audited<T>(eventId: string, cluster: string, caller: AdminCaller, action: () => Promise<T>): Promise<T> {
    const event = { eventId, severityLevel: 'high' as const, request: caller.request, meta: { cluster } };
    return audited(
      this.options.auditor,
      event,
      async () => {
        await this.authorize(caller);
        return action();
      },
      () => undefined,
    );
  }

  private async authorize(caller: AdminCaller): Promise<void> {
    let decision;
    try {
      [decision] = await this.options.permissions.authorize([{ permission: fleetClusterManagePermission }], {
        credentials: caller.credentials,
      });
    } catch (error) {
      this.options.logger.error(`Permission check ${fleetClusterManagePermission.name} failed: ${(error as Error).message}`);
      throw new ServiceUnavailableError(`The permission check ${fleetClusterManagePermission.name} could not be made; try again later`);
    }
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${fleetClusterManagePermission.name}`);
    }
  }
}
