// Wire responses are checked as untyped JSON, hence `any` in assertions.
import { KubeConfig } from '@kubernetes/client-node';
import { SimCluster, SimClusterOptions } from '../../../cluster/SimCluster';

/** Starts a plain-HTTP cluster for a test file and a KubeConfig for it. */
export async function startTestCluster(options: SimClusterOptions = {}): Promise<{ cluster: SimCluster; kc: KubeConfig }> {
  const cluster = await SimCluster.start({ tls: false, ...options });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeConfig());
  return { cluster, kc };
}

/** A running test cluster and a KubeConfig with its admin token. */
export interface TestCluster {
  cluster: SimCluster;
  kc: KubeConfig;
}

/**
 * Runs a plain-HTTP cluster for the enclosing `describe`: started before its tests, stopped after
 * them. The object returned is filled in once the cluster runs, so read it in hooks and tests.
 */
export function useTestCluster(options: SimClusterOptions = {}): TestCluster {
  // Empty until the beforeAll below fills it; nothing reads it before then.
  const started = {} as TestCluster;
  beforeAll(async () => {
    Object.assign(started, await startTestCluster(options));
  });
  afterAll(() => started.cluster?.stop());
  return started;
}

/** The HTTP status and metav1.Status body of a client-node ApiException. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await promise;
  } catch (e) {
    // client-node 1.4 ApiException: `code` and `body` (a JSON string).
    const err = e as { code?: number; body?: unknown; statusCode?: number };
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code ?? err.statusCode ?? 0, body };
  }
  throw new Error('expected the request to fail');
}
