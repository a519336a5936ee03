import type { ClusterApi } from '../../cluster/ClusterApi';
import { builtinResources } from '../../builtins/builtinResources';
import type { GroupVersionResource, KubeObject } from '../../types';

/** One kind the cluster serves, with the names Velero's filters may use for it. */
export interface CatalogEntry {
  gvr: GroupVersionResource;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** `plural`, `plural.group`, singular, lower-case kind and short names. */
  names: string[];
  /** `plural` or `plural.group`: how Velero names the resource in logs and priorities. */
  id: string;
}

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };

function entry(group: string, version: string, plural: string, singular: string, kind: string, namespaced: boolean, shortNames: string[] = []): CatalogEntry {
  const id = group ? `${plural}.${group}` : plural;
  const bare = [plural, singular, kind.toLowerCase(), ...shortNames];
  return {
    gvr: { group, version, resource: plural },
    apiVersion: group ? `${group}/${version}` : version,
    kind,
    namespaced,
    id,
    names: [...bare, ...(group ? bare.map(n => `${n}.${group}`) : [])],
  };
}

let builtins: CatalogEntry[] | undefined;

/** The kinds served right now: the built-ins and every installed CRD at its storage version (discovery, in short). */
export function resourceCatalog(api: ClusterApi): CatalogEntry[] {
  builtins ??= builtinResources().map(t => entry(t.group, t.versions[0].name, t.plural, t.singular, t.kind, t.namespaced, t.shortNames));
  const crds = api.list(CRDS).items.map((crd: KubeObject) => {
    const spec = crd.spec as {
      group: string;
      scope: string;
      names: { plural: string; singular?: string; kind: string; shortNames?: string[] };
      versions: Array<{ name: string; storage?: boolean }>;
    };
    const version = spec.versions.find(v => v.storage) ?? spec.versions[0];
    return entry(spec.group, version.name, spec.names.plural, spec.names.singular ?? spec.names.kind.toLowerCase(), spec.names.kind, spec.scope === 'Namespaced', spec.names.shortNames);
  });
  return [...builtins, ...crds];
}

/** The catalog entry of an object's apiVersion and kind. */
export function entryFor(catalog: CatalogEntry[], object: KubeObject): CatalogEntry | undefined {
  return catalog.find(e => e.apiVersion === object.apiVersion && e.kind === object.kind);
}
