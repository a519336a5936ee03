import { podSecurityViolations } from './podSecurity';

const secure = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

// k8s.io/pod-security-admission/policy: one row per check, worded as the admission plugin words it.
describe('podSecurityViolations', () => {
  it.each([
    { name: 'baseline allows a plain container', level: 'baseline' as const, spec: { containers: [{ name: 'app' }] }, want: [] },
    {
      name: 'baseline refuses privileged containers, host namespaces and hostPath volumes',
      level: 'baseline' as const,
      spec: { hostNetwork: true, volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: [{ name: 'app', securityContext: { privileged: true } }] },
      want: ['host namespaces (hostNetwork=true)', 'hostPath volume ("root")', 'privileged (container "app" must not set securityContext.privileged=true)'],
    },
    {
      name: 'baseline refuses non-default capabilities',
      level: 'baseline' as const,
      spec: { containers: [{ name: 'app', securityContext: { capabilities: { add: ['NET_ADMIN'] } } }] },
      want: ['non-default capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)'],
    },
    { name: 'restricted allows a hardened container', level: 'restricted' as const, spec: { containers: [{ name: 'app', securityContext: secure }] }, want: [] },
    {
      name: 'restricted names every missing setting, containers together',
      level: 'restricted' as const,
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      want: [
        'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)',
        'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"])',
        'runAsNonRoot != true (pod or containers "a", "b" must set securityContext.runAsNonRoot=true)',
        'seccompProfile (pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      ],
    },
    {
      name: 'restricted refuses hostPath as a restricted volume type and root users',
      level: 'restricted' as const,
      spec: { volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: [{ name: 'app', securityContext: { ...secure, runAsUser: 0 } }] },
      want: ['restricted volume types (volume "root" uses restricted volume type "hostPath")', 'runAsUser=0 (container "app" must not set runAsUser=0)'],
    },
  ])('$name', ({ level, spec, want }) => {
    expect(podSecurityViolations(level, spec)).toEqual(want);
  });
});
