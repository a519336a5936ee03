import { parseAllDocuments, stringify } from 'yaml';
import { applicationInstanceApiVersion, ResourceIssue, ResourceValidationError } from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeObject } from '@vworkspace/kube-runtime';
import {
  desiredObjects,
  DesiredObjectsOptions,
  fluxSourceKind,
  fluxSourceName,
  InstanceRef,
  validateInstance,
  ValidInstance,
} from '../controllers/applicationinstance';

/** @public */
export interface RenderOptions extends DesiredObjectsOptions {
  /** Namespace of manifests that name none. Default `default`. */
  namespace?: string;
}

/**
 * Reads ApplicationInstance manifests (multi-document YAML; `List` documents are unpacked),
 * validates them with the same schema as the controller, and returns the objects the
 * controller would apply for them, built by the same functions. A Flux source shared by
 * several instances appears once, listing all of them.
 *
 * Manifests of instances that were never created carry no uid: their children then have no
 * ownerReferences, as objects committed to Git for GitOps must not.
 *
 * Throws a {@link ResourceValidationError} naming every invalid manifest and field.
 * @public
 */
export function renderInstances(yamlText: string, options: RenderOptions = {}): KubeObject[] {
  const manifests: KubeObject[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubeObject | null;
    if (!value) continue;
    if (value.kind === 'List' || value.kind === 'ApplicationInstanceList') manifests.push(...((value.items as KubeObject[]) ?? []));
    else manifests.push(value);
  }
  const issues: ResourceIssue[] = [];
  const valid: ValidInstance[] = [];
  manifests.forEach((manifest, i) => {
    const where = `${manifest.kind ?? 'document'} ${manifest.metadata?.name ?? `#${i + 1}`}`;
    const withNamespace: KubeObject = {
      ...manifest,
      metadata: { ...manifest.metadata, namespace: manifest.metadata?.namespace ?? options.namespace ?? 'default' },
    };
    const other = otherKind(manifest);
    if (other) {
      issues.push({ path: where, message: other });
      return;
    }
    const result = validateInstance(withNamespace);
    if (result.valid) valid.push(result.instance);
    else issues.push(...result.issues.map(issue => ({ ...issue, path: `${where}: ${issue.path}` })));
  });
  if (issues.length) throw new ResourceValidationError('render input', issues);

  const users = new Map<string, InstanceRef[]>();
  const sourceKey = (i: ValidInstance) => `${i.ref.namespace}/${fluxSourceKind(i.spec.chart)}/${fluxSourceName(i.spec.chart)}`;
  for (const instance of valid) {
    if (instance.spec.engine !== 'flux') continue;
    const key = sourceKey(instance);
    users.set(key, [...(users.get(key) ?? []), instance.ref]);
  }
  const out: KubeObject[] = [];
  const seen = new Set<string>();
  for (const instance of valid) {
    const sharing = instance.spec.engine === 'flux' ? users.get(sourceKey(instance)) ?? [] : [];
    for (const obj of desiredObjects(instance, sharing, options)) {
      const id = `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(obj);
    }
  }
  return out;
}

/**
 * Why a manifest is not an ApplicationInstance at all, in one sentence, or undefined when it
 * is one: listing every field an Operation lacks would bury the actual mistake.
 */
function otherKind(manifest: KubeObject): string | undefined {
  const expected = `${applicationInstanceApiVersion} ApplicationInstance`;
  if (manifest.kind === 'ApplicationInstance' && manifest.apiVersion === applicationInstanceApiVersion) return undefined;
  if (typeof manifest !== 'object' || Array.isArray(manifest)) return `expected a Kubernetes manifest of ${expected}`;
  const got = manifest.kind ? `${manifest.apiVersion ?? '(no apiVersion)'} ${manifest.kind}` : 'a document without kind';
  const hint = manifest.kind === 'Operation' ? '; Operations run in the cluster and are not rendered' : '';
  return `render reads ${expected} manifests, not ${got}${hint}`;
}

/** Objects as a multi-document YAML stream. @public */
export function toYamlStream(objects: ReadonlyArray<KubeObject>): string {
  return objects.map(o => `---\n${stringify(o)}`).join('');
}
