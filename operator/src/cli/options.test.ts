import { OptionsError, parseOptions, usage } from './options';

describe('parseOptions', () => {
  it('defaults to in-cluster config, all namespaces, no leader election', () => {
    expect(parseOptions([], {})).toEqual({
      namespace: '',
      concurrency: 4,
      metricsBindAddress: ':8080',
      healthProbeBindAddress: ':8081',
      leaderElect: false,
      leaderElectionId: 'fleet-operator-leader',
      logLevel: 'info',
      kubeApiQps: 20,
      kubeApiBurst: 30,
      argocdNamespace: 'argocd',
      veleroNamespace: 'velero',
      webhookBindAddress: ':9443',
      profileClusterRolePrefix: 'fleet-operator-profile-',
      help: false,
    });
  });

  it('reads flags in both forms, and flags win over environment variables', () => {
    const opts = parseOptions(
      ['--kubeconfig', '/tmp/kc', '--namespace=team-a', '--concurrency', '8', '--leader-elect', '--log-level=debug', '--metrics-bind-address=0'],
      { FLEET_OPERATOR_NAMESPACE: 'ignored', FLEET_OPERATOR_LEADER_ELECTION_NAMESPACE: 'ops', FLEET_OPERATOR_CONCURRENCY: '2' },
    );
    expect(opts).toMatchObject({
      kubeconfig: '/tmp/kc',
      namespace: 'team-a',
      concurrency: 8,
      leaderElect: true,
      leaderElectionNamespace: 'ops',
      logLevel: 'debug',
      metricsBindAddress: '0',
    });
  });

  it.each([
    { env: 'on', want: true },
    { env: 'false', want: false },
    { env: 'OFF', want: false },
  ])('reads FLEET_OPERATOR_LEADER_ELECT=$env', ({ env, want }) => {
    expect(parseOptions([], { FLEET_OPERATOR_LEADER_ELECT: env }).leaderElect).toBe(want);
  });

  it.each([
    { argv: ['--concurrency=0'], env: {}, error: /flag --concurrency: .*"0"/ },
    { argv: ['--log-level', 'loud'], env: {}, error: /flag --log-level: .*"loud"/ },
    { argv: [], env: { FLEET_OPERATOR_CONCURRENCY: 'many' }, error: /environment variable FLEET_OPERATOR_CONCURRENCY/ },
    { argv: ['--metrics-bind-address=8080'], env: {}, error: /flag --metrics-bind-address: expected host:port/ },
    { argv: ['--namespace=Team_A'], env: {}, error: /flag --namespace/ },
    { argv: ['--leader-elect=maybe'], env: {}, error: /flag --leader-elect/ },
    { argv: ['--frobnicate'], env: {}, error: /unknown flag --frobnicate/ },
    { argv: ['--namespace'], env: {}, error: /flag --namespace needs a value/ },
    { argv: ['stray'], env: {}, error: /unexpected argument "stray"/ },
  ])('rejects $argv $env naming the culprit', ({ argv, env, error }) => {
    expect(() => parseOptions(argv, env)).toThrow(OptionsError);
    expect(() => parseOptions(argv, env)).toThrow(error);
  });

  it('configures the engines and the webhook the way the Helm chart passes them', () => {
    const options = parseOptions(
      ['--webhook-bind-address=:9443', '--webhook-cert-dir', '/tmp/k8s-webhook-server/serving-certs'],
      { FLEET_OPERATOR_PROFILE_CLUSTERROLE_PREFIX: 'fleet-ops-profile-', FLEET_OPERATOR_VELERO_NAMESPACE: 'backup' },
    );
    expect(options).toMatchObject({
      webhookBindAddress: ':9443',
      webhookCertDir: '/tmp/k8s-webhook-server/serving-certs',
      profileClusterRolePrefix: 'fleet-ops-profile-',
      veleroNamespace: 'backup',
      argocdNamespace: 'argocd',
    });
    expect(() => parseOptions(['--velero-namespace', 'Not_A_Namespace'], {})).toThrow(
      'flag --velero-namespace: expected a namespace name (got "Not_A_Namespace")',
    );
  });

  it('documents every flag with its environment variable', () => {
    expect(usage()).toContain('--namespace <value>');
    expect(usage()).toContain('[env FLEET_OPERATOR_NAMESPACE]');
  });

  it('shows in its help the defaults the parser applies', () => {
    const defaults = parseOptions([], {});
    const help = usage();
    for (const [flag, value] of [
      ['concurrency', defaults.concurrency],
      ['metrics-bind-address', defaults.metricsBindAddress],
      ['leader-election-id', defaults.leaderElectionId],
      ['kube-api-qps', defaults.kubeApiQps],
      ['profile-clusterrole-prefix', defaults.profileClusterRolePrefix],
    ] as const) {
      expect(help).toMatch(new RegExp(`--${flag} <value>\\n .*\\(default: ${String(value)}\\)`));
    }
    expect(help).toMatch(/--namespace <value>\n .*\(default: all\)/);
  });
});
