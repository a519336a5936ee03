import { podSecurityLevelOf, withPodSecurity } from './podSecurity';

const container = (securityContext?: Record<string, unknown>) => ({ name: 'c', image: 'busybox', ...(securityContext ? { securityContext } : {}) });

describe('withPodSecurity', () => {
  it.each([
    {
      name: 'restricted fills in everything on a bare pod',
      input: { containers: [container()], initContainers: [container()] },
      level: 'restricted' as const,
      want: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [container({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })],
        initContainers: [container({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })],
      },
    },
    {
      name: 'restricted keeps what a chart states',
      input: {
        securityContext: { runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } },
        containers: [container({ readOnlyRootFilesystem: true, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } })],
      },
      level: 'restricted' as const,
      want: {
        securityContext: { runAsUser: 1000, fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } },
        containers: [container({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } })],
      },
    },
    { name: 'baseline changes nothing', input: { containers: [container()] }, level: 'baseline' as const, want: { containers: [container()] } },
    { name: 'privileged changes nothing', input: { containers: [container()] }, level: 'privileged' as const, want: { containers: [container()] } },
  ])('$name', ({ input, level, want }) => {
    expect(withPodSecurity(input, level)).toEqual(want);
  });
});

describe('podSecurityLevelOf', () => {
  it.each([
    { annotation: undefined, want: 'restricted' },
    { annotation: 'baseline', want: 'baseline' },
    { annotation: 'privileged', want: 'privileged' },
    { annotation: 'root', want: 'restricted' },
  ])('$annotation gives $want', ({ annotation, want }) => {
    const annotations: Record<string, string> = annotation ? { 'ops.vworkspace.io/pod-security': annotation } : {};
    const role = { metadata: { name: 'p', annotations } };
    expect(podSecurityLevelOf(role)).toBe(want);
  });
});
