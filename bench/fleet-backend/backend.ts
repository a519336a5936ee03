/* A backend under test in bench/fleet-backend: the catalog plus the plugin named by
 * BENCH_PLUGIN (`fleet` or `kubernetes`), configured by the files given with --config (as any
 * Backstage backend). Runs in a process of its own so that its RSS and event loop are its alone.
 *
 * It also carries a tiny `bench` plugin (loopback only, unauthenticated) that the load
 * generator uses: `GET /api/bench/token?target=<pluginId>` issues a plugin-to-plugin token, the
 * kind of credentials the catalog module sends to the fleet backend, and `GET /api/bench/memory`
 * answers `process.memoryUsage()` with the used size of each V8 heap space (after a full GC
 * with `?gc=1` when node runs with --expose-gc; and with BENCH_HEAP_SNAPSHOT=<dir>, it first
 * writes a heap snapshot there). `GET /api/bench/pauses` answers what held the event loop since the
 * previous call: the event loop delay (p99, max) and the garbage collections' pauses by kind. */
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { eventLoopDelay } from '../common/eventLoopDelay';
import { runBackend } from '../common/runBackend';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';

/** Event loop delay and GC pauses since the last `reset()`, in ms. */
function pauseRecorder() {
  const loop = eventLoopDelay();
  let gc: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  const kinds: Record<number, string> = {
    [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor (scavenge)',
    [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major (mark-compact)',
    [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
    [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
      const kind = kinds[detail?.kind ?? 0] ?? 'other';
      const stats = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      stats.count++;
      stats.totalMs += entry.duration;
      stats.maxMs = Math.max(stats.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    reset() {
      const delay = loop.take();
      const answer = { loopDelayP99Ms: delay.p99, loopDelayMaxMs: delay.max, gc };
      gc = {};
      return answer;
    },
  };
}

const pauses = pauseRecorder();

const benchPlugin = createBackendPlugin({
  pluginId: 'bench',
  register(env) {
    env.registerInit({
      deps: { auth: coreServices.auth, httpRouter: coreServices.httpRouter },
      async init({ auth, httpRouter }) {
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
        httpRouter.use((req, res, next) => {
          if (req.path === '/token') {
            auth
              .getOwnServiceCredentials()
              .then(onBehalfOf =>
                auth.getPluginRequestToken({
                  onBehalfOf,
                  targetPluginId: String(req.query.target),
                }),
              )
              .then(({ token }) => res.json({ token }), next);
          } else if (req.path === '/pauses') {
            res.json(pauses.reset());
          } else if (req.path === '/memory') {
            const gc = (globalThis as { gc?: () => void }).gc;
            if (req.query.gc && gc) gc();
            // BENCH_HEAP_SNAPSHOT=<dir>: a heap snapshot there, to see what the heap holds
            const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT;
            if (snapshotDir)
              writeHeapSnapshot(
                join(snapshotDir, `fleet-backend-${process.pid}.heapsnapshot`),
              );
            const spaces = Object.fromEntries(
              getHeapSpaceStatistics().map(space => [
                space.space_name,
                space.space_used_size,
              ]),
            );
            res.json({ ...process.memoryUsage(), spaces });
          } else next();
        });
      },
    });
  },
});

runBackend(() =>
  Promise.all([
    import('@backstage/plugin-catalog-backend').then(m => m.default),
    process.env.BENCH_PLUGIN === 'kubernetes'
      ? import('@backstage/plugin-kubernetes-backend').then(m => m.default)
      : import('../../plugins/fleet-backend/src').then(m => m.default),
    // BENCH_AUTH=user: the auth backend signs the guest in, as the portal's frontend is
    ...(process.env.BENCH_AUTH === 'user'
      ? [
          import('@backstage/plugin-auth-backend').then(m => m.default),
          import('@backstage/plugin-auth-backend-module-guest-provider').then(
            m => m.default,
          ),
        ]
      : []),
    benchPlugin,
  ]),
);
