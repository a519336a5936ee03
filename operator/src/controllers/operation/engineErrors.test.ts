import { decodeApiError, KubeConnectionError } from '@vworkspace/kube-runtime';
import { refusalOf } from './engineErrors';

const status = (code: number, reason: string, message: string, causes?: Array<{ field: string; message: string; reason: string }>) =>
  decodeApiError(code, JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message, details: causes ? { causes } : undefined }), {
    request: 'POST /apis/batch/v1/namespaces/team-a/jobs',
  });

describe('refusalOf', () => {
  it.each([
    {
      name: 'an invalid Job (422), with the field the message names',
      err: status(422, 'Invalid', 'Job.batch "x" is invalid: spec.template.spec.containers[0].env[0].name: Invalid value: "MY VAR": a valid environment variable name must consist of alphabetic characters'),
      want: { reason: 'EngineResourceInvalid', message: expect.stringContaining('spec.template.spec.containers[0].env[0].name: Invalid value: "MY VAR"') },
    },
    {
      name: 'a field named only in the causes',
      err: status(422, 'Invalid', 'Job.batch "x" is invalid', [{ field: 'spec.template.spec.containers[0].image', message: 'Required value', reason: 'FieldValueRequired' }]),
      want: { reason: 'EngineResourceInvalid', message: expect.stringContaining('(spec.template.spec.containers[0].image: Required value)') },
    },
    {
      name: 'a RoleBinding to a missing ClusterRole (404)',
      err: status(404, 'NotFound', 'clusterroles.rbac.authorization.k8s.io "fleet-operator-profile-auditor" not found'),
      want: { reason: 'EngineResourceNotFound', message: expect.stringContaining('"fleet-operator-profile-auditor" not found') },
    },
    {
      name: 'no access (403)',
      err: status(403, 'Forbidden', 'backups.velero.io is forbidden: User "system:serviceaccount:fleet-system:fleet-operator" cannot create resource "backups"'),
      want: { reason: 'EngineResourceForbidden', message: expect.stringContaining('the API server refused POST /apis/batch/v1/namespaces/team-a/jobs (403 Forbidden)') },
    },
    { name: 'an exceeded quota (403, frees up)', err: status(403, 'Forbidden', 'jobs.batch "x" is forbidden: exceeded quota: jobs'), want: undefined },
    { name: 'a conflict', err: status(409, 'Conflict', 'the object has been modified'), want: undefined },
    { name: 'throttling', err: status(429, 'TooManyRequests', 'slow down'), want: undefined },
    { name: 'a server error', err: status(500, 'InternalError', 'etcdserver: request timed out'), want: undefined },
    { name: 'a lost connection', err: new KubeConnectionError('POST /apis/batch/v1/namespaces/team-a/jobs', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), want: undefined },
    { name: 'not an API error', err: new Error('boom'), want: undefined },
  ])('$name', ({ err, want }) => {
    expect(refusalOf(err)).toEqual(want);
  });
});
