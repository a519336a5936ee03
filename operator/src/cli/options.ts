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
  help: boolean;
}

interface FlagSpec {
  flag: string;
  env: string;
  key: keyof OperatorOptions;
  boolean?: boolean;
  help: string;
}

const flags: FlagSpec[] = [
  { flag: 'kubeconfig', env: 'KUBECONFIG', key: 'kubeconfig', help: 'kubeconfig file (default: in-cluster service account)' },
  { flag: 'namespace', env: 'FLEET_OPERATOR_NAMESPACE', key: 'namespace', help: 'namespace to watch (default: all)' },
  { flag: 'concurrency', env: 'FLEET_OPERATOR_CONCURRENCY', key: 'concurrency', help: 'parallel reconciles per controller (default 4)' },
  { flag: 'metrics-bind-address', env: 'FLEET_OPERATOR_METRICS_BIND_ADDRESS', key: 'metricsBindAddress', help: 'address of /metrics, 0 disables (default :8080)' },
  { flag: 'health-probe-bind-address', env: 'FLEET_OPERATOR_HEALTH_PROBE_BIND_ADDRESS', key: 'healthProbeBindAddress', help: 'address of /healthz and /readyz (default :8081)' },
  { flag: 'leader-elect', env: 'FLEET_OPERATOR_LEADER_ELECT', key: 'leaderElect', boolean: true, help: 'elect a leader through a Lease (default false)' },
  { flag: 'leader-election-namespace', env: 'FLEET_OPERATOR_LEADER_ELECTION_NAMESPACE', key: 'leaderElectionNamespace', help: 'namespace of the Lease (default: own namespace)' },
  { flag: 'leader-election-id', env: 'FLEET_OPERATOR_LEADER_ELECTION_ID', key: 'leaderElectionId', help: 'name of the Lease (default fleet-operator-leader)' },
  { flag: 'log-level', env: 'FLEET_OPERATOR_LOG_LEVEL', key: 'logLevel', help: 'debug, info, warn or error (default info)' },
  { flag: 'kube-api-qps', env: 'FLEET_OPERATOR_KUBE_API_QPS', key: 'kubeApiQps', help: 'API requests per second (default 20)' },
  { flag: 'kube-api-burst', env: 'FLEET_OPERATOR_KUBE_API_BURST', key: 'kubeApiBurst', help: 'API request burst (default 30)' },
  { flag: 'argocd-namespace', env: 'FLEET_OPERATOR_ARGOCD_NAMESPACE', key: 'argocdNamespace', help: 'namespace of Argo CD Applications (default argocd)' },
  { flag: 'velero-namespace', env: 'FLEET_OPERATOR_VELERO_NAMESPACE', key: 'veleroNamespace', help: 'namespace of Velero Backups and Restores (default velero)' },
  { flag: 'webhook-bind-address', env: 'FLEET_OPERATOR_WEBHOOK_BIND_ADDRESS', key: 'webhookBindAddress', help: 'address of the admission webhook, 0 disables (default :9443)' },
  { flag: 'webhook-cert-dir', env: 'FLEET_OPERATOR_WEBHOOK_CERT_DIR', key: 'webhookCertDir', help: 'directory of tls.crt and tls.key (default: a self-signed certificate, for development)' },
  { flag: 'profile-clusterrole-prefix', env: 'FLEET_OPERATOR_PROFILE_CLUSTERROLE_PREFIX', key: 'profileClusterRolePrefix', help: 'prefix of the RBAC profile ClusterRoles (default fleet-operator-profile-)' },
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
  help: bool.default(false),
});

/** A bad flag or environment variable; the message names it. @public */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

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
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new OptionsError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = flags.find(f => f.flag === name);
    if (!spec) throw new OptionsError(`unknown flag --${name} (see --help)`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (spec.boolean) value = 'true';
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new OptionsError(`flag --${name} needs a value`);
      value = argv[++i];
    }
    raw[spec.key] = value;
    source[spec.key] = `flag --${name}`;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const messages = parsed.error.issues.map(issue => {
      const key = String(issue.path[0]);
      return `${source[key] ?? key}: ${issue.message} (got "${raw[key]}")`;
    });
    throw new OptionsError(`invalid options: ${messages.join('; ')}`);
  }
  return parsed.data;
}

/** Help text listing every flag with its environment variable. @public */
export function usage(): string {
  const lines = flags.map(f => `  --${f.flag}${f.boolean ? '' : ' <value>'}\n      ${f.help}${f.env ? ` [env ${f.env}]` : ''}`);
  return `Usage: fleet-operator [flags]\n\n${lines.join('\n')}\n`;
}
