import { SimCluster } from '../../cluster/SimCluster';
import type { GroupVersionResource, KubeObject } from '../../types';
import { eventually } from './eventually';
import { SimController } from './SimController';
import type { ObjectKey, ReconcileResult, ReconcileTrigger } from './SimController';

const CONFIGMAPS: GroupVersionResource = { group: '', version: 'v1', resource: 'configmaps' };
const TEN_MINUTES = 600_000;

/** Asks for a 10-minute interval pass first, then counts the passes it is given. */
class RecordingController extends SimController {
  readonly name = 'recording-controller';
  protected readonly primary = CONFIGMAPS;
  readonly passes: ReconcileTrigger[] = [];

  protected async reconcile(_key: ObjectKey, _object: KubeObject | undefined, trigger: ReconcileTrigger): Promise<ReconcileResult> {
    this.passes.push(trigger);
    return this.passes.length === 1 ? { requeueAfterMs: TEN_MINUTES } : undefined;
  }
}

let cluster: SimCluster;
let controller: RecordingController;

beforeAll(async () => {
  cluster = await SimCluster.start({ tls: false });
  controller = new RecordingController({ api: cluster.api, timings: { timeScale: 1 } }).start();
});

afterAll(async () => {
  controller.stop();
  await cluster.stop();
});

describe('SimController.enqueue', () => {
  // client-go's delaying queue keeps the earliest ready time of a key (util/workqueue/delaying_queue.go):
  // Flux's 1 s retry after a failed upgrade is not lost behind the 10-minute interval.
  it('runs a sooner requeue although a later one is already scheduled', async () => {
    await cluster.api.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'default' } });
    await eventually(() => controller.passes.length === 1, { what: 'the first pass' });
    controller.enqueue({ namespace: 'default', name: 'app' }, 20);
    await eventually(() => controller.passes.length === 2, { what: 'the sooner requeue' });
    expect(controller.passes[1]).toEqual({ requeued: true });
  });

  it('keeps the sooner requeue when a later one is asked for', async () => {
    controller.enqueue({ namespace: 'default', name: 'app' }, 20);
    controller.enqueue({ namespace: 'default', name: 'app' }, TEN_MINUTES);
    await eventually(() => controller.passes.length === 3, { what: 'the sooner requeue' });
    expect(controller.passes[2]).toEqual({ requeued: true });
  });
});
