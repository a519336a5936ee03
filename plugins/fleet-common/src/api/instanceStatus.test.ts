import { instanceStatusOf } from './instanceStatus';

const cond = (type: string, status: string, reason = 'R', message = '') => ({
  type,
  status,
  reason,
  message,
});

describe('instanceStatusOf', () => {
  it.each([
    { name: 'no status', input: {}, want: 'Unknown' },
    {
      name: 'ready for the current generation',
      input: {
        metadata: { generation: 2 },
        status: { observedGeneration: 2, conditions: [cond('Ready', 'True'), cond('Reconciling', 'False'), cond('Stalled', 'False')] },
      },
      want: 'Ready',
    },
    {
      name: 'a stale green is not green',
      input: {
        metadata: { generation: 3 },
        status: { observedGeneration: 2, conditions: [cond('Ready', 'True')] },
      },
      want: 'Progressing',
    },
    {
      name: 'reconciling',
      input: { status: { conditions: [cond('Ready', 'False'), cond('Reconciling', 'True')] } },
      want: 'Progressing',
    },
    {
      name: 'the child gave up',
      input: { status: { conditions: [cond('Ready', 'False'), cond('Stalled', 'True', 'InstallFailed')] } },
      want: 'Failed',
    },
    {
      name: 'deadline passed',
      input: { status: { conditions: [cond('Ready', 'False'), cond('Stalled', 'True', 'ProgressDeadlineExceeded')] } },
      want: 'Stalled',
    },
    {
      name: 'invalid spec',
      input: { status: { conditions: [cond('Ready', 'False'), cond('Stalled', 'True', 'InvalidSpec')] } },
      want: 'Stalled',
    },
    {
      name: 'being deleted',
      input: { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { conditions: [cond('Ready', 'True')] } },
      want: 'Progressing',
    },
    {
      name: 'suspended',
      input: { status: { conditions: [cond('Ready', 'False', 'Suspended'), cond('Reconciling', 'False'), cond('Stalled', 'False')] } },
      want: 'Progressing',
    },
  ])('$name → $want', ({ input, want }) => {
    expect(instanceStatusOf(input).status).toBe(want);
  });
});
