import { applicationInstanceSpecSchema } from '@vworkspace/backstage-plugin-fleet-common';
import { argoCdSpecIssues, buildArgoCdApplication } from './argocdObjects';

const spec = (over: Record<string, unknown> = {}) =>
  applicationInstanceSpecSchema.parse({
    app: 'wiki',
    engine: 'argocd',
    chart: { name: 'wiki', version: '2.0.0', repository: { url: 'https://charts.example.com/', type: 'helm' } },
    ...over,
  });
const ref = { name: 'wiki', namespace: 'team-a', uid: 'uid-1' };

describe('buildArgoCdApplication', () => {
  it.each([
    { name: 'helm repository', input: spec(), want: { source: { repoURL: 'https://charts.example.com', chart: 'wiki', targetRevision: '2.0.0', helm: { releaseName: 'wiki' } } } },
    {
      name: 'oci chart: registry path without scheme, chart apart',
      input: spec({ chart: { name: 'wiki', version: '2.0.0', repository: { url: 'oci://registry.example.com/charts/wiki', type: 'oci' } } }),
      want: { source: { repoURL: 'registry.example.com/charts', chart: 'wiki' } },
    },
    { name: 'values as valuesObject', input: spec({ values: { a: 1 } }), want: { source: { helm: { valuesObject: { a: 1 } } } } },
    { name: 'destination is the instance namespace', input: spec(), want: { destination: { server: 'https://kubernetes.default.svc', namespace: 'team-a' }, project: 'default' } },
    { name: 'automated sync when running', input: spec(), want: { syncPolicy: { automated: { prune: true, selfHeal: true } } } },
  ])('$name', ({ input, want }) => {
    expect(buildArgoCdApplication(ref, input).spec).toMatchObject(want);
  });

  it('drops automated sync when suspended', () => {
    expect(buildArgoCdApplication(ref, spec({ suspend: true })).spec.syncPolicy).not.toHaveProperty('automated');
  });

  it('lives in the Argo CD namespace, found by labels rather than an ownerReference', () => {
    const app = buildArgoCdApplication(ref, spec(), { namespace: 'gitops' });
    expect(app.metadata).toMatchObject({
      name: 'team-a-wiki',
      namespace: 'gitops',
      labels: { 'apps.vworkspace.io/instance': 'wiki', 'apps.vworkspace.io/instance-namespace': 'team-a', 'app.kubernetes.io/managed-by': 'vworkspace-operator' },
    });
    expect(app.metadata).not.toHaveProperty('ownerReferences');
  });

  it('refuses valuesFrom, which Argo CD cannot express', () => {
    expect(argoCdSpecIssues(spec({ valuesFrom: [{ kind: 'ConfigMap', name: 'v' }] }))).toEqual([{ path: 'spec.valuesFrom', message: 'not supported by the argocd engine' }]);
    expect(argoCdSpecIssues(spec())).toEqual([]);
  });
});
