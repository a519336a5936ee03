import { conflictStatus } from './conflictStatus';

describe('conflictStatus', () => {
  it('words a single conflict like kube-apiserver', () => {
    const s = conflictStatus([
      {
        manager: 'kubectl-scale',
        field: '.spec.replicas',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2025-01-01T00:01:00.000Z',
      },
    ]);
    expect(s).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1 at 2025-01-01T00:01:00Z: .spec.replicas',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message:
              'conflict with "kubectl-scale" using apps/v1 at 2025-01-01T00:01:00Z',
            field: '.spec.replicas',
          },
        ],
      },
    });
  });

  it('groups several conflicts by manager', () => {
    const s = conflictStatus([
      { manager: 'b', field: '.spec.x', operation: 'Apply', apiVersion: 'v1' },
      {
        manager: 'a',
        field: '.spec.y',
        operation: 'Apply',
        apiVersion: 'v1',
        subresource: 'status',
      },
      { manager: 'b', field: '.spec.z', operation: 'Apply', apiVersion: 'v1' },
    ]);
    expect(s.message).toBe(
      'Apply failed with 3 conflicts: conflicts with "a" with subresource "status":\n- .spec.y\nconflicts with "b":\n- .spec.x\n- .spec.z',
    );
  });
});
