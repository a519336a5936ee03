import { KubeApiError } from '../client/apiErrors';
import { JsonLogger } from './Logger';

describe('JsonLogger', () => {
  it('writes one JSON line per entry with ts, level, msg and inherited fields', () => {
    const lines: string[] = [];
    const root = new JsonLogger({ level: 'info', write: l => lines.push(l), now: () => 0 });
    const log = root.child({ controller: 'widgets' }).child({ reconcileID: 'r-1' });
    log.info('reconciled', { object: 'default/a' });
    log.debug('hidden');
    log.error('failed', { error: new Error('outer', { cause: new KubeApiError({ code: 409, status: { reason: 'Conflict' } }) }) });
    expect(lines.map(l => JSON.parse(l))).toEqual([
      { ts: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'reconciled', controller: 'widgets', reconcileID: 'r-1', object: 'default/a' },
      {
        ts: '1970-01-01T00:00:00.000Z',
        level: 'error',
        msg: 'failed',
        controller: 'widgets',
        reconcileID: 'r-1',
        error: 'outer: 409 Conflict',
      },
    ]);
    expect(lines.every(l => !l.includes('\n'))).toBe(true);
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const log = new JsonLogger({ level: 'warn', write: l => lines.push(l) });
    log.info('no');
    log.warn('yes');
    expect(lines).toHaveLength(1);
  });
});
