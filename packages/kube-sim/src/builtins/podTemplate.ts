import type { StatusCause } from '../server/StatusError';
import { fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired } from '../validation/fieldErrors';
import { validateAnnotations, validateLabels } from '../validation/objectMeta';
import { isDns1123Label, isDns1123Subdomain, isEnvVarName } from '../validation/names';
import { isPlainObject } from '../schema/jsonValue';

type Json = Record<string, unknown>;

const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);

function child(parent: Json, key: string): Json {
  if (!isPlainObject(parent[key])) parent[key] = {};
  return parent[key] as Json;
}

/** The tag Go's `parsers.ParseImageName` finds: `latest` when neither tag nor digest is given. */
function imageTag(image: string): string {
  if (image.includes('@')) return '';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : 'latest';
}

/** `SetDefaults_Container` and its ports' and env's defaults (pkg/apis/core/v1/defaults.go). */
function defaultContainer(container: Json): void {
  if (!container.imagePullPolicy) {
    container.imagePullPolicy = imageTag(typeof container.image === 'string' ? container.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  }
  container.terminationMessagePath ||= '/dev/termination-log';
  container.terminationMessagePolicy ||= 'File';
  container.resources ??= {};
  for (const port of objects(container.ports)) port.protocol ??= 'TCP';
  for (const env of objects(container.env)) {
    const fieldRef = isPlainObject(env.valueFrom) ? env.valueFrom.fieldRef : undefined;
    if (isPlainObject(fieldRef)) fieldRef.apiVersion ??= 'v1';
  }
}

/**
 * `SetDefaults_PodSpec` and the container defaults of pkg/apis/core/v1/defaults.go, as they
 * apply to every pod template (Job, Deployment) on each write.
 */
export function defaultPodTemplate(template: Json): void {
  const pod = child(template, 'spec');
  pod.restartPolicy ||= 'Always';
  pod.terminationGracePeriodSeconds ??= 30;
  pod.dnsPolicy ||= 'ClusterFirst';
  pod.schedulerName ||= 'default-scheduler';
  pod.securityContext ??= {};
  for (const container of [...objects(pod.containers), ...objects(pod.initContainers)]) defaultContainer(container);
}

/** A volume's or container's name: required, a DNS label, and not in `seen` (which it joins). */
function validateUniqueLabelName(value: unknown, field: string, seen: Set<string>): StatusCause[] {
  const name = typeof value === 'string' ? value : '';
  const causes: StatusCause[] = [];
  if (!name) causes.push(fieldRequired(field));
  else for (const message of isDns1123Label(name)) causes.push(fieldInvalid(field, name, message));
  if (name && seen.has(name)) causes.push(fieldDuplicate(field, name));
  seen.add(name);
  return causes;
}

function validateEnv(env: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  objects(env).forEach((variable, i) => {
    const at = `${path}[${i}]`;
    const name = typeof variable.name === 'string' ? variable.name : '';
    if (!name) causes.push(fieldRequired(`${at}.name`));
    else for (const message of isEnvVarName(name)) causes.push(fieldInvalid(`${at}.name`, name, message));
    if (isPlainObject(variable.valueFrom)) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter(k => variable.valueFrom && (variable.valueFrom as Json)[k] !== undefined);
      if (sources.length === 0) causes.push(fieldInvalid(`${at}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) causes.push(fieldInvalid(`${at}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (typeof variable.value === 'string' && variable.value !== '') {
        causes.push(fieldInvalid(`${at}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      }
    }
  });
  return causes;
}

function validateContainers(list: unknown, path: string, names: Set<string>, volumes: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  objects(list).forEach((container, i) => {
    const at = `${path}[${i}]`;
    causes.push(...validateUniqueLabelName(container.name, `${at}.name`, names));
    // An image is optional in a template: workload tooling may fill it in (core/v1 Container.image).
    objects(container.ports).forEach((port, p) => {
      const number = port.containerPort;
      if (number === undefined || number === 0) causes.push(fieldRequired(`${at}.ports[${p}].containerPort`));
      else if (typeof number === 'number' && (number < 1 || number > 65535)) {
        causes.push(fieldInvalid(`${at}.ports[${p}].containerPort`, number, 'must be between 1 and 65535, inclusive'));
      }
    });
    causes.push(...validateEnv(container.env, `${at}.env`));
    objects(container.volumeMounts).forEach((mount, m) => {
      const mountName = typeof mount.name === 'string' ? mount.name : '';
      if (!mountName) causes.push(fieldRequired(`${at}.volumeMounts[${m}].name`));
      else if (!volumes.has(mountName)) causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(mountName)}`, field: `${at}.volumeMounts[${m}].name` });
      if (!mount.mountPath) causes.push(fieldRequired(`${at}.volumeMounts[${m}].mountPath`));
    });
    const pull = container.imagePullPolicy;
    if (pull !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(pull as string)) {
      causes.push(fieldNotSupported(`${at}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
    }
  });
  return causes;
}

/**
 * `ValidatePodTemplateSpec` and the parts of `ValidatePodSpec` (pkg/apis/core/validation/validation.go)
 * a workload's author meets: template labels and annotations, volumes, containers (names, ports,
 * env, mounts, pull policy), restart and DNS policy, service account name. `path` is the
 * template's field path, e.g. `spec.template`.
 */
export function validatePodTemplate(template: unknown, path: string): StatusCause[] {
  const t = isPlainObject(template) ? template : {};
  const metadata = isPlainObject(t.metadata) ? t.metadata : {};
  const spec = isPlainObject(t.spec) ? t.spec : {};
  const specPath = `${path}.spec`;
  const causes: StatusCause[] = [
    ...validateLabels(metadata.labels, `${path}.labels`),
    ...validateAnnotations(metadata.annotations, `${path}.annotations`),
  ];
  const volumes = new Set<string>();
  objects(spec.volumes).forEach((volume, i) => {
    causes.push(...validateUniqueLabelName(volume.name, `${specPath}.volumes[${i}].name`, volumes));
  });
  const names = new Set<string>();
  if (objects(spec.containers).length === 0) causes.push(fieldRequired(`${specPath}.containers`));
  else causes.push(...validateContainers(spec.containers, `${specPath}.containers`, names, volumes));
  causes.push(...validateContainers(spec.initContainers, `${specPath}.initContainers`, names, volumes));
  const restart = spec.restartPolicy;
  if (!restart) causes.push(fieldRequired(`${specPath}.restartPolicy`));
  else if (!['Always', 'OnFailure', 'Never'].includes(restart as string)) causes.push(fieldNotSupported(`${specPath}.restartPolicy`, restart, ['Always', 'OnFailure', 'Never']));
  const dns = spec.dnsPolicy;
  if (dns && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(dns as string)) {
    causes.push(fieldNotSupported(`${specPath}.dnsPolicy`, dns, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  }
  causes.push(...validateLabels(spec.nodeSelector, `${specPath}.nodeSelector`));
  const account = spec.serviceAccountName;
  if (typeof account === 'string' && account) {
    for (const message of isDns1123Subdomain(account)) causes.push(fieldInvalid(`${specPath}.serviceAccountName`, account, message));
  }
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number' && (deadline < 1 || deadline > 2147483647)) {
    causes.push(fieldInvalid(`${specPath}.activeDeadlineSeconds`, deadline, 'must be between 1 and 2147483647, inclusive'));
  }
  return causes;
}
