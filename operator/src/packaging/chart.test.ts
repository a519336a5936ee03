import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseOptions } from '../cli/options';
import { chartDir, find, helm, helmTemplate, operatorDir, RenderedObject } from './__testUtils__/helmTemplate';

jest.setTimeout(60_000);

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

type Container = {
  args: string[];
  env: Array<{ name: string; value?: string }>;
  securityContext: Record<string, unknown>;
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  ports: Array<{ name: string; containerPort: number }>;
};

const rulesOf = (o: RenderedObject) => o.rules as PolicyRule[];
const podSpec = (deployment: RenderedObject) =>
  (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
const containerOf = (deployment: RenderedObject) => (podSpec(deployment).containers as Container[])[0];

/** Flattens rules into "group/resource:verb" grants, for exact comparisons. */
function grants(rules: PolicyRule[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const g of r.apiGroups ?? ['']) {
      for (const res of r.resources ?? []) {
        for (const v of r.verbs) out.push(`${g || 'core'}/${res}:${v}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}`);
      }
    }
  }
  return out.sort();
}

describe('fleet-operator chart', () => {
  let defaults: RenderedObject[];
  beforeAll(async () => {
    defaults = await helmTemplate();
  });

  it('passes helm lint', async () => {
    const result = await helm(['lint', chartDir, '--strict']);
    expect(result.stderr).not.toMatch(/\[ERROR\]/);
    expect(result.code).toBe(0);
  });

  it('declares the chart identity the install docs rely on', () => {
    const chart = parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'fleet-operator', appVersion: '0.1.0', kubeVersion: '>=1.27.0-0' });
  });

  it('ships exactly the generated CRDs of operator/crds, byte for byte', () => {
    const generated = readdirSync(path.join(operatorDir, 'crds')).sort();
    const shipped = readdirSync(path.join(chartDir, 'crds')).sort();
    expect(shipped).toEqual(generated);
    for (const file of generated) {
      const a = readFileSync(path.join(operatorDir, 'crds', file));
      const b = readFileSync(path.join(chartDir, 'crds', file));
      // On failure: run npm run generate:crds, which writes both copies.
      expect({ file, equal: a.equals(b) }).toEqual({ file, equal: true });
    }
  });

  it('runs two replicas with leader election in the release namespace', () => {
    const deployment = find(defaults, 'Deployment', 'fleet-operator');
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    const args = containerOf(deployment).args;
    expect(args).toEqual(
      expect.arrayContaining([
        '--leader-elect=true',
        '--leader-election-namespace=fleet-system',
        '--metrics-bind-address=:8080',
        '--health-probe-bind-address=:8081',
        '--webhook-bind-address=:9443',
        '--webhook-cert-dir=/tmp/k8s-webhook-server/serving-certs',
        '--namespace=',
      ]),
    );
    expect(args.some(a => a.startsWith('--kubeconfig'))).toBe(false);
  });

  it('passes only flags and values the operator accepts', () => {
    const args = containerOf(find(defaults, 'Deployment', 'fleet-operator')).args;
    const options = parseOptions(args, {});
    expect(options).toMatchObject({
      namespace: '',
      leaderElect: true,
      leaderElectionNamespace: 'fleet-system',
      metricsBindAddress: ':8080',
      healthProbeBindAddress: ':8081',
      logLevel: 'info',
    });
    expect(options.kubeconfig).toBeUndefined();
  });

  it('probes /healthz and /readyz on the health port', () => {
    const c = containerOf(find(defaults, 'Deployment', 'fleet-operator'));
    const port = (name: string) => c.ports.find(p => p.name === name)?.containerPort;
    expect(port('health')).toBe(8081);
    expect(port('metrics')).toBe(8080);
    expect(port('webhook')).toBe(9443);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  it('runs restricted: non-root, read-only root, no capabilities, RuntimeDefault seccomp, /tmp only', () => {
    const deployment = find(defaults, 'Deployment', 'fleet-operator');
    const pod = podSpec(deployment);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = containerOf(deployment);
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.securityContext.capabilities).not.toHaveProperty('add');
    const writable = c.volumeMounts.filter(m => !m.readOnly).map(m => m.mountPath);
    expect(writable).toEqual(['/tmp']);
    expect(pod.volumes).toEqual(
      expect.arrayContaining([{ name: 'tmp', emptyDir: expect.any(Object) }]),
    );
  });

  it('mounts the webhook TLS Secret at the certificate directory', () => {
    const deployment = find(defaults, 'Deployment', 'fleet-operator');
    const mount = containerOf(deployment).volumeMounts.find(m => m.mountPath === '/tmp/k8s-webhook-server/serving-certs');
    expect(mount?.readOnly).toBe(true);
    const volume = (podSpec(deployment).volumes as Array<{ name: string; secret?: { secretName: string } }>).find(
      v => v.name === mount?.name,
    );
    expect(volume?.secret?.secretName).toBe('fleet-operator-webhook-tls');
  });

  it('keeps one replica through voluntary disruptions and spreads replicas', () => {
    const pdb = find(defaults, 'PodDisruptionBudget', 'fleet-operator');
    expect(pdb.spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'fleet-operator' } } });
    const spread = podSpec(find(defaults, 'Deployment', 'fleet-operator')).topologySpreadConstraints as Array<{ topologyKey: string }>;
    expect(spread.map(s => s.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
  });

  it('grants no wildcard verb, resource or group anywhere', async () => {
    const all = await helmTemplate({
      set: { 'backstageAccess.enabled': true, 'webhook.certManager.enabled': true, 'velero.enabled': true, 'workflows.enabled': true, 'volsync.enabled': true },
    });
    const roles = all.filter(o => o.kind === 'ClusterRole' || o.kind === 'Role');
    expect(roles.length).toBeGreaterThanOrEqual(6);
    for (const role of roles) {
      for (const rule of rulesOf(role)) {
        expect({ role: role.metadata.name, rule, wildcard: [...rule.verbs, ...(rule.resources ?? []), ...(rule.apiGroups ?? [])].includes('*') }).toMatchObject({ wildcard: false });
      }
    }
  });

  it('gives the operator exactly the access of its contract', async () => {
    const allEngines = await helmTemplate({ set: { 'velero.enabled': true, 'workflows.enabled': true, 'volsync.enabled': true } });
    const operator = grants(rulesOf(find(allEngines, 'ClusterRole', 'fleet-operator')));
    // Spot checks of the contract; the full list is in templates/rbac.yaml.
    expect(operator).toEqual(
      expect.arrayContaining([
        'apps.vworkspace.io/applicationinstances/status:patch',
        'apps.vworkspace.io/applicationinstances/finalizers:update',
        'ops.vworkspace.io/operations/status:update',
        'helm.toolkit.fluxcd.io/helmreleases:create',
        'source.toolkit.fluxcd.io/ocirepositories:patch',
        'argoproj.io/workflows:patch',
        'snapshot.storage.k8s.io/volumesnapshots:delete',
        'volsync.backube/replicationsources:patch',
        'batch/jobs:delete',
        'core/secrets:list',
        'core/serviceaccounts:create',
        'rbac.authorization.k8s.io/rolebindings:create',
        'rbac.authorization.k8s.io/clusterroles:bind[fleet-operator-profile-maintenance,fleet-operator-profile-readonly]',
        'rbac.authorization.k8s.io/clusterroles:get[fleet-operator-profile-maintenance,fleet-operator-profile-readonly]',
        'core/events:create',
        'core/events:list',
      ]),
    );
    // What it must not have: writing secrets, workflow templates, Velero objects cluster-wide,
    // binding arbitrary roles, or exec.
    for (const forbidden of [
      'core/secrets:get',
      'core/secrets:watch',
      'core/secrets:create',
      'core/secrets:update',
      'argoproj.io/workflowtemplates:create',
      'velero.io/backups:create',
      'rbac.authorization.k8s.io/clusterroles:bind',
      'rbac.authorization.k8s.io/clusterroles:get',
      'rbac.authorization.k8s.io/clusterroles:escalate',
      'core/pods/exec:create',
    ]) {
      expect(operator).not.toContain(forbidden);
    }
  });

  it('renders rights on an optional engine\'s objects only when the engine is enabled, and none by default', () => {
    const operator = grants(rulesOf(find(defaults, 'ClusterRole', 'fleet-operator')));
    const optional = /^(argoproj\.io\/workflows|snapshot\.storage\.k8s\.io|volsync\.backube|velero\.io)/;
    expect(operator.filter(g => optional.test(g))).toEqual([]);
    // No object in Velero's namespace: a cluster without Velero has no such namespace.
    expect(defaults.filter(o => o.metadata.namespace && o.metadata.namespace !== 'fleet-system').map(o => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(defaults.filter(o => /velero/.test(o.metadata.name)).map(o => o.kind)).toEqual([]);
  });

  it.each([
    { value: 'workflows.enabled', want: ['argoproj.io/workflows:create', 'argoproj.io/workflows:get', 'argoproj.io/workflows:patch'] },
    {
      value: 'volsync.enabled',
      want: [
        'snapshot.storage.k8s.io/volumesnapshots:create', 'snapshot.storage.k8s.io/volumesnapshots:delete', 'snapshot.storage.k8s.io/volumesnapshots:get',
        'volsync.backube/replicationsources:get', 'volsync.backube/replicationsources:patch',
      ],
    },
  ])('grants the $value engine exactly its rights', async ({ value, want }) => {
    const enabled = await helmTemplate({ set: { [value]: true } });
    const added = grants(rulesOf(find(enabled, 'ClusterRole', 'fleet-operator')));
    const base = grants(rulesOf(find(defaults, 'ClusterRole', 'fleet-operator')));
    expect(added.filter(g => !base.includes(g))).toEqual(want.sort());
  });

  it('labels each RBAC profile ClusterRole with its Pod Security level, restricted unless set', async () => {
    const podSecurity = (objects: RenderedObject[], name: string) => find(objects, 'ClusterRole', name).metadata.annotations?.['ops.vworkspace.io/pod-security'];
    expect(podSecurity(defaults, 'fleet-operator-profile-readonly')).toBe('restricted');
    expect(podSecurity(defaults, 'fleet-operator-profile-maintenance')).toBe('restricted');
    const custom = await helmTemplate({ set: { 'rbacProfilePodSecurity.maintenance': 'baseline' } });
    expect(podSecurity(custom, 'fleet-operator-profile-maintenance')).toBe('baseline');
    expect(podSecurity(custom, 'fleet-operator-profile-readonly')).toBe('restricted');
  });

  it('limits Velero access to the Velero namespace and leases to the operator Lease', async () => {
    const custom = await helmTemplate({ set: { 'velero.enabled': true, 'velero.namespace': 'backup-system' } });
    const velero = find(custom, 'Role', 'fleet-operator-velero');
    expect(velero.metadata.namespace).toBe('backup-system');
    expect(grants(rulesOf(velero))).toEqual(
      [
        'velero.io/backups:create', 'velero.io/backups:delete', 'velero.io/backups:get', 'velero.io/backups:list',
        'velero.io/restores:create', 'velero.io/restores:delete', 'velero.io/restores:get',
      ].sort(),
    );
    expect(find(custom, 'RoleBinding', 'fleet-operator-velero').metadata.namespace).toBe('backup-system');
    const leader = find(custom, 'Role', 'fleet-operator-leader-election');
    expect(leader.metadata.namespace).toBe('fleet-system');
    expect(grants(rulesOf(leader)).filter(g => !g.endsWith('[fleet-operator-leader]'))).toEqual(['coordination.k8s.io/leases:create']);
  });

  it('renders one ClusterRole per RBAC profile, named for the operator to bind', async () => {
    expect(find(defaults, 'ClusterRole', 'fleet-operator-profile-readonly')).toBeDefined();
    const maintenance = grants(rulesOf(find(defaults, 'ClusterRole', 'fleet-operator-profile-maintenance')));
    expect(maintenance).toContain('apps/deployments/scale:update');
    expect(maintenance).not.toContain('core/pods/exec:create');
    const env = containerOf(find(defaults, 'Deployment', 'fleet-operator')).env;
    expect(env).toContainEqual({ name: 'FLEET_OPERATOR_PROFILE_CLUSTERROLE_PREFIX', value: 'fleet-operator-profile-' });

    const custom = await helmTemplate({
      release: 'ops',
      set: { 'rbacProfiles.backup[0].apiGroups[0]': '', 'rbacProfiles.backup[0].resources[0]': 'pods', 'rbacProfiles.backup[0].verbs[0]': 'get' },
    });
    expect(find(custom, 'ClusterRole', 'ops-fleet-operator-profile-backup').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
    ]);
    const bind = rulesOf(find(custom, 'ClusterRole', 'ops-fleet-operator')).find(r => r.verbs.includes('bind'));
    expect(bind?.resourceNames).toEqual([
      'ops-fleet-operator-profile-backup',
      'ops-fleet-operator-profile-maintenance',
      'ops-fleet-operator-profile-readonly',
    ]);
  });

  describe('admission webhook', () => {
    const contract = [
      { name: 'operations.ops.vworkspace.io', path: '/validate-ops-vworkspace-io-v1alpha1-operation', group: 'ops.vworkspace.io', resource: 'operations' },
      {
        name: 'applicationinstances.apps.vworkspace.io',
        path: '/validate-apps-vworkspace-io-v1alpha1-applicationinstance',
        group: 'apps.vworkspace.io',
        resource: 'applicationinstances',
      },
    ];

    it('routes both webhooks to the webhook Service with the contract paths and settings', () => {
      const service = find(defaults, 'Service', 'fleet-operator-webhook');
      expect((service.spec as { ports: unknown[] }).ports).toEqual([{ name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' }]);
      const vwc = find(defaults, 'ValidatingWebhookConfiguration', 'fleet-operator');
      const webhooks = vwc.webhooks as Array<Record<string, any>>;
      expect(webhooks.map(w => w.name)).toEqual(contract.map(c => c.name));
      for (const [i, c] of contract.entries()) {
        expect(webhooks[i]).toMatchObject({
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 10,
          clientConfig: { service: { name: 'fleet-operator-webhook', namespace: 'fleet-system', path: c.path, port: 443 } },
          rules: [{ apiGroups: [c.group], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: [c.resource] }],
        });
      }
    });

    it('without cert-manager, signs the serving certificate with the CA of the caBundle', () => {
      const vwc = find(defaults, 'ValidatingWebhookConfiguration', 'fleet-operator');
      const bundles = (vwc.webhooks as Array<{ clientConfig: { caBundle?: string } }>).map(w => w.clientConfig.caBundle);
      expect(bundles[0]).toBeTruthy();
      expect(bundles[1]).toBe(bundles[0]);
      const secret = find(defaults, 'Secret', 'fleet-operator-webhook-tls');
      expect(secret.type).toBe('kubernetes.io/tls');
      const data = secret.data as Record<string, string>;
      expect(data['ca.crt']).toBe(bundles[0]);
      const ca = new X509Certificate(Buffer.from(data['ca.crt'], 'base64'));
      const cert = new X509Certificate(Buffer.from(data['tls.crt'], 'base64'));
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.subjectAltName).toContain('DNS:fleet-operator-webhook.fleet-system.svc');
      expect(data['tls.key']).toBeTruthy();
    });

    it('with cert-manager, issues a Certificate into the same Secret and lets cert-manager inject the CA', async () => {
      const objects = await helmTemplate({ set: { 'webhook.certManager.enabled': true } });
      expect(objects.some(o => o.kind === 'Secret' && o.metadata.name === 'fleet-operator-webhook-tls')).toBe(false);
      const certificate = find(objects, 'Certificate', 'fleet-operator-webhook');
      expect(certificate.spec).toMatchObject({
        secretName: 'fleet-operator-webhook-tls',
        issuerRef: { name: 'fleet-operator-selfsigned', kind: 'Issuer' },
      });
      expect((certificate.spec as { dnsNames: string[] }).dnsNames).toContain('fleet-operator-webhook.fleet-system.svc');
      find(objects, 'Issuer', 'fleet-operator-selfsigned');
      const vwc = find(objects, 'ValidatingWebhookConfiguration', 'fleet-operator');
      expect(vwc.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'fleet-system/fleet-operator-webhook' });
      for (const w of vwc.webhooks as Array<{ clientConfig: Record<string, unknown> }>) expect(w.clientConfig).not.toHaveProperty('caBundle');

      const external = await helmTemplate({
        set: { 'webhook.certManager.enabled': true, 'webhook.certManager.issuerRef.name': 'corp-ca', 'webhook.certManager.issuerRef.kind': 'ClusterIssuer' },
      });
      expect(external.some(o => o.kind === 'Issuer')).toBe(false);
      expect(find(external, 'Certificate', 'fleet-operator-webhook').spec).toMatchObject({ issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } });
    });
  });

  it('serves metrics through a Service and, when asked, a ServiceMonitor', async () => {
    const service = find(defaults, 'Service', 'fleet-operator-metrics');
    expect((service.spec as { ports: Array<{ port: number }> }).ports[0].port).toBe(8080);
    expect(defaults.some(o => o.kind === 'ServiceMonitor')).toBe(false);
    const withMonitor = await helmTemplate({ set: { 'metrics.serviceMonitor.enabled': true } });
    const monitor = find(withMonitor, 'ServiceMonitor', 'fleet-operator');
    expect(monitor.spec).toMatchObject({ endpoints: [{ port: 'metrics', path: '/metrics' }] });
  });

  describe('Backstage access', () => {
    it('is off by default', () => {
      expect(defaults.some(o => o.metadata.name.startsWith('vworkspace-fleet-backstage'))).toBe(false);
    });

    it('creates a read-mostly account with a long-lived token Secret', async () => {
      const objects = await helmTemplate({ set: { 'backstageAccess.enabled': true } });
      find(objects, 'ServiceAccount', 'vworkspace-fleet-backstage');
      const token = find(objects, 'Secret', 'vworkspace-fleet-backstage-token');
      expect(token.type).toBe('kubernetes.io/service-account-token');
      expect(token.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'vworkspace-fleet-backstage' });
      const binding = find(objects, 'ClusterRoleBinding', 'vworkspace-fleet-backstage');
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vworkspace-fleet-backstage', namespace: 'fleet-system' }]);

      const access = grants(rulesOf(find(objects, 'ClusterRole', 'vworkspace-fleet-backstage')));
      const writes = access.filter(g => !/:(get|list|watch)$/.test(g));
      expect(writes).toEqual(['ops.vworkspace.io/operations:create', 'ops.vworkspace.io/operations:patch']);
      const read = (resource: string) => ['get', 'list', 'watch'].map(v => `${resource}:${v}`);
      expect(access).toEqual(
        [
          ...read('apps.vworkspace.io/applicationinstances'),
          ...read('ops.vworkspace.io/operations'),
          ...read('helm.toolkit.fluxcd.io/helmreleases'),
          ...read('source.toolkit.fluxcd.io/helmrepositories'),
          ...read('source.toolkit.fluxcd.io/ocirepositories'),
          ...read('argoproj.io/applications'),
          ...read('velero.io/backups'),
          ...read('velero.io/restores'),
          ...read('snapshot.storage.k8s.io/volumesnapshots'),
          ...read('core/events'),
          ...read('core/namespaces'),
          ...read('events.k8s.io/events'),
          ...writes,
        ].sort(),
      );
      expect(access.some(g => g.startsWith('core/secrets'))).toBe(false);
    });
  });

  describe('rejects bad values with a message naming the value', () => {
    it.each<{ name: string; set: Record<string, string | number>; message: RegExp }>([
      { name: 'a string replica count', set: { replicaCount: 'two' }, message: /replicaCount.*want integer/ },
      { name: 'an unknown key', set: { replicas: 2 }, message: /additional properties 'replicas' not allowed/ },
      { name: 'an unknown log level', set: { 'operator.logLevel': 'loud' }, message: /operator\/logLevel.*one of/ },
      { name: 'a wildcard profile verb', set: { 'rbacProfiles.admin[0].apiGroups[0]': '', 'rbacProfiles.admin[0].resources[0]': 'pods', 'rbacProfiles.admin[0].verbs[0]': '*' }, message: /rbacProfiles\/admin\/0\/verbs\/0/ },
      { name: 'a misspelt failure policy', set: { 'webhook.failurePolicy': 'fail' }, message: /webhook\/failurePolicy/ },
      { name: 'an unknown Pod Security level', set: { 'rbacProfilePodSecurity.maintenance': 'root' }, message: /rbacProfilePodSecurity\/maintenance/ },
      { name: 'a non-boolean engine switch', set: { 'velero.enabled': 'yes' }, message: /velero\/enabled/ },
    ])('$name', async ({ set, message }) => {
      await expect(helmTemplate({ set })).rejects.toThrow(message);
      const lint = await helm(['lint', chartDir, ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`])]);
      expect(lint.code).not.toBe(0);
    });
  });
});
