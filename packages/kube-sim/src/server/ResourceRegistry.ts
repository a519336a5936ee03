import type { JSONSchemaProps } from '../schema/types';
import type { KubeObject } from '../types';
import { PrinterColumn, ResourceType, ResourceVersion, versionOf } from './ResourceType';

/** Served resources by group, version and plural; custom resources come and go with their CRDs. */
export class ResourceRegistry {
  private readonly byGroup = new Map<string, Map<string, ResourceType>>();

  constructor(builtins: ResourceType[]) {
    for (const type of builtins) this.add(type);
  }

  add(type: ResourceType): void {
    let group = this.byGroup.get(type.group);
    if (!group) {
      group = new Map();
      this.byGroup.set(type.group, group);
    }
    group.set(type.plural, type);
  }

  remove(group: string, plural: string): void {
    const resources = this.byGroup.get(group);
    resources?.delete(plural);
    if (resources?.size === 0) this.byGroup.delete(group);
  }

  /** The resource served at `group/version/plural`, with that version's details. */
  lookup(group: string, version: string, plural: string): { type: ResourceType; version: ResourceVersion } | undefined {
    const type = this.byGroup.get(group)?.get(plural);
    const served = type && versionOf(type, version);
    return served ? { type, version: served } : undefined;
  }

  byKind(apiVersion: string, kind: string): { type: ResourceType; version: ResourceVersion } | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    for (const type of this.byGroup.get(group)?.values() ?? []) {
      if (type.kind !== kind) continue;
      const served = versionOf(type, version);
      if (served) return { type, version: served };
    }
    return undefined;
  }

  groups(): Map<string, Map<string, ResourceType>> {
    return this.byGroup;
  }

  all(): ResourceType[] {
    return [...this.byGroup.values()].flatMap(g => [...g.values()]);
  }
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

/** The resource a CustomResourceDefinition declares; only served versions are included. */
export function resourceTypeFromCrd(crd: KubeObject): ResourceType {
  const spec = crd.spec as CrdSpec;
  return {
    group: spec.group,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    namespaced: spec.scope !== 'Cluster',
    shortNames: spec.names.shortNames,
    categories: spec.names.categories,
    versions: spec.versions
      .filter(v => v.served !== false)
      .map(v => ({
        name: v.name,
        storage: v.storage === true,
        schema: v.schema?.openAPIV3Schema,
        status: v.subresources?.status !== undefined,
        scale: v.subresources?.scale,
        printerColumns: v.additionalPrinterColumns,
      })),
    builtin: false,
    generation: true,
    allowUnconditionalUpdate: false,
    defaultPropagation: 'Background',
  };
}
