import type { KubeObject } from '@vworkspace/kube-runtime';

/** The Pod Security Standards levels. @public */
export const podSecurityLevels = ['restricted', 'baseline', 'privileged'] as const;

/** A Pod Security Standards level. @public */
export type PodSecurityLevel = (typeof podSecurityLevels)[number];

/**
 * Annotation of an RBAC profile's ClusterRole naming the Pod Security level its engine pods run
 * under (the chart sets it from `rbacProfilePodSecurity`). Absent or unknown: `restricted`.
 * @public
 */
export const podSecurityAnnotation = 'ops.vworkspace.io/pod-security';

/** The level an RBAC profile's ClusterRole asks for; `restricted` unless it names another. @public */
export function podSecurityLevelOf(clusterRole: KubeObject): PodSecurityLevel {
  const value = clusterRole.metadata?.annotations?.[podSecurityAnnotation];
  return podSecurityLevels.find(level => level === value) ?? 'restricted';
}

type SecurityContext = Record<string, unknown>;
interface Container {
  securityContext?: SecurityContext;
  [key: string]: unknown;
}
interface PodSpec {
  securityContext?: SecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  [key: string]: unknown;
}

function restrictedContainer(container: Container): Container {
  const context = container.securityContext ?? {};
  const capabilities = (context.capabilities ?? {}) as Record<string, unknown>;
  return {
    ...container,
    securityContext: {
      ...context,
      allowPrivilegeEscalation: context.allowPrivilegeEscalation ?? false,
      capabilities: { ...capabilities, drop: capabilities.drop ?? ['ALL'] },
    },
  };
}

/**
 * `podSpec` made to pass the Pod Security level: for `restricted`, runAsNonRoot and the
 * RuntimeDefault seccomp profile for the pod, no privilege escalation and every capability
 * dropped for each container. Only what is unset is filled in: a value the spec states (a
 * chart's hook Job, say) is kept, and if it breaks the level the API server says so when the
 * Job creates its pod. `baseline` and `privileged` change nothing: the namespace's own Pod
 * Security admission decides.
 * @public
 */
export function withPodSecurity<T extends PodSpec>(podSpec: T, level: PodSecurityLevel): T {
  if (level !== 'restricted') return podSpec;
  const context = podSpec.securityContext ?? {};
  return {
    ...podSpec,
    securityContext: {
      ...context,
      runAsNonRoot: context.runAsNonRoot ?? true,
      seccompProfile: context.seccompProfile ?? { type: 'RuntimeDefault' },
    },
    containers: (podSpec.containers ?? []).map(restrictedContainer),
    ...(podSpec.initContainers ? { initContainers: podSpec.initContainers.map(restrictedContainer) } : {}),
  };
}
