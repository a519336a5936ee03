import { existsSync, readFileSync } from 'node:fs';
import { ResourceValidationError } from '@vworkspace/backstage-plugin-fleet-common';
import { OperatorOptions, OptionsError, parseOptions, usage } from './cli/options';
import { instanceKinds, registerControllers } from './controllers';
import { renderInstances, toYamlStream } from './render';
import { JsonLogger, KubeClient, LeadershipLostError, Logger, Manager } from './runtime';
import { createWebhookServer } from './webhook';

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
 * Resolves with the exit code.
 */
export async function run(options: OperatorOptions, logger: Logger): Promise<number> {
  const client = KubeClient.load(options.kubeconfig, { qps: options.kubeApiQps, burst: options.kubeApiBurst, logger });
  const watchApplications = await serves(client, instanceKinds.Application.apiVersion, instanceKinds.Application.plural);
  if (!watchApplications) logger.info('Argo CD Applications are not served: the argocd engine reads them on demand');
  const manager = new Manager({
    client,
    namespace: options.namespace,
    logger,
    concurrency: options.concurrency,
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
  try {
    await manager.start();
    return 0;
  } catch (err) {
    if (err instanceof LeadershipLostError) return 1;
    throw err;
  } finally {
    uninstall();
    await webhook?.close();
  }
}

/** `fleet-operator render`: prints what the controller would apply, for GitOps. */
export function render(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  write: (text: string) => void,
): number {
  const files: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-f' || arg === '--filename') files.push(argv[++i] ?? '');
    else if (arg.startsWith('--filename=')) files.push(arg.slice('--filename='.length));
    else rest.push(arg);
  }
  if (!files.length || files.some(f => !f)) throw new OptionsError('render needs -f <file> (- for stdin)');
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

if (require.main === module || /(fleet-operator|main\.ts)$/.test(process.argv[1] ?? '')) {
  void main(process.argv.slice(2)).then(code => process.exit(code));
}
