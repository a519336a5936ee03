import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ResourceValidationError } from '@vworkspace/backstage-plugin-fleet-common';
import { OperatorOptions, OptionsError, parseOptions, usage } from './cli/options';
import { instanceKinds, registerControllers } from './controllers';
import { renderInstances, toYamlStream } from './render';
import { JsonLogger, keepProcessAlive, KubeClient, LeadershipLostError, Logger, Manager } from '@vworkspace/kube-runtime';
import { createWebhookServer } from './webhook';
import { startControlPlaneAgent } from './agent';

export { ControlPlaneAgent, startControlPlaneAgent } from './agent';
export type { ControlPlaneAgentOptions } from './agent';

/**
 * Longest one reconcile may take. Reconciles only read caches and send a few requests (engines
 * are polled through requeues, never waited on), so one still running after this is stuck, e.g.
 * on a connection that stopped answering: it is cancelled and retried with backoff.
 */
const reconcileTimeoutMs = 5 * 60_000;

const serviceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

const commandsUsage = `Commands:
  run (default)    run the controllers and the admission webhook against the cluster
  render -f FILE   print the objects the ApplicationInstance controller would apply for the
                   ApplicationInstance manifests in FILE (- for stdin; repeatable), as YAML;
                   takes --namespace (of manifests that name none, default "default") and
                   --argocd-namespace
`;

/** The namespace the operator runs in: its service account's, else the kubeconfig context's. */
function ownNamespace(client: KubeClient): string {
  if (existsSync(serviceAccountNamespaceFile)) return readFileSync(serviceAccountNamespaceFile, 'utf8').trim();
  return client.contextNamespace ?? 'default';
}

/** Whether the API server serves `plural` in `apiVersion` (an optional engine may be absent). */
async function serves(client: KubeClient, apiVersion: string, plural: string): Promise<boolean> {
  try {
    const list = await client.request<{ resources?: Array<{ name: string }> }>('GET', `/apis/${apiVersion}`);
    return !!list.resources?.some(r => r.name === plural);
  } catch {
    return false;
  }
}

/**
 * `fleet-operator run`: the ApplicationInstance and Operation controllers under one manager,
 * with leader election, /metrics, /healthz and /readyz, and the admission webhook.
 *
 * Resolves with the exit code once the operator stopped on purpose, having logged why: 0 after
 * a requested shutdown (SIGTERM, SIGINT), 1 after lost leadership or a fatal error. Until then
 * the process is held alive, whatever is bound and however long the API server is away.
 */
export async function run(options: OperatorOptions, logger: Logger): Promise<number> {
  // held from the first request on: the discovery check below may already be retrying
  const hold = keepProcessAlive('fleet-operator');
  try {
    return await runHeld(options, logger);
  } catch (err) {
    logger.error('fleet-operator exiting: fatal error', { error: err, exitCode: 1 });
    return 1;
  } finally {
    hold.release();
  }
}

async function runHeld(options: OperatorOptions, logger: Logger): Promise<number> {
  const client = KubeClient.load(options.kubeconfig, { qps: options.kubeApiQps, burst: options.kubeApiBurst, logger });
  const watchApplications = await serves(client, instanceKinds.Application.apiVersion, instanceKinds.Application.plural);
  if (!watchApplications) logger.info('Argo CD Applications are not served: the argocd engine reads them on demand');
  const manager = new Manager({
    client,
    namespace: options.namespace,
    logger,
    concurrency: options.concurrency,
    reconcileTimeoutMs,
    metricsBindAddress: options.metricsBindAddress,
    healthProbeBindAddress: options.healthProbeBindAddress,
    leaderElection: {
      enabled: options.leaderElect,
      name: options.leaderElectionId,
      namespace: options.leaderElectionNamespace ?? ownNamespace(client),
    },
  });
  registerControllers(manager, {
    concurrency: options.concurrency,
    applicationInstance: { argocd: { namespace: options.argocdNamespace }, watchApplications },
    operation: {
      veleroNamespace: options.veleroNamespace,
      profileClusterRolePrefix: options.profileClusterRolePrefix,
    },
  });
  // Every replica admits, leader or not: the API server picks any endpoint of the Service.
  const webhook =
    options.webhookBindAddress === '0'
      ? undefined
      : await createWebhookServer({ bindAddress: options.webhookBindAddress, certDir: options.webhookCertDir, logger });
  await webhook?.listen();
  const uninstall = manager.handleSignals();
  // pull mode: the agent connects out to the control plane beside the controllers
  const stopAgent = startControlPlaneAgent(options, client, logger, manager);
  try {
    await manager.start();
    logger.info('fleet-operator exiting: shutdown requested', { exitCode: 0 });
    return 0;
  } catch (err) {
    if (!(err instanceof LeadershipLostError)) throw err;
    logger.error('fleet-operator exiting: leadership lost', { exitCode: 1 });
    return 1;
  } finally {
    uninstall();
    await stopAgent();
    await webhook?.close();
  }
}

/** `fleet-operator render`: prints what the controller would apply, for GitOps. */
export function render(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  write: (text: string) => void,
): number {
  // -f/--filename here; every other argument is a `run` flag, parsed by parseOptions
  const { tokens } = parseArgs({
    args: [...argv],
    options: { filename: { type: 'string', short: 'f', multiple: true } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const files: string[] = [];
  const consumed = new Set<number>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name !== 'filename') continue;
    files.push(token.value ?? '');
    consumed.add(token.index);
    if (token.value !== undefined && !token.inlineValue) consumed.add(token.index + 1);
  }
  const rest = argv.filter((_, i) => !consumed.has(i));
  if (!files.length || files.some(f => !f || f.startsWith('--'))) throw new OptionsError('render needs -f <file> (- for stdin)');
  // The same flags as `run`, so render and the controller agree on namespaces.
  const options = parseOptions(rest, env);
  const text = files.map(f => readFileSync(f === '-' ? 0 : f, 'utf8')).join('\n---\n');
  const namespace = options.namespace || undefined;
  write(toYamlStream(renderInstances(text, { namespace, argocd: { namespace: options.argocdNamespace } })));
  return 0;
}

/** Entry point: `fleet-operator [run|render] [flags]`. Resolves with the exit code. */
export async function main(argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'run';
  const args = argv[0] === command ? argv.slice(1) : argv;
  try {
    if (command === 'render') return render(args, env, text => process.stdout.write(text));
    if (command !== 'run') throw new OptionsError(`unknown command "${command}"`);
    const options = parseOptions(args, env);
    if (options.help) {
      process.stdout.write(`${usage()}\n${commandsUsage}`);
      return 0;
    }
    const logger = new JsonLogger({ level: options.logLevel, fields: { component: 'fleet-operator' } });
    return await run(options, logger);
  } catch (err) {
    if (err instanceof OptionsError || err instanceof ResourceValidationError) {
      process.stderr.write(`fleet-operator: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`fleet-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * Runs `main` as the process: exits with its code, and makes sure nothing else ends the
 * process silently. An exception nobody caught, or an event loop that empties while `main`
 * still runs (a bug: the operator holds the process while it runs), is logged and exits 1.
 */
export function runProcess(argv: readonly string[]): void {
  const logger = new JsonLogger({ level: 'error', fields: { component: 'fleet-operator' } });
  const die = (msg: string, error?: unknown) => {
    logger.error(`fleet-operator exiting: ${msg}`, { error, exitCode: 1 });
    process.exit(1);
  };
  process.on('uncaughtException', err => die('uncaught exception', err));
  process.on('unhandledRejection', reason => die('unhandled promise rejection', reason));
  process.on('beforeExit', () => die('nothing left to wait for before the operator stopped'));
  void main(argv).then(code => process.exit(code), err => die('fatal error', err));
}

if (require.main === module || /(fleet-operator|main\.ts)$/.test(process.argv[1] ?? '')) {
  runProcess(process.argv.slice(2));
}
