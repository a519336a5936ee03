import type { SimCluster } from '@vworkspace/kube-sim';
import { JsonLogger, KubeClient, LeaderElectionOptions, Logger, Manager, ManagerOptions } from '@vworkspace/kube-runtime';
import { ApplicationInstanceControllerOptions, registerApplicationInstanceController } from '../controllers/applicationinstance';
import { OperationControllerOptions, registerOperationController } from '../controllers/operation';

/** @public */
export interface OperatorStartOptions {
  /** Namespace the caches watch. Default all. */
  namespace?: string;
  /** Parallel reconciles per controller. Default 4. */
  concurrency?: number;
  /** Default off. */
  leaderElection?: LeaderElectionOptions;
  /** The ApplicationInstance controller's options, or `false` to leave it out. */
  applicationInstance?: ApplicationInstanceControllerOptions | false;
  /** The Operation controller's options (polls every 50 ms unless set), or `false` to leave it out. */
  operation?: OperationControllerOptions | false;
  /** The client the operator talks through (e.g. one that fails on purpose). Default an admin client. */
  client?: KubeClient;
  /** Default: errors to stderr (`OPERATOR_TEST_LOG=debug` for everything), so a stuck test explains itself. */
  logger?: Logger;
  /** More manager options (cache tuning, bind addresses...). */
  manager?: Partial<Omit<ManagerOptions, 'client' | 'logger' | 'namespace' | 'concurrency' | 'leaderElection'>>;
}

/** An operator running in this process: a manager with the operator's controllers. @public */
export interface RunningOperator {
  readonly manager: Manager;
  readonly client: KubeClient;
  /** Settles when the manager stopped: with the error that stopped it, if any. */
  readonly running: Promise<Error | undefined>;
  stop(): Promise<void>;
}

function testLogger(): Logger {
  const level = process.env.OPERATOR_TEST_LOG === 'debug' ? 'debug' : 'error';
  return new JsonLogger({ level, write: line => process.stderr.write(`${line}\n`) });
}

/**
 * Starts the operator's controllers in this process against a cluster (a kube-sim cluster or
 * a kubeconfig), as `fleet-operator run` would, with quick timings for tests. For the real
 * process, see {@link startOperatorProcess}.
 *
 * @public
 */
export function startOperator(target: SimCluster | string, options: OperatorStartOptions = {}): RunningOperator {
  const kubeConfig = typeof target === 'string' ? target : target.kubeConfig();
  const client = options.client ?? KubeClient.fromString(kubeConfig, { qps: 2000, burst: 2000 });
  const manager = new Manager({
    cache: { watchTimeoutSeconds: { min: 30, max: 60 }, backoff: { initialMs: 50, maxMs: 1000 } },
    ...options.manager,
    client,
    namespace: options.namespace,
    logger: options.logger ?? testLogger(),
    concurrency: options.concurrency ?? 4,
    leaderElection: options.leaderElection ?? { enabled: false, name: 'fleet-operator-leader' },
  });
  if (options.applicationInstance !== false) registerApplicationInstanceController(manager, options.applicationInstance);
  if (options.operation !== false) registerOperationController(manager, { pollIntervalMs: 50, ...options.operation });
  const running = manager.start().then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return {
    manager,
    client,
    running,
    async stop() {
      await manager.stop();
      await running;
    },
  };
}
