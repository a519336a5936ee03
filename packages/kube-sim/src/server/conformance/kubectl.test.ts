import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimCluster } from '../../cluster/SimCluster';
import { kubectlPath } from '../../testing/kubeTools';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const CRD = path.join(__dirname, '../../../crds/upstream/helm.toolkit.fluxcd.io_helmreleases.yaml');

const helmRelease = (interval: string, extra = '') => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: default
  labels: {team: a}
spec:
  interval: ${interval}
  chart:
    spec:
      chart: podinfo
      sourceRef: {kind: HelmRepository, name: podinfo}
${extra}`;

/** Lines a long-running kubectl prints, waited for by content. */
function lines(child: ChildProcess): (match: RegExp) => Promise<string> {
  let buffered = '';
  const waiters: Array<{ match: RegExp; resolve: (line: string) => void }> = [];
  const seen: string[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const line = seen.find(l => w.match.test(l));
      if (line !== undefined) {
        seen.splice(seen.indexOf(line), 1);
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    seen.push(...parts);
    check();
  });
  return match => new Promise(resolve => {
    waiters.push({ match, resolve });
    check();
  });
}

/** The exit code of a finished child process: 0 without an error, 1 when the error carries none. */
function exitCode(err: Error | null): number {
  if (!err) return 0;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : 1;
}

describe('the real kubectl against kube-sim', () => {
  let cluster: SimCluster;
  let dir: string;
  let base: string[];

  const kubectl = (args: string[], stdin = ''): Promise<Result> =>
    new Promise(resolve => {
      const child = execFile(kubectlPath(), [...base, ...args], { env: { PATH: process.env.PATH, HOME: dir } }, (err, stdout, stderr) => {
        resolve({ code: exitCode(err), stdout, stderr });
      });
      child.stdin!.end(stdin);
    });
  const spawnKubectl = (args: string[]) => spawn(kubectlPath(), [...base, ...args], { env: { PATH: process.env.PATH, HOME: dir } });
  const rvOf = async (resource: string) => (await kubectl(['get', resource, '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;

  beforeAll(async () => {
    // kubectl sends bearer tokens over TLS only.
    cluster = await SimCluster.start({ tls: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'kube-sim-kubectl-'));
    writeFileSync(path.join(dir, 'kubeconfig'), cluster.kubeConfig(), { mode: 0o600 });
    base = ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache')];
    const crd = await kubectl(['apply', '--server-side', '-f', CRD]);
    if (crd.code !== 0) throw new Error(crd.stderr);
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a CRD and a custom resource server-side with validation on', async () => {
    const result = await kubectl(['apply', '--server-side', '-f', '-'], helmRelease('5m'));
    expect(result).toMatchObject({ code: 0, stdout: 'helmrelease.helm.toolkit.fluxcd.io/podinfo serverside-applied\n' });
    expect((await kubectl(['get', 'crd', 'helmreleases.helm.toolkit.fluxcd.io', '-o', 'name'])).stdout).toBe(
      'customresourcedefinition.apiextensions.k8s.io/helmreleases.helm.toolkit.fluxcd.io\n',
    );
  });

  it('refuses an unknown field, as kubectl asks for strict field validation', async () => {
    const result = await kubectl(['apply', '--server-side', '-f', '-'], helmRelease('5m', '  foo: bar\n'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('strict decoding error: unknown field "spec.foo"');
  });

  it('warns about an unknown field with --validate=warn and stores the object without it', async () => {
    const doc = helmRelease('5m', '  foo: bar\n').replace('name: podinfo', 'name: warned');
    const result = await kubectl(['create', '--validate=warn', '-f', '-'], doc);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Warning: unknown field "spec.foo"');
    expect((await kubectl(['get', 'helmrelease', 'warned', '-o', 'jsonpath={.spec}'])).stdout).not.toContain('foo');
  });

  it('treats a second identical apply as a no-op', async () => {
    const before = await rvOf('helmrelease/podinfo');
    const result = await kubectl(['apply', '--server-side', '-f', '-'], helmRelease('5m'));
    expect(result.code).toBe(0);
    expect(await rvOf('helmrelease/podinfo')).toBe(before);
  });

  it('refuses a conflicting apply by another field manager unless forced', async () => {
    const conflicting = await kubectl(['apply', '--server-side', '--field-manager', 'other', '-f', '-'], helmRelease('9m'));
    expect(conflicting.code).toBe(1);
    expect(conflicting.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.interval');
    const forced = await kubectl(['apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', '-'], helmRelease('9m'));
    expect(forced.code).toBe(0);
    expect((await kubectl(['get', 'hr', 'podinfo', '-o', 'jsonpath={.spec.interval}'])).stdout).toBe('9m');
  });

  it('gets objects as JSON', async () => {
    const result = await kubectl(['get', 'helmreleases', '-o', 'json']);
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('podinfo');
  });

  it('filters by label and field selectors', async () => {
    await kubectl(['create', 'configmap', 'sel-a', '--from-literal=k=v']);
    await kubectl(['create', 'configmap', 'sel-b', '--from-literal=k=v']);
    await kubectl(['label', 'configmap', 'sel-a', 'pick=yes']);
    expect((await kubectl(['get', 'configmaps', '-l', 'pick=yes', '-o', 'name'])).stdout).toBe('configmap/sel-a\n');
    expect((await kubectl(['get', 'configmaps', '--field-selector', 'metadata.name=sel-b', '-o', 'name'])).stdout).toBe('configmap/sel-b\n');
  });

  it('watches ADDED, MODIFIED and DELETED events', async () => {
    const watch = spawnKubectl(['get', 'configmaps', '-w', '--output-watch-events', '-l', 'watched=yes']);
    const next = lines(watch);
    try {
      // Whether w1 arrives in the initial list or as a watch event, kubectl prints it as ADDED.
      await kubectl(['apply', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w1, namespace: default, labels: {watched: "yes"}}\ndata: {a: b}\n');
      expect(await next(/\bw1\b/)).toMatch(/^ADDED\s+w1/);
      await kubectl(['patch', 'configmap', 'w1', '--type', 'merge', '-p', '{"data":{"a":"c"}}']);
      expect(await next(/\bw1\b/)).toMatch(/^MODIFIED\s+w1/);
      await kubectl(['delete', 'configmap', 'w1']);
      expect(await next(/\bw1\b/)).toMatch(/^DELETED\s+w1/);
    } finally {
      watch.kill();
    }
  });

  it('patches with merge and JSON patches', async () => {
    const merge = await kubectl(['patch', 'hr', 'podinfo', '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    expect(merge).toMatchObject({ code: 0, stdout: 'helmrelease.helm.toolkit.fluxcd.io/podinfo patched\n' });
    const json = await kubectl(['patch', 'hr', 'podinfo', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/interval","value":"7m"}]']);
    expect(json.code).toBe(0);
    expect((await kubectl(['get', 'hr', 'podinfo', '-o', 'jsonpath={.spec.suspend} {.spec.interval}'])).stdout).toBe('true 7m');
  });

  it('patches the status subresource', async () => {
    const result = await kubectl(['patch', 'hr', 'podinfo', '--subresource', 'status', '--type', 'merge', '-p', '{"status":{"observedGeneration":42}}']);
    expect(result.code).toBe(0);
    expect((await kubectl(['get', 'hr', 'podinfo', '-o', 'jsonpath={.status.observedGeneration}'])).stdout).toBe('42');
  });

  it('deletes without waiting, leaving a finalized object marked for deletion', async () => {
    await kubectl(['apply', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: default, finalizers: [example.com/hold]}\n');
    const result = await kubectl(['delete', 'configmap', 'held', '--wait=false']);
    expect(result.code).toBe(0);
    expect((await kubectl(['get', 'configmap', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('waits for finalizers on delete', async () => {
    await kubectl(['apply', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: awaited, namespace: default, finalizers: [example.com/hold]}\n');
    const deleting = spawnKubectl(['delete', 'configmap', 'awaited']);
    let out = '';
    deleting.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>(resolve => deleting.on('exit', code => resolve(code)));
    let marked = '';
    while (!marked) marked = (await kubectl(['get', 'configmap', 'awaited', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout;
    // The finalizer holds the object, so kubectl is still waiting for it to go.
    expect(deleting.exitCode).toBeNull();
    await kubectl(['patch', 'configmap', 'awaited', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    expect(await exited).toBe(0);
    expect(out).toContain('configmap "awaited" deleted');
    expect((await kubectl(['get', 'configmap', 'awaited'])).stderr).toContain('NotFound');
  });

  it('creates a namespace, which kubectl sends as protobuf', async () => {
    const result = await kubectl(['create', 'namespace', 'from-kubectl']);
    expect(result).toMatchObject({ code: 0, stdout: 'namespace/from-kubectl created\n' });
    expect((await kubectl(['get', 'namespace', 'from-kubectl', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Active');
  });

  it('creates a configmap from literals, also sent as protobuf', async () => {
    const result = await kubectl(['create', 'configmap', 'literal', '--from-literal=greeting=hello', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).data).toEqual({ greeting: 'hello' });
  });

  it('explains a custom resource field from the OpenAPI v3 document', async () => {
    const result = await kubectl(['explain', 'helmrelease.spec.chart']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('KIND:       HelmRelease');
    expect(result.stdout).toContain('FIELD: chart <Object>');
    expect(result.stdout).toMatch(/spec\s+<Object> -required-/);
  });

  it('answers auth can-i through access reviews', async () => {
    const result = await kubectl(['auth', 'can-i', 'create', 'helmreleases']);
    expect(result).toMatchObject({ code: 0, stdout: 'yes\n' });
  });

  it('lists API resources and versions from discovery', async () => {
    const resources = await kubectl(['api-resources']);
    expect(resources.code).toBe(0);
    expect(resources.stdout).toMatch(/helmreleases\s+hr\s+helm\.toolkit\.fluxcd\.io\/v2\s+true\s+HelmRelease/);
    const versions = await kubectl(['api-versions']);
    expect(versions.stdout.split('\n')).toEqual(expect.arrayContaining(['helm.toolkit.fluxcd.io/v2', 'apps/v1', 'v1']));
  });
  // pkg/registry/core/serviceaccount/storage/token.go: the TokenRequest API behind `kubectl create token`.
  it('issues a bound token with kubectl create token, which then authenticates as the ServiceAccount', async () => {
    expect(await kubectl(['create', 'serviceaccount', 'reader', '-n', 'default'])).toMatchObject({ code: 0 });
    const created = await kubectl(['create', 'token', 'reader', '-n', 'default', '--duration', '20m']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: 'system:serviceaccount:default:reader', aud: ['https://kubernetes.default.svc.cluster.local'] });
    expect(claims.exp - claims.iat).toBe(1200);
    // The token authenticates: RBAC then names the ServiceAccount, which has no grants.
    const asReader = await kubectl(['get', 'configmaps', '-n', 'default', '--token', token]);
    expect(asReader.stderr).toContain('User "system:serviceaccount:default:reader" cannot list resource "configmaps"');

    const short = await kubectl(['create', 'token', 'reader', '-n', 'default', '--duration', '5m']);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    const missing = await kubectl(['create', 'token', 'nobody', '-n', 'default']);
    expect(missing.stderr).toContain('serviceaccounts "nobody" not found');
  });

  // pkg/apis/batch/validation: what a user meets with `kubectl create job`.
  it('creates a Job with the generated selector, and refuses a changed template', async () => {
    const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: default}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: migrate, image: "busybox:1.36", command: ["true"]}]\n';
    expect(await kubectl(['create', '-f', '-'], job)).toMatchObject({ stderr: '', code: 0 });
    const selector = await kubectl(['get', 'job', 'migrate', '-o', 'jsonpath={.spec.selector.matchLabels}']);
    expect(JSON.parse(selector.stdout)).toEqual({ 'batch.kubernetes.io/controller-uid': expect.any(String) });
    const changed = await kubectl(['set', 'image', 'job/migrate', 'migrate=busybox:1.37']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('spec.template: Invalid value:');
    expect(changed.stderr).toContain('field is immutable');
  });

  it('selects namespaces by kubernetes.io/metadata.name', async () => {
    const result = await kubectl(['get', 'namespaces', '-l', 'kubernetes.io/metadata.name=kube-system', '-o', 'name']);
    expect(result.stdout).toBe('namespace/kube-system\n');
  });
  // apiextensions-apiserver/pkg/registry/customresource/tableconvertor: kubectl get prints the CRD's columns.
  it('answers kubectl get with the CRD\'s printer columns, for lists, single objects and watches', async () => {
    await kubectl(['apply', '--server-side', '-f', '-'], helmRelease('5m').replace('name: podinfo', 'name: columns'));
    const statusPatch = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
    expect((await kubectl(['patch', 'hr', 'columns', '--subresource', 'status', '--type', 'merge', '-p', statusPatch])).code).toBe(0);
    const list = await kubectl(['get', 'hr', 'columns']);
    const [header, row] = list.stdout.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'AGE', 'READY', 'STATUS']);
    expect(row.split(/\s{2,}/)).toEqual(['columns', expect.stringMatching(/^\d+s$/), 'True', 'Helm install succeeded']);
    const wide = await kubectl(['get', 'hr', '-o', 'wide']);
    expect(wide.stdout).toContain('Helm install succeeded');

    const watch = spawnKubectl(['get', 'hr', 'columns', '-w']);
    const next = lines(watch);
    try {
      expect(await next(/\bcolumns\b/)).toMatch(/^columns\s+\d+s\s+True\s+Helm install succeeded/);
    } finally {
      watch.kill();
    }
  });
});
