import type { LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  agentAckSchema,
  agentReportSchema,
  AgentStreamMessage,
  agentStreamQuerySchema,
} from '@vworkspace/backstage-plugin-fleet-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import type { ClusterRegistry } from '../cluster/ClusterRegistry';
import { parseOr400 } from '../service/parseOr400';
import { errorHandler } from '../service/router';
import type { FleetStore } from '../store/FleetStore';
import type { AgentSessions } from './AgentSessions';
import { Outbox, outboxPageSize } from './Outbox';
import type { PullClusterRepository } from './PullClusterRepository';
import type { PullStateSync } from './PullStateSync';

/** Options of {@link createAgentRouter}. */
export interface AgentRouterOptions {
  logger: LoggerService;
  repository: PullClusterRepository;
  registry: ClusterRegistry;
  outbox: Outbox;
  store: FleetStore;
  sessions: AgentSessions;
  /** Where reports and acknowledgements go: the database, then this replica's store. */
  sync: PullStateSync;
  /** Heartbeat on agent streams; each one also checks that the join token is still valid. Default 15 s. */
  heartbeatIntervalMs?: number;
}

/**
 * How long a token's check may be reused for acks, reports and new streams. Open streams check
 * afresh on every heartbeat, so a revocation through another replica ends them within one.
 */
const tokenCacheMs = 5_000;

/** Reports carry whole objects: a snapshot of a busy cluster is far larger than an API body. */
const agentBodyLimit = '16mb';

/**
 * The agent API, `/agent/v1`, outside Backstage's user auth: every request carries a pull
 * cluster's join token (`Authorization: Bearer <token>`) and names its cluster; a token that no
 * cluster holds is 401, a token of another cluster is 403.
 */
export function createAgentRouter(options: AgentRouterOptions): express.Router {
  const { repository, registry, outbox, store, sessions, sync, logger } = options;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
  const router = Router();
  router.use('/agent', express.json({ limit: agentBodyLimit }));

  function tokenOf(req: Request): string {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    if (!match) throw new AuthenticationError('Missing join token: send Authorization: Bearer <join token>');
    return match[1];
  }

  /** The cluster a join token belongs to; 401 when no cluster holds it. */
  async function authenticate(token: string): Promise<string> {
    const owner = await repository.clusterOfToken(token, { maxAgeMs: tokenCacheMs });
    if (!owner) throw new AuthenticationError('Invalid join token: no cluster holds it (unknown, rotated or revoked)');
    return owner;
  }

  /** 403 unless the request names the token's own cluster; 404 unless that is a pull cluster. */
  async function checkCluster(owner: string, cluster: string): Promise<void> {
    if (cluster !== owner) {
      // a cluster's credential used for another cluster: worth an operator's attention
      logger.warn(`Agent of cluster ${owner} refused: it asked for the data of cluster ${cluster}`);
      throw new NotAllowedError(`This join token is not valid for cluster ${cluster}`);
    }
    // registered on another replica a moment ago: the registry catches up now rather than in a minute
    if (!store.cluster(cluster)) await registry.refresh();
    if (store.cluster(cluster)?.definition.mode !== 'pull') throw new NotFoundError(`No pull cluster named ${cluster}`);
  }

  router.get('/agent/v1/stream', async (req, res) => {
    const token = tokenOf(req);
    const owner = await authenticate(token);
    const query = parseOr400(agentStreamQuerySchema, req.query, 'query');
    const cluster = query.cluster;
    await checkCluster(owner, cluster);
    let sent = Number(query.cursor ?? 0);

    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let closed = false;
    const write = (message: AgentStreamMessage) => {
      if (closed) return;
      res.write(`${JSON.stringify(message)}\n`);
      (res as typeof res & { flush?: () => void }).flush?.();
    };

    let pumping: Promise<void> | undefined;
    let again = false;
    /** Sends what the outbox holds after `sent`; one read at a time, repeated while more arrives. */
    const pump = () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = (async () => {
        do {
          again = false;
          const entries = await outbox.pending(cluster, sent);
          for (const entry of entries) {
            write(entry.intent);
            sent = entry.seq;
          }
          // a full page: more may wait behind it
          if (entries.length === outboxPageSize) again = true;
        } while (again && !closed);
      })()
        .catch(error => {
          logger.warn(`Agent stream of cluster ${cluster}: reading the outbox failed: ${(error as Error).message}`);
          end(503, 'the control plane could not read its outbox; reconnect');
        })
        .finally(() => {
          pumping = undefined;
          // woken between the last read and now: read again
          if (again && !closed) pump();
        });
    };

    const heartbeat = setInterval(() => {
      write({ type: 'heartbeat', cursor: sent });
      sessions.heardFrom(cluster);
      // a token rotated or revoked through another replica ends this stream too
      repository.clusterOfToken(token).then(
        holder => {
          if (holder !== cluster) end(401, 'the join token is no longer valid');
        },
        () => undefined,
      );
    }, heartbeatIntervalMs);
    const unsubscribe = outbox.onEnqueue(cluster, pump);
    const closeSession = sessions.open({ cluster, end: (status, message) => end(status, message) });

    function end(status: number, message: string) {
      write({ type: 'end', status, message });
      close();
    }
    function close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      closeSession();
      res.end();
    }
    req.on('close', close);
    res.on('close', close);
    logger.info(`Agent of cluster ${cluster} connected (resuming after ${sent})`);
    pump();
  });

  router.post('/agent/v1/ack', async (req, res) => {
    const owner = await authenticate(tokenOf(req));
    const ack = parseOr400(agentAckSchema, req.body, 'body');
    const cluster = ack.cluster;
    await checkCluster(owner, cluster);
    const outcome = 'error' in ack ? { error: ack.error } : { uid: ack.uid, resourceVersion: ack.resourceVersion };
    const entry = await outbox.ack(cluster, ack.seq, outcome);
    if (!entry) throw new NotFoundError(`seq: cluster ${cluster} has no intent ${ack.seq}`);
    sync.noteDelivery(entry);
    if (entry.intent.type === 'apply' && 'error' in outcome) {
      const { metadata } = entry.intent.object;
      logger.warn(`Operation ${metadata.namespace}/${metadata.name} could not be applied in cluster ${cluster}: ${outcome.error}`);
    }
    sessions.heardFrom(cluster);
    res.status(204).end();
  });

  router.post('/agent/v1/report', async (req, res) => {
    const owner = await authenticate(tokenOf(req));
    const report = parseOr400(agentReportSchema, req.body, 'body');
    const cluster = report.cluster;
    await checkCluster(owner, cluster);
    await sync.report(report);
    sessions.heardFrom(cluster);
    res.status(204).end();
  });

  router.use('/agent', errorHandler(logger, agentBodyLimit));
  return router;
}
