import type { Condition } from '../schemas/conditions';
import { getCondition, isFalse, isTrue, setCondition } from './conditions';

const ready: Condition = {
  type: 'Ready',
  status: 'False',
  reason: 'Progressing',
  message: 'installing',
  lastTransitionTime: '2026-05-01T10:00:00Z',
  observedGeneration: 1,
};

describe('conditions', () => {
  it('finds conditions by type', () => {
    expect(getCondition([ready], 'Ready')).toBe(ready);
    expect(getCondition([ready], 'Stalled')).toBeUndefined();
    expect(isTrue([ready], 'Ready')).toBe(false);
    expect(isFalse([ready], 'Ready')).toBe(true);
    expect(isTrue(undefined, 'Ready')).toBe(false);
  });

  it('keeps lastTransitionTime when only the reason changes', () => {
    const next = setCondition(
      [ready],
      {
        type: 'Ready',
        status: 'False',
        reason: 'UpgradeFailed',
        message: 'boom',
        observedGeneration: 2,
      },
      new Date('2026-05-01T11:00:00.123Z'),
    );
    expect(next).toEqual([
      {
        ...ready,
        reason: 'UpgradeFailed',
        message: 'boom',
        observedGeneration: 2,
      },
    ]);
  });

  it('moves lastTransitionTime, at second precision, when the status changes', () => {
    const next = setCondition(
      [ready],
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: '' },
      new Date('2026-05-01T11:00:00.123Z'),
    );
    expect(next).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'Succeeded',
        message: '',
        lastTransitionTime: '2026-05-01T11:00:00Z',
      },
    ]);
  });

  it('appends a new type and leaves the input alone', () => {
    const input = [ready];
    const next = setCondition(
      input,
      {
        type: 'Stalled',
        status: 'True',
        reason: 'RetriesExceeded',
        message: 'x',
      },
      new Date('2026-05-01T12:00:00Z'),
    );
    expect(next.map(c => c.type)).toEqual(['Ready', 'Stalled']);
    expect(input).toHaveLength(1);
  });
});
