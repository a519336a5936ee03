import type { StatusCause } from '../server/StatusError';
import type { KubeObject } from '../types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function child(parent: Json, key: string): Json {
  if (!isObject(parent[key])) parent[key] = {};
  return parent[key] as Json;
}

/** Go's `%#v` of a map[string]string, keys sorted as fmt prints them. */
function goStringMap(map: Record<string, string>): string {
  const entries = Object.keys(map).sort().map(k => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
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
  const pod = child(child(spec, 'template'), 'spec');
  pod.restartPolicy ??= 'Always';
  pod.terminationGracePeriodSeconds ??= 30;
  pod.dnsPolicy ??= 'ClusterFirst';
  pod.schedulerName ??= 'default-scheduler';
  pod.securityContext ??= {};
}

/** A Deployment needs a selector that selects its own pod template. */
export function validateDeployment(deployment: KubeObject): StatusCause[] {
  const spec = (deployment.spec ?? {}) as { selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> } } };
  if (!spec.selector) return [{ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' }];
  const labels = spec.template?.metadata?.labels ?? {};
  const wanted = spec.selector.matchLabels ?? {};
  if (Object.entries(wanted).some(([k, v]) => labels[k] !== v)) {
    return [{ reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: `Invalid value: ${goStringMap(labels)}: \`selector\` does not match template \`labels\`` }];
  }
  return [];
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

/** A ClusterIP may not change once set (except to or from ExternalName). */
export function validateService(service: KubeObject, old: KubeObject | undefined): StatusCause[] {
  if (!old) return [];
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
