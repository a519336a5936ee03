import type { ChartFailureFixture, ChartFixture, ChartRepositoryFixture, ChartVersionFixture, HookFixture } from './chartFixture';

/** A chart fixture that does not follow the format; the message names the file and the field. @public */
export class ChartFixtureError extends Error {
  constructor(source: string, path: string, problem: string) {
    super(`${source}: ${path}: ${problem}`);
    this.name = 'ChartFixtureError';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const HOOK_EVENTS = new Set([
  'pre-install', 'post-install', 'pre-upgrade', 'post-upgrade', 'pre-delete', 'post-delete',
  'pre-rollback', 'post-rollback', 'test', 'test-success',
]);
const DELETE_POLICIES = new Set(['before-hook-creation', 'hook-succeeded', 'hook-failed']);

/** Validates one parsed fixture document, throwing {@link ChartFixtureError} on the first problem. */
export function parseChartFixture(doc: unknown, source: string): ChartFixture {
  const fail = (path: string, problem: string): never => {
    throw new ChartFixtureError(source, path, problem);
  };
  const str = (o: Json, key: string, path: string, optional = false): string | undefined => {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v === '') return fail(`${path}${key}`, 'must be a non-empty string');
    return v;
  };
  const strings = (o: Json, key: string, path: string): string[] => {
    const v = o[key] ?? [];
    if (!Array.isArray(v) || v.some(s => typeof s !== 'string')) return fail(`${path}${key}`, 'must be a list of strings');
    return v as string[];
  };
  const hook = (v: unknown, path: string): HookFixture => {
    if (!isObject(v)) return fail(path, 'must be a mapping');
    const events = strings(v, 'events', `${path}.`);
    if (events.length === 0) fail(`${path}.events`, 'must name at least one hook event');
    for (const e of events) if (!HOOK_EVENTS.has(e)) fail(`${path}.events`, `unknown hook event '${e}'`);
    const deletePolicies = strings(v, 'deletePolicies', `${path}.`);
    for (const p of deletePolicies) if (!DELETE_POLICIES.has(p)) fail(`${path}.deletePolicies`, `unknown delete policy '${p}'`);
    const weight = v.weight ?? 0;
    if (typeof weight !== 'number' || !Number.isInteger(weight)) fail(`${path}.weight`, 'must be an integer');
    const manifest = v.manifest;
    if (!isObject(manifest) || typeof manifest.kind !== 'string' || typeof manifest.apiVersion !== 'string') {
      fail(`${path}.manifest`, 'must be a Kubernetes object with apiVersion and kind');
    }
    return {
      name: str(v, 'name', `${path}.`)!,
      kind: str(v, 'kind', `${path}.`)!,
      path: str(v, 'path', `${path}.`)!,
      events,
      weight: weight as number,
      deletePolicies,
      manifest: manifest as Json,
    };
  };
  const failure = (v: unknown, path: string): ChartFailureFixture | undefined => {
    if (v === undefined) return undefined;
    if (!isObject(v)) return fail(path, 'must be a mapping');
    for (const key of Object.keys(v)) {
      if (!['install', 'upgrade', 'hook', 'test'].includes(key)) fail(`${path}.${key}`, 'unknown failure mark (install, upgrade, hook, test)');
    }
    return {
      install: str(v, 'install', `${path}.`, true),
      upgrade: str(v, 'upgrade', `${path}.`, true),
      hook: str(v, 'hook', `${path}.`, true),
      test: str(v, 'test', `${path}.`, true),
    };
  };

  if (!isObject(doc)) return fail('(root)', 'must be a mapping');
  const known = ['name', 'description', 'home', 'icon', 'sources', 'keywords', 'repositories', 'notes', 'objects', 'tests', 'versions', 'definitions'];
  for (const key of Object.keys(doc)) if (!known.includes(key)) fail(key, `unknown field (one of ${known.join(', ')})`);
  const name = str(doc, 'name', '')!;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) fail('name', `'${name}' is not a valid chart name`);

  const repositories = doc.repositories;
  if (!Array.isArray(repositories) || repositories.length === 0) fail('repositories', 'must list at least one repository');
  const repos: ChartRepositoryFixture[] = (repositories as unknown[]).map((r, i) => {
    const path = `repositories[${i}]`;
    if (!isObject(r)) return fail(path, 'must be a mapping');
    const url = str(r, 'url', `${path}.`)!;
    if (r.type === 'helm' && !/^https?:\/\//.test(url)) fail(`${path}.url`, 'a helm repository URL starts with http:// or https://');
    if (r.type === 'oci' && !url.startsWith('oci://')) fail(`${path}.url`, 'an OCI repository URL starts with oci://');
    if (r.type !== 'helm' && r.type !== 'oci') fail(`${path}.type`, "must be 'helm' or 'oci'");
    return { type: r.type as 'helm' | 'oci', url };
  });

  const objects = doc.objects ?? [];
  if (!Array.isArray(objects)) return fail('objects', 'must be a list');
  objects.forEach((o, i) => {
    if (!isObject(o) || typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || !isObject(o.metadata) || typeof o.metadata.name !== 'string') {
      fail(`objects[${i}]`, 'must be a Kubernetes object with apiVersion, kind and metadata.name');
    }
  });
  const kinds = new Set((objects as Json[]).map(o => o.kind));
  if (!kinds.has('ConfigMap') || !kinds.has('PersistentVolumeClaim')) fail('objects', 'must include at least a ConfigMap and a PersistentVolumeClaim');

  const tests = doc.tests ?? [];
  if (!Array.isArray(tests)) return fail('tests', 'must be a list');

  const versions = doc.versions;
  if (!Array.isArray(versions) || versions.length === 0) fail('versions', 'must list at least one version');
  const seen = new Set<string>();
  const parsedVersions: ChartVersionFixture[] = (versions as unknown[]).map((v, i) => {
    const path = `versions[${i}]`;
    if (!isObject(v)) return fail(path, 'must be a mapping');
    const version = typeof v.version === 'string' ? v.version : fail(`${path}.version`, 'must be a string (quote numbers)');
    if (!SEMVER.test(version)) fail(`${path}.version`, `'${version}' is not a semantic version`);
    if (seen.has(version)) fail(`${path}.version`, `duplicate version '${version}'`);
    seen.add(version);
    if (typeof v.appVersion !== 'string') fail(`${path}.appVersion`, 'must be a string (quote numbers)');
    if (v.values !== undefined && !isObject(v.values)) fail(`${path}.values`, 'must be a mapping');
    const hooks = v.hooks ?? [];
    if (!Array.isArray(hooks)) return fail(`${path}.hooks`, 'must be a list');
    return {
      version,
      appVersion: v.appVersion as string,
      images: strings(v, 'images', `${path}.`),
      values: structuredClone((v.values as Json | undefined) ?? {}),
      hooks: hooks.map((h, j) => hook(h, `${path}.hooks[${j}]`)),
      fail: failure(v.fail, `${path}.fail`),
    };
  });

  return {
    name,
    description: str(doc, 'description', '')!,
    home: str(doc, 'home', '', true),
    icon: str(doc, 'icon', '', true),
    sources: strings(doc, 'sources', ''),
    keywords: strings(doc, 'keywords', ''),
    repositories: repos,
    notes: str(doc, 'notes', '', true),
    objects: structuredClone(objects as Json[]),
    tests: tests.map((t, j) => hook(t, `tests[${j}]`)),
    versions: parsedVersions,
  };
}
