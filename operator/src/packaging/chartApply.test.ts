import { SimCluster } from '@vworkspace/kube-sim';
import { stringify } from 'yaml';
import { find, helmTemplate, RenderedObject } from './__testUtils__/helmTemplate';
import { Kubectl } from './__testUtils__/kubectl';

jest.setTimeout(120_000);

/**
 * Kinds the chart renders that kube-sim does not serve (yet), so they cannot be applied here.
 * When kube-sim learns one, the test below fails and asks to remove it from this list.
 */
const NOT_SERVED_BY_KUBE_SIM = [
  // A CRD of the Prometheus Operator: absent from any cluster that does not run it.
  'monitoring.coreos.com/v1/ServiceMonitor',
];

const gvk = (o: { apiVersion: string; kind: string }) => `${o.apiVersion}/${o.kind}`;
const toYaml = (objects: RenderedObject[]) => objects.map(o => stringify(o)).join('---\n');
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) as RenderedObject;

describe('the rendered chart on a cluster', () => {
  let cluster: SimCluster;
  let kubectl: Kubectl;
  let objects: RenderedObject[];
  let served: Set<string>;
  let crdApplyStderr: string;

  beforeAll(async () => {
    // TLS on: kubectl does not send a bearer token over plain HTTP.
    cluster = await SimCluster.start();
    kubectl = new Kubectl(cluster.kubeConfig());
    objects = await helmTemplate({
      includeCrds: true,
      set: { 'backstageAccess.enabled': true, 'metrics.serviceMonitor.enabled': true, 'webhook.certManager.enabled': false },
    });
    // The CRDs first, as Helm does, so that discovery knows them afterwards.
    const crds = objects.filter(o => o.kind === 'CustomResourceDefinition');
    const applied = await kubectl.run(['apply', '--server-side', '--field-manager=helm', '--validate=false', '-f', '-'], toYaml(crds));
    crdApplyStderr = applied.stderr;
    const discovered = await kubectl.run(['get', '--raw', '/apis']);
    const groups = (JSON.parse(discovered.stdout) as { groups: Array<{ name: string; versions: Array<{ groupVersion: string }> }> }).groups;
    served = new Set<string>();
    const core = JSON.parse((await kubectl.run(['get', '--raw', '/api/v1'])).stdout) as { resources: Array<{ kind: string; name: string }> };
    for (const r of core.resources) if (!r.name.includes('/')) served.add(`v1/${r.kind}`);
    for (const g of groups) {
      for (const v of g.versions) {
        const list = JSON.parse((await kubectl.run(['get', '--raw', `/apis/${v.groupVersion}`])).stdout) as { resources: Array<{ kind: string; name: string }> };
        for (const r of list.resources) if (!r.name.includes('/')) served.add(`${v.groupVersion}/${r.kind}`);
      }
    }
  });

  afterAll(async () => {
    kubectl?.dispose();
    await cluster?.stop();
  });

  it('applies the CRDs without complaint', () => {
    expect(crdApplyStderr).toBe('');
  });

  it('installs the CRDs, served with their short names', async () => {
    const names = (await kubectl.run(['api-resources', '-o', 'name', '--api-group', 'ops.vworkspace.io'])).stdout.trim();
    expect(names).toBe('operations.ops.vworkspace.io');
    const got = await kubectl.run(['get', 'op', '-A']);
    expect(got.code).toBe(0);
  });

  it('names exactly the rendered kinds kube-sim cannot serve', () => {
    const rendered = [...new Set(objects.map(gvk))].sort();
    expect(rendered.filter(k => !served.has(k))).toEqual(NOT_SERVED_BY_KUBE_SIM);
  });

  it('accepts every served object through server-side apply with the real kubectl', async () => {
    const applicable = objects.filter(o => served.has(gvk(o)) && o.kind !== 'CustomResourceDefinition');
    expect(applicable.length).toBe(objects.filter(o => o.kind !== 'CustomResourceDefinition').length - NOT_SERVED_BY_KUBE_SIM.length);
    const manifest = toYaml([namespace('fleet-system'), namespace('velero'), ...applicable]);
    const result = await kubectl.run(['apply', '--server-side', '--field-manager=helm', '--validate=false', '-f', '-'], manifest);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const vwc = JSON.parse((await kubectl.run(['get', 'validatingwebhookconfiguration', 'fleet-operator', '-o', 'json'])).stdout);
    const rendered = find(objects, 'ValidatingWebhookConfiguration', 'fleet-operator');
    expect(vwc.webhooks.map((w: { clientConfig: unknown }) => w.clientConfig)).toEqual(
      (rendered.webhooks as Array<{ clientConfig: unknown }>).map(w => w.clientConfig),
    );
    const token = JSON.parse((await kubectl.run(['-n', 'fleet-system', 'get', 'secret', 'vworkspace-fleet-backstage-token', '-o', 'json'])).stdout);
    expect(token.type).toBe('kubernetes.io/service-account-token');

    // A second apply of the same manifest is a no-op: nothing conflicts with itself.
    const again = await kubectl.run(['apply', '--server-side', '--field-manager=helm', '--validate=false', '-f', '-'], manifest);
    expect(again.code).toBe(0);
  });
});

describe('a default install on a cluster without Velero', () => {
  let cluster: SimCluster;
  let kubectl: Kubectl;

  beforeAll(async () => {
    cluster = await SimCluster.start();
    kubectl = new Kubectl(cluster.kubeConfig());
  });

  afterAll(async () => {
    kubectl?.dispose();
    await cluster?.stop();
  });

  it('passes a server-side dry run: nothing is rendered into a velero namespace that does not exist', async () => {
    const objects = await helmTemplate({ includeCrds: true });
    const crds = objects.filter(o => o.kind === 'CustomResourceDefinition');
    expect((await kubectl.run(['apply', '--server-side', '--field-manager=helm', '--validate=false', '-f', '-'], toYaml(crds))).code).toBe(0);
    // As `helm install --create-namespace` does: the release namespace exists, nothing else is made.
    expect((await kubectl.run(['create', 'namespace', 'fleet-system'])).code).toBe(0);
    expect((await kubectl.run(['get', 'namespace', 'velero'])).stderr).toContain('not found');

    const rest = objects.filter(o => o.kind !== 'CustomResourceDefinition');
    const result = await kubectl.run(['apply', '--server-side', '--dry-run=server', '--field-manager=helm', '--validate=false', '-f', '-'], toYaml(rest));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('clusterrole.rbac.authorization.k8s.io/fleet-operator serverside-applied (server dry run)');
  });

  it('fails the same dry run when the Velero engine is enabled there, naming the namespace', async () => {
    const objects = await helmTemplate({ set: { 'velero.enabled': true } });
    const result = await kubectl.run(['apply', '--server-side', '--dry-run=server', '--field-manager=helm', '--validate=false', '-f', '-'], toYaml(objects));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('namespaces "velero" not found');
  });
});
