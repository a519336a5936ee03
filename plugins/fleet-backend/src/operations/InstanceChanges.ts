import type { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import {
  AgentIntent,
  applicationInstanceApiVersion,
  controlPlaneFieldManager,
  InstanceChange,
  instanceChangeSchema,
  InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import type { Request } from 'express';
import type { Outbox } from '../pull/Outbox';
import type { FleetStore } from '../store/FleetStore';
import { parseOr400 } from '../service/parseOr400';
import { fleetKinds } from '../store/kinds';
import { audited } from './audited';
import { fromClusterError } from './clusterErrors';
import { pullOutboxOf, pushClientOf } from './writeTargets';

/** Options of {@link InstanceChanges}. */
export interface InstanceChangesOptions {
  store: FleetStore;
  auditor: AuditorService;
  logger: LoggerService;
  outbox?: Outbox;
}

/** Where a change stands. */
export type InstanceChangeOutcome =
  /** Applied in a push cluster: the instance as the cluster answered. */
  | { state: 'applied'; instance: InstanceSummary }
  /** Waiting in a pull cluster's outbox as entry `seq` until its agent applies it. */
  | { state: 'pending'; seq: number }
  /** Applied by a pull cluster's agent. */
  | { state: 'delivered'; seq: number; uid: string }
  /** Refused by a pull cluster (e.g. a field another manager owns, without `force`). */
  | { state: 'failed'; seq: number; error: string };

/** Who asks, for the audit trail. */
export interface InstanceChangeCaller {
  /** The user or service on whose behalf the change is made (a campaign, a template run). */
  requestedBy: string;
  request?: Request;
}

/**
 * Changes to ApplicationInstances made by the control plane itself (a campaign's chart version,
 * a new instance from a template), for the features that decide them: those check their own
 * permissions. A push cluster gets the change at once with server-side apply; a pull cluster's
 * agent gets it through the outbox and applies it the same way. Either way only the fields the
 * change names become the control plane's, and fields another manager owns are taken only
 * with `force`.
 */
export class InstanceChanges {
  constructor(private readonly options: InstanceChangesOptions) {}

  async apply(change: InstanceChange, caller: InstanceChangeCaller): Promise<InstanceChangeOutcome> {
    const { cluster, namespace, name, spec, labels, annotations, force } = parseOr400(instanceChangeSchema, change, 'instance change');
    const object = {
      apiVersion: applicationInstanceApiVersion,
      kind: 'ApplicationInstance' as const,
      metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
      spec,
    };
    return audited(
      this.options.auditor,
      {
        eventId: 'instance-change',
        severityLevel: 'medium',
        request: caller.request,
        meta: { cluster, namespace, name, requestedBy: caller.requestedBy, force: force ?? false, fields: Object.keys(spec) },
      },
      () => this.applyTo(cluster, object, force ?? false),
      outcome => ({ state: outcome.state, ...('seq' in outcome ? { seq: outcome.seq } : {}) }),
    );
  }

  /** Where the change stored as entry `seq` for a pull cluster stands; undefined for an unknown entry. */
  async outcome(cluster: string, seq: number): Promise<InstanceChangeOutcome | undefined> {
    const entry = await this.options.outbox?.entry(cluster, seq);
    if (!entry || entry.intent.type !== 'applyInstance') return undefined;
    if (!entry.acked) return { state: 'pending', seq };
    return 'error' in entry.acked ? { state: 'failed', seq, error: entry.acked.error } : { state: 'delivered', seq, uid: entry.acked.uid };
  }

  private async applyTo(cluster: string, object: KubeObject & { metadata: { name: string; namespace: string } }, force: boolean): Promise<InstanceChangeOutcome> {
    const { store, outbox } = this.options;
    const pull = pullOutboxOf(store, outbox, cluster);
    if (pull) {
      const seq = await pull.enqueue(cluster, {
        type: 'applyInstance',
        object: object as Extract<AgentIntent, { type: 'applyInstance' }>['object'],
        ...(force ? { force } : {}),
      });
      this.options.logger.info(`Change to instance ${object.metadata.namespace}/${object.metadata.name} stored for cluster ${cluster}'s agent`);
      return { state: 'pending', seq };
    }
    const client = pushClientOf(store, cluster);
    try {
      const applied = await client.apply(fleetKinds.ApplicationInstance, object, { fieldManager: controlPlaneFieldManager, force });
      store.upsertInstance(cluster, applied);
      const ref = { cluster, namespace: object.metadata.namespace, name: object.metadata.name };
      const detail = await store.getInstance(ref);
      return { state: 'applied', instance: detail!.summary };
    } catch (error) {
      throw fromClusterError(cluster, error, 'ApplicationInstance');
    }
  }
}
