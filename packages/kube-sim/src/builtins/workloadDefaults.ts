import type { StatusCause } from '../server/StatusError';
import type { KubeObject } from '../types';
import { deepEqual } from '../server/patches';
import { fieldDuplicate, fieldImmutable, fieldInvalid, fieldNotSupported, fieldRequired, goStringMap, nonNegative } from '../validation/fieldErrors';
import { isDns1123Label } from '../validation/names';
import { defaultPodTemplate, validatePodTemplate } from './podTemplate';
import { isPlainObject } from '../schema/jsonValue';

type Json = Record<string, unknown>;

const hasEntries = (v: unknown) => isPlainObject(v) && Object.keys(v).length > 0;

function child(parent: Json, key: string): Json {
  if (!isPlainObject(parent[key])) parent[key] = {};
  return parent[key] as Json;
}

/** kube's apps/v1 defaults for a Deployment and its pod template, applied on every write. */
export function defaultDeployment(deployment: Json): void {
  const spec = child(deployment, 'spec');
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  const strategy = child(spec, 'strategy');
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    rolling.maxUnavailable ??= '25%';
    rolling.maxSurge ??= '25%';
  }
  defaultPodTemplate(child(spec, 'template'));
}

/**
 * `ValidateDeployment` / `ValidateDeploymentUpdate` of pkg/apis/apps/validation (apps/v1): a
 * non-empty selector that selects the pod template, the template itself (restartPolicy Always),
 * non-negative counts, and a selector that may not change.
 */
export function validateDeployment(deployment: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = (deployment.spec ?? {}) as { replicas?: number; selector?: Json; template?: Json };
  const causes: StatusCause[] = [];
  causes.push(...nonNegative('spec.replicas', spec.replicas));
  const selector = spec.selector;
  if (!selector) causes.push(fieldRequired('spec.selector'));
  else if (!hasEntries(selector.matchLabels) && !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0)) {
    causes.push(fieldInvalid('spec.selector', selector, 'empty selector is invalid for deployment'));
  } else {
    const labels = ((spec.template?.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
    const wanted = (selector.matchLabels ?? {}) as Record<string, string>;
    if (Object.entries(wanted).some(([k, v]) => labels[k] !== v)) {
      causes.push(fieldInvalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
    }
  }
  causes.push(...validatePodTemplate(spec.template, 'spec.template'));
  const restart = (spec.template?.spec as Json | undefined)?.restartPolicy;
  if (restart !== 'Always') causes.push(fieldNotSupported('spec.template.spec.restartPolicy', restart ?? '', ['Always']));
  if (old && !deepEqual(selector, (old.spec as Json | undefined)?.selector)) causes.push(fieldImmutable('spec.selector', selector ?? null));
  return causes;
}

/** Hands out ClusterIPs from kube's default service CIDR, 10.96.0.0/12. */
export class ClusterIpAllocator {
  private next = 10;

  allocate(): string {
    const n = this.next++;
    return `10.96.${(n >> 8) & 0xff}.${n & 0xff}`;
  }
}

function defaultServiceFields(service: Json): Json {
  const spec = child(service, 'spec');
  spec.type ??= 'ClusterIP';
  if (spec.type !== 'ExternalName') {
    spec.sessionAffinity ??= 'None';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  for (const port of Array.isArray(spec.ports) ? (spec.ports as Json[]) : []) {
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port;
  }
  return spec;
}

/** kube's Service defaults on create, with a ClusterIP assigned unless headless or ExternalName. */
export function createService(service: Json, ips: ClusterIpAllocator): void {
  const spec = defaultServiceFields(service);
  if (spec.type !== 'ExternalName') {
    if (!spec.clusterIP) spec.clusterIP = Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] ? spec.clusterIPs[0] : ips.allocate();
    spec.clusterIPs = [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  service.status = { loadBalancer: {} };
}

/** An update that leaves the ClusterIP out keeps it, as kube's Service strategy does. */
export function updateService(service: Json, old: KubeObject): void {
  const spec = defaultServiceFields(service);
  const before = (old.spec ?? {}) as Json;
  if (spec.type === 'ExternalName' || before.type === 'ExternalName') return;
  if (!spec.clusterIP) spec.clusterIP = before.clusterIP;
  if (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) spec.clusterIPs = spec.clusterIP === before.clusterIP ? before.clusterIPs : [spec.clusterIP];
  spec.ipFamilies ??= before.ipFamilies;
  spec.ipFamilyPolicy ??= before.ipFamilyPolicy;
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

/** `ValidateService`'s type and ports: named when there are several, unique names, valid numbers and protocols. */
function validateServicePorts(service: KubeObject): StatusCause[] {
  const spec = (service.spec ?? {}) as { type?: string; clusterIP?: string; ports?: Json[] };
  const causes: StatusCause[] = [];
  if (spec.type !== undefined && !SERVICE_TYPES.includes(spec.type)) causes.push(fieldNotSupported('spec.type', spec.type, SERVICE_TYPES));
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : [];
  if (ports.length === 0 && spec.clusterIP !== 'None' && spec.type !== 'ExternalName') causes.push(fieldRequired('spec.ports'));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const at = `spec.ports[${i}]`;
    const name = typeof port.name === 'string' ? port.name : '';
    if (ports.length > 1 && !name) causes.push(fieldRequired(`${at}.name`));
    else if (name) {
      for (const message of isDns1123Label(name)) causes.push(fieldInvalid(`${at}.name`, name, message));
      if (names.has(name)) causes.push(fieldDuplicate(`${at}.name`, name));
      names.add(name);
    }
    const number = typeof port.port === 'number' ? port.port : 0;
    if (number < 1 || number > 65535) causes.push(fieldInvalid(`${at}.port`, number, 'must be between 1 and 65535, inclusive'));
    if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol as string)) causes.push(fieldNotSupported(`${at}.protocol`, port.protocol ?? '', ['SCTP', 'TCP', 'UDP']));
  });
  return causes;
}

/** `ValidateService`, and a ClusterIP that may not change once set (except to or from ExternalName). */
export function validateService(service: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes = validateServicePorts(service);
  return causes.length > 0 || !old ? causes : validateClusterIpUpdate(service, old);
}

function validateClusterIpUpdate(service: KubeObject, old: KubeObject): StatusCause[] {
  const spec = (service.spec ?? {}) as { type?: string; clusterIP?: string; clusterIPs?: string[] };
  const before = (old.spec ?? {}) as { type?: string; clusterIP?: string; clusterIPs?: string[] };
  if (spec.type === 'ExternalName' || before.type === 'ExternalName' || !before.clusterIPs?.length) return [];
  const now = spec.clusterIPs ?? [];
  if (now[0] === before.clusterIPs[0] && spec.clusterIP === before.clusterIP) return [];
  const shown = now.length ? now : [spec.clusterIP ?? ''];
  return [{
    reason: 'FieldValueInvalid',
    field: 'spec.clusterIPs[0]',
    message: `Invalid value: []string{${shown.map(ip => JSON.stringify(ip)).join(', ')}}: may not change once set`,
  }];
}

/** NetworkPolicy policyTypes default from which directions the policy lists. */
export function defaultNetworkPolicy(policy: Json): void {
  const spec = child(policy, 'spec');
  if (spec.policyTypes === undefined) spec.policyTypes = spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}
