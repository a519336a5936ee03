import {
  agentAckSchema,
  agentReportSchema,
  agentStreamMessageSchema,
  registerClusterRequestSchema,
} from './agent';

const instance = {
  apiVersion: 'apps.vworkspace.io/v1alpha1',
  kind: 'ApplicationInstance',
  metadata: { name: 'nextcloud', namespace: 'team-a', uid: 'u1', resourceVersion: '12', generation: 3 },
  spec: { app: 'nextcloud' },
  status: { conditions: [] },
};

describe('agent API schemas', () => {
  it('takes a report with whole objects, keeping fields they do not check', () => {
    const parsed = agentReportSchema.parse({ cluster: 'edge-1', snapshot: true, instances: [instance], operations: [] });
    expect(parsed.instances[0]).toEqual(instance);
  });

  it.each([
    { name: 'an object without a name', report: { instances: [{ ...instance, metadata: { namespace: 'team-a' } }] }, path: 'instances.0.metadata.name' },
    { name: 'an Operation among instances', report: { instances: [{ ...instance, kind: 'Operation' }] }, path: 'instances.0.kind' },
    { name: 'an object without a spec', report: { instances: [{ ...instance, spec: undefined }] }, path: 'instances.0.spec' },
    { name: 'a cluster name that is no DNS label', report: { cluster: 'Edge 1' }, path: 'cluster' },
    { name: 'an unknown field', report: { extra: true }, path: '' },
  ])('refuses $name', ({ report, path }) => {
    const parsed = agentReportSchema.safeParse({ cluster: 'edge-1', snapshot: false, instances: [], operations: [], ...report });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map(i => i.path.join('.'))).toContain(path);
  });

  it('takes an acknowledgement with the object\'s identity or the error, not both or neither', () => {
    expect(agentAckSchema.safeParse({ cluster: 'edge-1', seq: 1, uid: 'u', resourceVersion: '2' }).success).toBe(true);
    expect(agentAckSchema.safeParse({ cluster: 'edge-1', seq: 1, error: 'namespaces "x" not found' }).success).toBe(true);
    expect(agentAckSchema.safeParse({ cluster: 'edge-1', seq: 1, uid: 'u', resourceVersion: '2', error: 'x' }).success).toBe(false);
    expect(agentAckSchema.safeParse({ cluster: 'edge-1', seq: 1 }).success).toBe(false);
    expect(agentAckSchema.safeParse({ cluster: 'edge-1', seq: 0, error: 'x' }).success).toBe(false);
  });

  it('reads every kind of stream line', () => {
    const lines = [
      { type: 'apply', seq: 1, object: { ...instance, apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation' } },
      { type: 'cancel', seq: 2, operation: { namespace: 'team-a', name: 'nextcloud-backup-1' } },
      { type: 'applyInstance', seq: 3, object: instance, force: true },
      { type: 'heartbeat', cursor: 3 },
      { type: 'end', status: 401, message: 'the join token was revoked' },
    ];
    expect(lines.map(line => agentStreamMessageSchema.safeParse(line).success)).toEqual([true, true, true, true, true]);
    // an instance change carries an ApplicationInstance, nothing else
    expect(agentStreamMessageSchema.safeParse({ type: 'applyInstance', seq: 4, object: { ...instance, kind: 'Operation' } }).success).toBe(false);
    expect(agentStreamMessageSchema.safeParse({ type: 'delete', seq: 3 }).success).toBe(false);
  });

  it('registers clusters by DNS label, with optional title and labels', () => {
    expect(registerClusterRequestSchema.safeParse({ name: 'edge-1' }).success).toBe(true);
    expect(registerClusterRequestSchema.safeParse({ name: 'edge-1', labels: { env: 'prod' }, title: 'Edge' }).success).toBe(true);
    expect(registerClusterRequestSchema.safeParse({ name: 'edge-1', token: 'mine' }).success).toBe(false);
    expect(registerClusterRequestSchema.safeParse({ name: '-edge' }).success).toBe(false);
  });
});
