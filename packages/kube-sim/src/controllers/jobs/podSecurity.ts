import type { KubeObject } from '../../types';

/**
 * The Pod Security Standards as the PodSecurity admission plugin enforces them on pods
 * (k8s.io/pod-security-admission/policy, checks in ID order), for the checks a Job's pod template
 * commonly meets. A Job itself is admitted; its pods are refused, which the Job controller
 * reports as FailedCreate events.
 */

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

type Json = Record<string, unknown>;

interface Container {
  name?: string;
  ports?: Array<{ hostPort?: number }>;
  securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { add?: string[]; drop?: string[] };
    seccompProfile?: { type?: string };
  };
}

interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  containers?: Container[];
  initContainers?: Container[];
  volumes?: Json[];
}

const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** The level and version a namespace enforces, from its labels; undefined when privileged. */
export function enforcedLevel(namespace: KubeObject | undefined): { level: PodSecurityLevel; version: string } | undefined {
  const labels = namespace?.metadata.labels ?? {};
  const level = labels[ENFORCE_LABEL];
  if (level !== 'baseline' && level !== 'restricted') return undefined;
  return { level, version: labels[ENFORCE_VERSION_LABEL] || 'latest' };
}

/** `container "a"` or `containers "a", "b"`, as the checks name them. */
function named(containers: Container[]): string {
  const names = containers.map(c => JSON.stringify(c.name ?? ''));
  return `${names.length === 1 ? 'container' : 'containers'} ${names.join(', ')}`;
}

/** What a pod spec violates at a level, worded as the admission plugin words it; empty when allowed. */
export function podSecurityViolations(level: PodSecurityLevel, spec: PodSpec): string[] {
  if (level === 'privileged') return [];
  const restricted = level === 'restricted';
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const out: string[] = [];
  const where = (test: (c: Container) => boolean) => containers.filter(test);

  if (restricted) {
    const escalating = where(c => c.securityContext?.allowPrivilegeEscalation !== false);
    if (escalating.length) out.push(`allowPrivilegeEscalation != false (${named(escalating)} must set securityContext.allowPrivilegeEscalation=false)`);
  }
  const added = containers.flatMap(c => (c.securityContext?.capabilities?.add ?? []).filter(cap => !BASELINE_CAPABILITIES.has(cap)).map(cap => ({ c, cap })));
  // The restricted checks override the baseline ones for capabilities and volumes.
  if (added.length && !restricted) {
    const caps = [...new Set(added.map(a => JSON.stringify(a.cap)))].join(', ');
    out.push(`non-default capabilities (${named([...new Set(added.map(a => a.c))])} must not include ${caps} in securityContext.capabilities.add)`);
  }
  if (restricted) {
    const undropped = where(c => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
    const extra = where(c => (c.securityContext?.capabilities?.add ?? []).some(cap => cap !== 'NET_BIND_SERVICE'));
    const parts: string[] = [];
    if (undropped.length) parts.push(`${named(undropped)} must set securityContext.capabilities.drop=["ALL"]`);
    if (extra.length) parts.push(`${named(extra)} must not include ${[...new Set(extra.flatMap(c => (c.securityContext?.capabilities?.add ?? []).filter(cap => cap !== 'NET_BIND_SERVICE')))].map(c => JSON.stringify(c)).join(', ')} in securityContext.capabilities.add`);
    if (parts.length) out.push(`unrestricted capabilities (${parts.join('; ')})`);
  }
  const hostNamespaces = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter(k => spec[k] === true).map(k => `${k}=true`);
  if (hostNamespaces.length) out.push(`host namespaces (${hostNamespaces.join(', ')})`);
  const hostPaths = (spec.volumes ?? []).filter(v => v.hostPath !== undefined).map(v => JSON.stringify(v.name ?? ''));
  if (hostPaths.length && !restricted) out.push(`hostPath ${hostPaths.length === 1 ? 'volume' : 'volumes'} (${hostPaths.join(', ')})`);
  const hostPorts = containers.flatMap(c => (c.ports ?? []).filter(p => p.hostPort).map(p => ({ c, port: p.hostPort })));
  if (hostPorts.length) out.push(`hostPort (${hostPorts.map(h => `${named([h.c])} uses hostPort ${h.port}`).join(', ')})`);
  const privileged = where(c => c.securityContext?.privileged === true);
  if (privileged.length) out.push(`privileged (${named(privileged)} must not set securityContext.privileged=true)`);
  if (restricted) {
    const volumes = (spec.volumes ?? []).flatMap(v => Object.keys(v).filter(k => k !== 'name' && !RESTRICTED_VOLUMES.has(k)).map(type => ({ name: v.name, type })));
    if (volumes.length) {
      out.push(`restricted volume types (${volumes.map(v => `volume ${JSON.stringify(v.name ?? '')} uses restricted volume type ${JSON.stringify(v.type)}`).join(', ')})`);
    }
    const podNonRoot = spec.securityContext?.runAsNonRoot;
    if (podNonRoot === false) out.push('runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)');
    else {
      const unset = where(c => c.securityContext?.runAsNonRoot === undefined && podNonRoot !== true);
      const falsy = where(c => c.securityContext?.runAsNonRoot === false);
      const parts: string[] = [];
      if (falsy.length) parts.push(`${named(falsy)} must not set securityContext.runAsNonRoot=false`);
      if (unset.length) parts.push(`pod or ${named(unset)} must set securityContext.runAsNonRoot=true`);
      if (parts.length) out.push(`runAsNonRoot != true (${parts.join('; ')})`);
    }
    const root = where(c => c.securityContext?.runAsUser === 0);
    if (spec.securityContext?.runAsUser === 0) out.push('runAsUser=0 (pod must not set runAsUser=0)');
    else if (root.length) out.push(`runAsUser=0 (${named(root)} must not set runAsUser=0)`);
    const allowed = (type?: string) => type === 'RuntimeDefault' || type === 'Localhost';
    const podSeccomp = spec.securityContext?.seccompProfile?.type;
    const noSeccomp = where(c => !allowed(c.securityContext?.seccompProfile?.type ?? podSeccomp));
    if (noSeccomp.length) out.push(`seccompProfile (pod or ${named(noSeccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`);
  }
  return out;
}

/** The reason a pod is refused, as its FailedCreate event quotes it; undefined when allowed. */
export function podSecurityRefusal(namespace: KubeObject | undefined, podName: string, spec: PodSpec): string | undefined {
  const enforced = enforcedLevel(namespace);
  if (!enforced) return undefined;
  const violations = podSecurityViolations(enforced.level, spec);
  if (violations.length === 0) return undefined;
  return `pods "${podName}" is forbidden: violates PodSecurity "${enforced.level}:${enforced.version}": ${violations.join(', ')}`;
}
