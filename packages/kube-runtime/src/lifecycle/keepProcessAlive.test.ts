import { spawnSync } from 'node:child_process';
import { keepProcessAlive, processHolds } from './keepProcessAlive';

const nodeTransform = require.resolve('@backstage/cli/config/nodeTransform.cjs');

/** Runs `body` in a fresh Node process with this module loaded; whether it ends tells what held it. */
function runWithModule(body: string) {
  const script = `const { keepProcessAlive } = require(${JSON.stringify(require.resolve('./keepProcessAlive'))});\n${body}`;
  return spawnSync(process.execPath, ['--require', nodeTransform, '-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describe('keepProcessAlive', () => {
  it('counts holds: the process is held until the last one is released, and release is idempotent', () => {
    const a = keepProcessAlive('a');
    const b = keepProcessAlive('b');
    expect(processHolds()).toEqual(['a', 'b']);
    a.release();
    a.release();
    expect(processHolds()).toEqual(['b']);
    b.release();
    expect(processHolds()).toEqual([]);
  });

  it('keeps a process whose only pending work is an unref’d timer alive until released', () => {
    const held = runWithModule(`
      const hold = keepProcessAlive('test');
      setTimeout(() => { console.log('backoff over'); hold.release(); }, 300).unref();
    `);
    expect(held.stdout).toContain('backoff over');
    expect(held.status).toBe(0);

    const unheld = runWithModule(`setTimeout(() => console.log('backoff over'), 300).unref();`);
    expect(unheld.status).toBe(0);
    expect(unheld.stdout).not.toContain('backoff over');
  });

  it('lets the process end once released', () => {
    const released = runWithModule(`keepProcessAlive('test').release(); console.log('done');`);
    expect(released.error).toBeUndefined();
    expect(released.stdout).toContain('done');
  });
});
