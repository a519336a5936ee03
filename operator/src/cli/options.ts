import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Settings of the `fleet-operator` command. @public */
export interface OperatorOptions {
  /** Kubeconfig path; undefined means the in-cluster service account. */
  kubeconfig?: string;
  /** Namespace to watch; empty string watches all namespaces. */
  namespace: string;
  /** Parallel reconciles per controller. */
  concurrency: number;
  /** `host:port` of /metrics, `0` to disable. */
  metricsBindAddress: string;
  /** `host:port` of /healthz and /readyz, `0` to disable. */
  healthProbeBindAddress: string;
  leaderElect: boolean;
  /** Namespace of the leader-election Lease; undefined means the operator's own namespace. */
  leaderElectionNamespace?: string;
  /** Name of the leader-election Lease. */
  leaderElectionId: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Client-side API rate limit. */
  kubeApiQps: number;
  kubeApiBurst: number;
  /** Namespace of Argo CD Applications (argocd engine). */
  argocdNamespace: string;
  /** Namespace of Velero Backups and Restores (velero engine). */
  veleroNamespace: string;
  /** `host:port` of the validating admission webhook (HTTPS), `0` to disable. */
  webhookBindAddress: string;
  /** Directory holding tls.crt and tls.key; undefined makes a self-signed pair at start (development). */
  webhookCertDir?: string;
  /** Prefix of the RBAC profile ClusterRoles: profile `readonly` binds `<prefix>readonly`, as the chart names them. */
  profileClusterRolePrefix: string;
  /** URL of the control plane (the Backstage backend) to connect out to; undefined runs no agent (push mode). */
  controlPlane?: string;
  /** File holding the cluster's join token (a mounted Secret); required with `controlPlane`. */
  controlPlaneTokenFile?: string;
  help: boolean;
}

interface FlagSpec {
  flag: string;
  env: string;
  key: keyof OperatorOptions;
  boolean?: boolean;
  help: string;
  /** What an unset value means, where the schema has no default to show. */
  unset?: string;
}

// Defaults live in the schema below; usage() prints them from there.
const flags: FlagSpec[] = [
  { flag: 'kubeconfig', env: 'KUBECONFIG', key: 'kubeconfig', help: 'kubeconfig file', unset: 'in-cluster service account' },
  { flag: 'namespace', env: 'FLEET_OPERATOR_NAMESPACE', key: 'namespace', help: 'namespace to watch', unset: 'all' },
  { flag: 'concurrency', env: 'FLEET_OPERATOR_CONCURRENCY', key: 'concurrency', help: 'parallel reconciles per controller' },
  { flag: 'metrics-bind-address', env: 'FLEET_OPERATOR_METRICS_BIND_ADDRESS', key: 'metricsBindAddress', help: 'address of /metrics, 0 disables' },
  { flag: 'health-probe-bind-address', env: 'FLEET_OPERATOR_HEALTH_PROBE_BIND_ADDRESS', key: 'healthProbeBindAddress', help: 'address of /healthz and /readyz, 0 disables' },
  { flag: 'leader-elect', env: 'FLEET_OPERATOR_LEADER_ELECT', key: 'leaderElect', boolean: true, help: 'elect a leader through a Lease' },
  { flag: 'leader-election-namespace', env: 'FLEET_OPERATOR_LEADER_ELECTION_NAMESPACE', key: 'leaderElectionNamespace', help: 'namespace of the Lease', unset: 'own namespace' },
  { flag: 'leader-election-id', env: 'FLEET_OPERATOR_LEADER_ELECTION_ID', key: 'leaderElectionId', help: 'name of the Lease' },
  { flag: 'log-level', env: 'FLEET_OPERATOR_LOG_LEVEL', key: 'logLevel', help: 'debug, info, warn or error' },
  { flag: 'kube-api-qps', env: 'FLEET_OPERATOR_KUBE_API_QPS', key: 'kubeApiQps', help: 'API requests per second' },
  { flag: 'kube-api-burst', env: 'FLEET_OPERATOR_KUBE_API_BURST', key: 'kubeApiBurst', help: 'API request burst' },
  { flag: 'argocd-namespace', env: 'FLEET_OPERATOR_ARGOCD_NAMESPACE', key: 'argocdNamespace', help: 'namespace of Argo CD Applications' },
  { flag: 'velero-namespace', env: 'FLEET_OPERATOR_VELERO_NAMESPACE', key: 'veleroNamespace', help: 'namespace of Velero Backups and Restores' },
  { flag: 'webhook-bind-address', env: 'FLEET_OPERATOR_WEBHOOK_BIND_ADDRESS', key: 'webhookBindAddress', help: 'address of the admission webhook, 0 disables' },
  { flag: 'webhook-cert-dir', env: 'FLEET_OPERATOR_WEBHOOK_CERT_DIR', key: 'webhookCertDir', help: 'directory of tls.crt and tls.key', unset: 'a self-signed certificate, for development' },
  { flag: 'profile-clusterrole-prefix', env: 'FLEET_OPERATOR_PROFILE_CLUSTERROLE_PREFIX', key: 'profileClusterRolePrefix', help: 'prefix of the RBAC profile ClusterRoles' },
  { flag: 'control-plane', env: 'FLEET_OPERATOR_CONTROL_PLANE', key: 'controlPlane', help: 'URL of the control plane to connect out to (pull mode)', unset: 'no agent (push mode)' },
  { flag: 'control-plane-token-file', env: 'FLEET_OPERATOR_CONTROL_PLANE_TOKEN_FILE', key: 'controlPlaneTokenFile', help: 'file holding the join token', unset: 'none' },
  { flag: 'help', env: '', key: 'help', boolean: true, help: 'print this help' },
];

const bindAddress = z.string().regex(/^(0|(\[[0-9a-fA-F:]+\]|[^:\s]*):\d{1,5})$/, 'expected host:port, :port or 0');
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a namespace name');
const bool = z
  .string()
  .transform((v, ctx) => {
    const t = v.toLowerCase();
    if (['true', '1', 'on', 'yes', ''].includes(t)) return true;
    if (['false', '0', 'off', 'no'].includes(t)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true/false or on/off' });
    return z.NEVER;
  });

const schema = z.object({
  kubeconfig: z.string().min(1).optional(),
  namespace: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, 'expected a namespace name').default(''),
  concurrency: z.coerce.number().int().min(1).max(256).default(4),
  metricsBindAddress: bindAddress.default(':8080'),
  healthProbeBindAddress: bindAddress.default(':8081'),
  leaderElect: bool.default(false),
  leaderElectionNamespace: namespaceName.optional(),
  leaderElectionId: z.string().regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, 'expected a Lease name').default('fleet-operator-leader'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  kubeApiQps: z.coerce.number().positive().default(20),
  kubeApiBurst: z.coerce.number().int().min(1).default(30),
  argocdNamespace: namespaceName.default('argocd'),
  veleroNamespace: namespaceName.default('velero'),
  webhookBindAddress: bindAddress.default(':9443'),
  webhookCertDir: z.string().min(1).optional(),
  profileClusterRolePrefix: z
    .string()
    .regex(/^[a-z0-9][-.a-z0-9]*$/, 'expected a ClusterRole name prefix')
    .default('fleet-operator-profile-'),
  controlPlane: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  controlPlaneTokenFile: z.string().min(1).optional(),
  help: bool.default(false),
});

/** A bad flag or environment variable; the message names it. @public */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

const parseArgsOptions = Object.fromEntries(flags.map(f => [f.flag, { type: f.boolean ? ('boolean' as const) : ('string' as const) }]));

/**
 * Parses flags (`--name=value`, `--name value`, bare `--bool`) over environment variables over
 * defaults. Throws {@link OptionsError} naming the offending flag or variable.
 *
 * @public
 */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined> = process.env): OperatorOptions {
  const raw: Record<string, string> = {};
  const source: Record<string, string> = {};
  for (const spec of flags) {
    const value = spec.env ? env[spec.env] : undefined;
    if (value !== undefined && value !== '') {
      raw[spec.key] = value;
      source[spec.key] = `environment variable ${spec.env}`;
    }
  }
  // Not strict: booleans also take `=true|false` (the chart passes `--leader-elect=false`), and
  // unknown flags and missing values get messages that name the flag, checked below.
  const { tokens } = parseArgs({ args: [...argv], options: parseArgsOptions, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') throw new OptionsError(`unexpected argument "${token.value}"`);
    if (token.kind === 'option-terminator') continue;
    const spec = flags.find(f => f.flag === token.name);
    if (!spec || token.rawName !== `--${token.name}`) throw new OptionsError(`unknown flag ${token.rawName} (see --help)`);
    let value = token.value;
    if (value === undefined && spec.boolean) value = 'true';
    // `--namespace --concurrency 8`: the next flag is not a value
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) throw new OptionsError(`flag --${spec.flag} needs a value`);
    raw[spec.key] = value;
    source[spec.key] = `flag --${spec.flag}`;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const messages = parsed.error.issues.map(issue => {
      const key = String(issue.path[0]);
      return `${source[key] ?? key}: ${issue.message} (got "${raw[key]}")`;
    });
    throw new OptionsError(`invalid options: ${messages.join('; ')}`);
  }
  if (parsed.data.controlPlane && !parsed.data.controlPlaneTokenFile) {
    throw new OptionsError(`${source.controlPlane}: needs --control-plane-token-file with the cluster's join token`);
  }
  return parsed.data;
}

/** The default of option `key` as help shows it: the schema's default, else what unset means. */
function defaultText(spec: FlagSpec): string | undefined {
  const value: unknown = schema.shape[spec.key].safeParse(undefined).data;
  if (value === undefined || value === '') return spec.unset;
  return String(value);
}

/** Help text listing every flag with its environment variable. @public */
export function usage(): string {
  const lines = flags.map(f => {
    const fallback = f.flag === 'help' ? undefined : defaultText(f);
    const help = fallback === undefined ? f.help : `${f.help} (default: ${fallback})`;
    return `  --${f.flag}${f.boolean ? '' : ' <value>'}\n      ${help}${f.env ? ` [env ${f.env}]` : ''}`;
  });
  return `Usage: fleet-operator [flags]\n\n${lines.join('\n')}\n`;
}
