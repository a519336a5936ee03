import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ChartCatalog, SimCluster } from '@vworkspace/kube-sim';
import { KubeClient, KubeObject, ResourceKind } from '@vworkspace/kube-runtime';
import {
  applicationInstanceSchema,
  capabilityAnnotationFor,
  operationEngines,
  operationSchema,
  OperationType,
} from '@vworkspace/backstage-plugin-fleet-common';
import { crdSources } from '../controllers/applicationinstance/__testUtils__/operatorSim';
import { createWebhookServer, WebhookServer } from '../webhook';
import { selfSignedCertificate } from '../webhook/webhookCertificate';
import { typesOf } from './generateDocs';

jest.setTimeout(60_000);

/*
 * The manifests of docs/examples are what a new user copies: each is created on kube-sim (the
 * real CRDs validate it) through the operator's own admission webhook, registered from
 * docs/examples/setup/webhook-local.yaml, and checked against what the docs promise.
 */

const repositoryRoot = resolve(dirname(require.resolve('@vworkspace/fleet-operator/package.json')), '..');
const examples = join(repositoryRoot, 'docs', 'examples');

function manifestsIn(dir: string): Array<{ file: string; object: KubeObject }> {
  return readdirSync(join(examples, dir))
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .flatMap(file =>
      parseAllDocuments(readFileSync(join(examples, dir, file), 'utf8')).map(doc => ({ file, object: doc.toJS() as KubeObject })),
    );
}

const setup = manifestsIn('setup');
const instances = manifestsIn('instances');
const operations = manifestsIn('operations');

/** The REST coordinates of the kinds the examples hold. */
function kindOf(obj: KubeObject): ResourceKind {
  const plural = `${obj.kind!.toLowerCase()}${obj.kind!.endsWith('y') ? '' : 's'}`.replace(/ys$/, 'ies');
  const namespaced = !['Namespace', 'ClusterRole', 'ValidatingWebhookConfiguration'].includes(obj.kind!);
  return { apiVersion: obj.apiVersion!, kind: obj.kind!, plural, namespaced };
}

describe('example manifests on kube-sim, through the webhook', () => {
  let cluster: SimCluster;
  let client: KubeClient;
  let webhook: WebhookServer;

  beforeAll(async () => {
    cluster = await SimCluster.start({ tls: false, crds: crdSources });
    client = KubeClient.fromString(cluster.kubeConfig());
    const certDir = mkdtempSync(join(tmpdir(), 'webhook-cert-'));
    const certificate = selfSignedCertificate(['127.0.0.1']);
    writeFileSync(join(certDir, 'tls.crt'), certificate.cert);
    writeFileSync(join(certDir, 'tls.key'), certificate.key);
    webhook = await createWebhookServer({ bindAddress: '127.0.0.1:0', certDir });
    const address = await webhook.listen();
    for (const { file, object } of setup) {
      // what the docs tell the user to do with the local webhook registration
      const body = file === 'webhook-local.yaml' ? (JSON.parse(JSON.stringify(object).replaceAll('CA_BUNDLE', webhook.caBundle).replaceAll('127.0.0.1:9443', address)) as KubeObject) : object;
      await client.create(kindOf(body), body);
    }
  });

  afterAll(async () => {
    await webhook?.close();
    client?.close();
    await cluster?.stop();
  });

  it('registers the webhook the docs describe, and it answers', async () => {
    const bad = { ...operations[0].object, metadata: { name: 'refused', namespace: 'team-a' }, spec: { ...(operations[0].object.spec as object), engine: 'nonsense' } };
    await expect(client.create(kindOf(bad), bad)).rejects.toThrow();
    const badParameters = {
      apiVersion: 'ops.vworkspace.io/v1alpha1',
      kind: 'Operation',
      metadata: { name: 'refused-by-webhook', namespace: 'team-a' },
      spec: { type: 'RunCommand', engine: 'workflow', target: { applicationInstance: 'nextcloud' }, parameters: { workflowTemplate: 'app-maintenance' } },
    };
    await expect(client.create(kindOf(badParameters), badParameters)).rejects.toThrow(/admission webhook "operations\.ops\.vworkspace\.io" denied the request: .*engine workflow cannot run RunCommand/);
  });

  it.each(instances.map(i => [i.file, i.object] as const))('creates instance %s', async (_file, object) => {
    expect(() => applicationInstanceSchema.parse(object)).not.toThrow();
    await client.create(kindOf(object), object);
  });

  it.each(operations.map(o => [o.file, o.object] as const))('creates operation %s', async (_file, object) => {
    expect(() => operationSchema.parse(object)).not.toThrow();
    await client.create(kindOf(object), object);
  });
});

describe('what the examples promise', () => {
  const demoCatalog = ChartCatalog.load();

  it('has one operation example per operation type and engine that runs it, named <type>-<engine>.yaml', () => {
    const expected = operationEngines.flatMap(engine => typesOf(engine).map(type => `${type}-${engine}`.toLowerCase()));
    const found = operations.map(o => `${(o.object.spec as { type: string }).type}-${(o.object.spec as { engine: string }).engine}`.toLowerCase());
    expect([...new Set(found)].sort()).toEqual(expected.sort());
    for (const { file, object } of operations) {
      const spec = object.spec as { type: string; engine: string };
      expect(basename(file)).toMatch(new RegExp(`^${spec.type.toLowerCase()}-${spec.engine.toLowerCase()}(-[a-z-]+)?\\.yaml$`));
    }
  });

  it('targets an example instance whose capability annotation names the operation engine', () => {
    for (const { file, object } of operations) {
      const spec = object.spec as { type: OperationType; engine: string; target: { applicationInstance: string } };
      const target = instances.find(i => i.object.metadata?.name === spec.target.applicationInstance && i.object.metadata?.namespace === object.metadata?.namespace);
      expect({ file, target: target?.file }).toEqual({ file, target: expect.any(String) });
      expect({ file, engine: target!.object.metadata?.annotations?.[capabilityAnnotationFor(spec.type)] }).toEqual({ file, engine: spec.engine });
    }
  });

  it('covers every demo app, through Flux and Argo CD, from Helm repositories and OCI registries, at versions the demo catalog has', () => {
    const specs = instances.map(i => i.object.spec as { app: string; engine: string; chart: { name: string; version: string; repository: { url: string; type: string } } });
    expect(new Set(specs.filter(s => s.engine === 'flux').map(s => s.app))).toEqual(new Set(['nextcloud', 'gitea', 'mattermost', 'vaultwarden', 'immich']));
    for (const engine of ['flux', 'argocd']) {
      for (const type of ['helm', 'oci']) expect(specs.some(s => s.engine === engine && s.chart.repository.type === type)).toBe(true);
    }
    for (const spec of specs) {
      const chart = demoCatalog.chart(spec.chart.name, spec.chart.repository.url);
      expect({ chart: spec.chart.name, found: !!chart }).toEqual({ chart: spec.chart.name, found: true });
      expect(demoCatalog.resolveVersion(chart!, spec.chart.version)?.version).toBe(spec.chart.version);
    }
  });

  it('names the failing demo version in the failing-upgrade example', () => {
    const failing = operations.find(o => o.file === 'upgrade-helm-failing.yaml')!.object;
    const target = instances.find(i => i.object.metadata?.name === (failing.spec as { target: { applicationInstance: string } }).target.applicationInstance)!.object;
    const chart = demoCatalog.chart((target.spec as { chart: { name: string } }).chart.name)!;
    const version = chart.versions.find(v => v.version === (failing.spec as { parameters: { version: string } }).parameters.version);
    expect(version?.fail?.upgrade).toBeTruthy();
  });

  it('grants the readonly RBAC profile exactly what the Helm chart grants it', () => {
    const values = parse(readFileSync(join(repositoryRoot, 'operator', 'chart', 'values.yaml'), 'utf8')) as { rbacProfiles: Record<string, unknown> };
    const profile = setup.find(s => s.file === 'rbac-profile-readonly.yaml')!.object as KubeObject & { rules: unknown };
    expect(profile.rules).toEqual(values.rbacProfiles.readonly);
  });

  it('links only to files that exist', () => {
    const pages = ['README.md', ...readdirSync(join(repositoryRoot, 'docs'), { recursive: true, encoding: 'utf8' }).map(f => join('docs', f))].filter(f => f.endsWith('.md'));
    const broken = pages.flatMap(page =>
      [...readFileSync(join(repositoryRoot, page), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map(m => m[1])
        .filter(target => !/^[a-z]+:/.test(target) && !existsSync(join(repositoryRoot, dirname(page), target)))
        .map(target => `${page} → ${target}`),
    );
    expect(pages).toEqual(expect.arrayContaining(['README.md', join('docs', 'README.md'), join('docs', 'reference', 'engine-parameters.md')]));
    expect(broken).toEqual([]);
  });

  it('lists in capabilities.md the engines each capability annotation allows', () => {
    const page = readFileSync(join(repositoryRoot, 'docs', 'capabilities.md'), 'utf8');
    for (const type of ['Backup', 'Restore', 'Upgrade', 'Migration', 'RunCommand', 'Runbook'] as OperationType[]) {
      const row = page.split('\n').find(line => line.startsWith(`| \`${capabilityAnnotationFor(type)}\` | ${type} |`));
      const listed = [...(row?.split('|')[3] ?? '').matchAll(/`([a-zA-Z]+)`/g)].map(m => m[1]).sort();
      expect({ type, listed }).toEqual({ type, listed: operationEngines.filter(engine => typesOf(engine).includes(type)).sort() });
    }
  });
});
