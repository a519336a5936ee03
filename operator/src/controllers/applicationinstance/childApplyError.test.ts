import { KubeApiError, KubeObject } from '@vworkspace/kube-runtime';
import { ChildApplyError, describeApplyFailure } from './childApplyError';

const application: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'team-a-files', namespace: 'argocd' } };
const helmRelease: KubeObject = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'files', namespace: 'team-a' } };
const apiError = (code: number, reason: string, message: string, details?: Record<string, unknown>) =>
  new KubeApiError({ code, status: { kind: 'Status', status: 'Failure', code, reason, message, ...(details ? { details } : {}) } });

describe('describeApplyFailure', () => {
  it.each([
    {
      name: 'missing Argo CD namespace',
      child: application,
      cause: apiError(404, 'NotFound', 'namespaces "argocd" not found', { name: 'argocd', kind: 'namespaces' }),
      reason: 'NamespaceNotFound',
      message: /^Application argocd\/team-a-files cannot be created: namespace "argocd" does not exist\. Is Argo CD installed\?/,
    },
    {
      name: 'kind not served (Flux not installed)',
      child: helmRelease,
      cause: apiError(404, 'NotFound', 'the server could not find the requested resource'),
      reason: 'KindNotServed',
      message: /^HelmRelease team-a\/files cannot be created: the API server does not serve HelmRelease\. Is Flux \(helm-controller\) installed\?$/,
    },
    {
      name: 'forbidden',
      child: helmRelease,
      cause: apiError(403, 'Forbidden', 'helmreleases is forbidden: User "system:serviceaccount:fleet-system:fleet-operator" cannot patch'),
      reason: 'Forbidden',
      message: /^HelmRelease team-a\/files: the operator is not allowed to write it: helmreleases is forbidden/,
    },
    {
      name: 'anything else',
      child: helmRelease,
      cause: new Error('socket hang up'),
      reason: 'ApplyFailed',
      message: /^cannot write HelmRelease team-a\/files: socket hang up$/,
    },
  ])('$name → $reason', ({ child, cause, reason, message }) => {
    const got = describeApplyFailure(new ChildApplyError(child, { cause }));
    expect(got.reason).toBe(reason);
    expect(got.message).toMatch(message);
  });
});
