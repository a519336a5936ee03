import type { ResourceRegistry } from './ResourceRegistry';
import type { ResourceType } from './ResourceType';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUB_VERBS = ['get', 'patch', 'update'];

/** What `/version` answers: kube-sim speaks the protocol of kube 1.31. @public */
export const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function versionsOf(types: ResourceType[]): string[] {
  const names = new Set<string>();
  for (const type of types) for (const v of type.versions) names.add(v.name);
  return [...names].sort(compareVersions);
}

const STABILITY_RANK: Record<string, number> = { ga: 0, beta: 1, alpha: 2 };

/** kube's version priority: GA before beta before alpha, higher numbers first. */
function compareVersions(a: string, b: string): number {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    return [STABILITY_RANK[m[2] ?? 'ga'], -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
  return a < b ? -1 : 1;
}

function preferredVersion(types: ResourceType[]): string {
  // CRDs list versions by priority; built-ins here have one version each.
  return versionsOf(types)[0];
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string, types: ResourceType[]) {
  const versions = versionsOf(types).map(version => ({ groupVersion: `${name}/${version}`, version }));
  const preferred = preferredVersion(types);
  return { name, versions, preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred } };
}

export function apiGroupList(registry: ResourceRegistry): object {
  const groups = [...registry.groups().entries()]
    .filter(([name]) => name !== '')
    .map(([name, types]) => groupEntry(name, [...types.values()]));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: ResourceRegistry, group: string): object | undefined {
  const types = registry.groups().get(group);
  if (!types || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, [...types.values()]) };
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const types = [...(registry.groups().get(group)?.values() ?? [])].filter(t => t.versions.some(v => v.name === version));
  if (types.length === 0) return undefined;
  const resources: object[] = [];
  for (const type of types.sort((a, b) => (a.plural < b.plural ? -1 : 1))) {
    const served = type.versions.find(v => v.name === version)!;
    resources.push({
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.review ? ['create'] : VERBS,
      ...(type.shortNames?.length ? { shortNames: type.shortNames } : {}),
      ...(type.categories?.length ? { categories: type.categories } : {}),
      storageVersionHash: Buffer.from(`${type.group}/${type.plural}`).toString('base64').slice(0, 11),
    });
    if (served.status) {
      resources.push({ name: `${type.plural}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: SUB_VERBS });
    }
    if (type.group === '' && type.plural === 'serviceaccounts') {
      resources.push({ name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    }
    if (served.scale) {
      resources.push({
        name: `${type.plural}/scale`, singularName: '', namespaced: type.namespaced,
        group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUB_VERBS,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
