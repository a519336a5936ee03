import { ManualClock } from '../clock/Clock';
import { Controller, ControllerSource, ReconcileTimeoutError } from './Controller';
import { enqueueOwner, generationChanged } from './handlers';
import { Informer } from '../cache/Informer';
import { JsonLogger } from '../log/Logger';
import { Metrics } from '../metrics/Metrics';
import { ItemExponentialRateLimiter } from '../workqueue/rateLimiters';
import { ReconcileContext, Reconciler, Request, terminalError } from './reconcile';
import { Store } from '../cache/Store';
import { KubeObject } from '../client/types';
import { waitFor } from '../__testUtils__/sim';

/** A synced cache without a server behind it. */
function fakeInformer(store = new Store()): Pick<Informer, 'addEventHandler' | 'waitForSync'> & { store: Store } {
  return {
    store,
    waitForSync: () => Promise.resolve(),
    addEventHandler: (listener, options) => {
      const off = store.subscribe(listener);
      if (options?.replay) for (const o of store.list()) listener.onAdd?.(o);
      return off;
    },
  };
}

function obj(name: string, extra: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: '1', uid: name, ...extra } };
}

async function metricValue(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)!.get();
  return m.values.find(v => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? NaN;
}

function setup(
  reconciler: Reconciler,
  opts: { concurrency?: number; sources?: ControllerSource[]; drainTimeoutMs?: number; reconcileTimeoutMs?: number } = {},
) {
  const clock = new ManualClock();
  const metrics = new Metrics();
  const lines: string[] = [];
  const informer = fakeInformer();
  const controller = new Controller({
    name: 'test',
    reconciler,
    concurrency: opts.concurrency ?? 1,
    sources: opts.sources ?? [{ informer, map: o => [{ namespace: o.metadata?.namespace, name: o.metadata!.name! }] }],
    rateLimiter: new ItemExponentialRateLimiter(5, 1000),
    drainTimeoutMs: opts.drainTimeoutMs,
    reconcileTimeoutMs: opts.reconcileTimeoutMs,
    metrics,
    clock,
    logger: new JsonLogger({ level: 'debug', write: l => lines.push(l) }),
  });
  const ac = new AbortController();
  const running = controller.run(ac.signal);
  return { clock, metrics, lines, informer, controller, ac, running };
}

describe('Controller', () => {
  it('reconciles existing and new objects once each, with a reconcileID per call', async () => {
    const seen: Array<{ req: Request; id: string }> = [];
    const informer = fakeInformer();
    informer.store.upsert(obj('existing'));
    const t = setup(
      {
        async reconcile(req, ctx) {
          seen.push({ req, id: ctx.reconcileID });
        },
      },
      { sources: [{ informer, map: o => [{ namespace: o.metadata?.namespace, name: o.metadata!.name! }] }] },
    );
    informer.store.upsert(obj('new'));
    informer.store.upsert(obj('new', { resourceVersion: '2' }));
    await waitFor(() => seen.length >= 2, 'two reconciles');
    t.ac.abort();
    await t.running;
    expect(seen.map(s => s.req)).toEqual([
      { namespace: 'ns', name: 'existing' },
      { namespace: 'ns', name: 'new' },
    ]);
    expect(new Set(seen.map(s => s.id)).size).toBe(2);
    expect(await metricValue(t.metrics, 'controller_runtime_reconcile_total', { controller: 'test', result: 'success' })).toBe(2);
  });

  it('retries a failing reconcile with backoff and forgets the failures after success', async () => {
    let calls = 0;
    const t = setup({
      async reconcile() {
        calls++;
        if (calls < 3) throw new Error(`boom ${calls}`);
      },
    });
    t.controller.enqueue({ namespace: 'ns', name: 'a' });
    await waitFor(() => calls === 1, 'first call');
    await t.clock.advance(5);
    await waitFor(() => calls === 2, 'second call after 5 ms');
    await t.clock.advance(9);
    expect(calls).toBe(2);
    await t.clock.advance(1);
    await waitFor(() => calls === 3, 'third call after 10 ms');
    await waitFor(() => t.controller.queue.numRequeues('ns/a') === 0, 'forgotten');
    expect(await metricValue(t.metrics, 'controller_runtime_reconcile_errors_total', { controller: 'test' })).toBe(2);
    expect(await metricValue(t.metrics, 'workqueue_retries_total', { controller: 'test' })).toBe(2);
    const errors = t.lines.map(l => JSON.parse(l)).filter(l => l.level === 'error');
    expect(errors[0]).toMatchObject({ msg: 'Reconciler error', controller: 'test', object: 'ns/a', error: 'boom 1' });
    expect(errors[0].reconcileID).toMatch(/^[0-9a-f-]{36}$/);
    t.ac.abort();
    await t.running;
  });

  it('does not retry a terminal error but logs and counts it', async () => {
    let calls = 0;
    const t = setup({
      async reconcile() {
        calls++;
        throw terminalError(new Error('spec.chart is invalid'));
      },
    });
    t.controller.enqueue({ namespace: 'ns', name: 'bad' });
    await waitFor(() => calls === 1, 'call');
    await t.clock.advance(60_000);
    expect(calls).toBe(1);
    expect(t.controller.queue.pendingDelayed).toBe(0);
    expect(await metricValue(t.metrics, 'controller_runtime_terminal_reconcile_errors_total', { controller: 'test' })).toBe(1);
    expect(t.lines.some(l => l.includes('spec.chart is invalid') && l.includes('"level":"error"'))).toBe(true);
    t.ac.abort();
    await t.running;
  });

  it('requeues after the requested delay', async () => {
    let calls = 0;
    const t = setup({
      async reconcile() {
        calls++;
        return calls === 1 ? { requeueAfter: 30_000 } : {};
      },
    });
    t.controller.enqueue({ name: 'poll', namespace: 'ns' });
    await waitFor(() => calls === 1, 'first');
    await t.clock.advance(29_999);
    expect(calls).toBe(1);
    await t.clock.advance(1);
    await waitFor(() => calls === 2, 'requeued');
    expect(await metricValue(t.metrics, 'controller_runtime_reconcile_total', { controller: 'test', result: 'requeue_after' })).toBe(1);
    t.ac.abort();
    await t.running;
  });

  it('runs different keys in parallel but never the same key twice at once', async () => {
    let active = 0;
    let maxActive = 0;
    const perKey = new Map<string, number>();
    let overlap = false;
    const gates: Array<() => void> = [];
    const t = setup(
      {
        async reconcile(req) {
          active++;
          maxActive = Math.max(maxActive, active);
          perKey.set(req.name, (perKey.get(req.name) ?? 0) + 1);
          if (perKey.get(req.name)! > 1) overlap = true;
          await new Promise<void>(r => gates.push(r));
          perKey.set(req.name, perKey.get(req.name)! - 1);
          active--;
        },
      },
      { concurrency: 3 },
    );
    for (const n of ['a', 'b', 'c', 'a', 'a']) t.controller.enqueue({ namespace: 'ns', name: n });
    await waitFor(() => gates.length === 3, 'three parallel reconciles');
    t.controller.enqueue({ namespace: 'ns', name: 'a' }); // while a is in flight
    gates.splice(0).forEach(g => g());
    await waitFor(() => gates.length === 1, 'a again');
    gates.splice(0).forEach(g => g());
    await waitFor(() => active === 0, 'idle');
    expect(maxActive).toBe(3);
    expect(overlap).toBe(false);
    t.ac.abort();
    await t.running;
  });

  it('on stop, lets in-flight reconciles finish, then aborts them after the drain deadline', async () => {
    let ctxSeen: ReconcileContext | undefined;
    let finish: () => void = () => {};
    const t = setup(
      {
        reconcile(_req, ctx) {
          ctxSeen = ctx;
          return new Promise<void>(r => (finish = r));
        },
      },
      { drainTimeoutMs: 1000 },
    );
    t.controller.enqueue({ namespace: 'ns', name: 'slow' });
    await waitFor(() => ctxSeen, 'reconcile started');
    t.ac.abort();
    let stopped = false;
    void t.running.then(() => (stopped = true));
    await t.clock.advance(999);
    expect(stopped).toBe(false);
    expect(ctxSeen!.signal.aborted).toBe(false);
    await t.clock.advance(1);
    expect(ctxSeen!.signal.aborted).toBe(true);
    finish();
    await t.running;
  });

  it('cancels a reconcile past its timeout through its signal, logs it and retries it with backoff', async () => {
    const calls: ReconcileContext[] = [];
    const t = setup(
      {
        reconcile(_req, ctx) {
          calls.push(ctx);
          // the first call hangs until its signal aborts; the retry succeeds
          if (calls.length > 1) return Promise.resolve();
          return new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
        },
      },
      { reconcileTimeoutMs: 1000 },
    );
    t.controller.enqueue({ namespace: 'ns', name: 'hangs' });
    await waitFor(() => calls.length === 1, 'first reconcile');
    await t.clock.advance(999);
    expect(calls[0].signal.aborted).toBe(false);
    await t.clock.advance(1);
    expect(calls[0].signal.reason).toBeInstanceOf(ReconcileTimeoutError);
    // retried after the per-key backoff (5 ms), not at once
    expect(calls).toHaveLength(1);
    await t.clock.advance(5);
    await waitFor(() => calls.length === 2, 'retry');
    expect(calls[1].signal.aborted).toBe(false);
    const timedOut = t.lines.map(l => JSON.parse(l)).find(l => l.msg === 'Reconcile timed out, retrying');
    expect(timedOut).toMatchObject({ level: 'error', object: 'ns/hangs', reconcileID: calls[0].reconcileID });
    expect(await metricValue(t.metrics, 'controller_runtime_reconcile_total', { controller: 'test', result: 'error' })).toBe(1);
    t.ac.abort();
    await t.running;
  });

  it('frees the worker from a reconcile that ignores its signal, without running that object twice at once', async () => {
    const started: string[] = [];
    let releaseStuck: () => void = () => {};
    const t = setup(
      {
        reconcile(req) {
          started.push(req.name);
          // "stuck" ignores its signal the first time
          if (req.name === 'stuck' && started.filter(n => n === 'stuck').length === 1) return new Promise<void>(r => (releaseStuck = r));
          return Promise.resolve();
        },
      },
      { concurrency: 1, reconcileTimeoutMs: 1000 },
    );
    t.controller.enqueue({ namespace: 'ns', name: 'stuck' });
    await waitFor(() => started.length === 1, 'stuck reconcile');
    t.controller.enqueue({ namespace: 'ns', name: 'other' });
    await t.clock.advance(1000);
    // the only worker moved on to the next object
    await waitFor(() => started.includes('other'), 'the other object reconciled', 2000);
    // the retry of "stuck" waits for the abandoned call to return
    await t.clock.advance(1000);
    expect(started.filter(n => n === 'stuck')).toHaveLength(1);
    releaseStuck();
    await t.clock.advance(1000);
    await waitFor(() => started.filter(n => n === 'stuck').length === 2, 'stuck retried once released', 2000);
    t.ac.abort();
    await t.running;
  });

  it('owns: a child event reconciles its controlling owner; status-only updates can be filtered', async () => {
    const reqs: string[] = [];
    const parents = fakeInformer();
    const children = fakeInformer();
    const ownerKind = { apiVersion: 'example.io/v1', kind: 'Widget', namespaced: true };
    const t = setup(
      {
        async reconcile(req) {
          reqs.push(req.name);
        },
      },
      {
        sources: [
          { informer: parents, map: o => [{ namespace: o.metadata?.namespace, name: o.metadata!.name! }], updatePredicate: generationChanged },
          { informer: children, map: enqueueOwner(ownerKind) },
        ],
      },
    );
    children.store.upsert(
      obj('child', { ownerReferences: [{ apiVersion: 'example.io/v1', kind: 'Widget', name: 'w1', uid: 'u', controller: true }] }),
    );
    children.store.upsert(obj('other', { ownerReferences: [{ apiVersion: 'other.io/v1', kind: 'Widget', name: 'w2', uid: 'u', controller: true }] }));
    await waitFor(() => reqs.includes('w1'), 'owner reconciled');
    parents.store.upsert(obj('w3', { generation: 1 }));
    await waitFor(() => reqs.includes('w3'), 'w3');
    parents.store.upsert(obj('w3', { generation: 1, resourceVersion: '2' })); // status-only
    parents.store.upsert(obj('w4', { generation: 1 }));
    await waitFor(() => reqs.includes('w4'), 'w4');
    expect(reqs).toEqual(['w1', 'w3', 'w4']);
    t.ac.abort();
    await t.running;
  });
});
