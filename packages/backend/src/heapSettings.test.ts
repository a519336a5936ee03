import { spawnSync } from 'node:child_process';
import { heapFlags, heapFlagsToApply } from './heapSettings';

describe('heapFlagsToApply', () => {
  it('applies every setting when node was started without V8 flags', () => {
    expect(heapFlagsToApply([])).toEqual([
      '--heap-growing-percent=60',
      '--no-allocation-site-pretenuring',
    ]);
    expect(
      heapFlagsToApply(['--enable-source-maps', '--max-old-space-size=2048']),
    ).toHaveLength(2);
  });

  it('leaves alone what the command line sets, in any spelling', () => {
    expect(heapFlagsToApply(['--heap-growing-percent=100'])).toEqual([
      '--no-allocation-site-pretenuring',
    ]);
    expect(heapFlagsToApply(['--heap_growing_percent=30'])).toEqual([
      '--no-allocation-site-pretenuring',
    ]);
    expect(heapFlagsToApply(['--allocation-site-pretenuring'])).toEqual([
      '--heap-growing-percent=60',
    ]);
    expect(heapFlagsToApply(['--noallocation_site_pretenuring'])).toEqual([
      '--heap-growing-percent=60',
    ]);
  });
});

describe('the heap settings, set while node runs', () => {
  /**
   * Heap V8 holds (MiB) for a process that keeps 150 MB live and then churns through short-lived
   * objects, with `flags` set the way the backend sets them (`v8.setFlagsFromString`).
   */
  function heapHeld(flags: readonly string[]): number {
    const script = `
      const v8 = require('node:v8');
      for (const flag of ${JSON.stringify(flags)}) v8.setFlagsFromString(flag);
      const live = [];
      for (let i = 0; i < 1.5e6; i++) live.push({ i, name: 'instance-' + i });
      let recent = [];
      for (let i = 0; i < 3e7; i++) {
        recent.push({ i, tags: [i] });
        if (recent.length > 2e5) recent = [];
      }
      process.stdout.write(String(process.memoryUsage().heapTotal / 1048576));
    `;
    const child = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status).toBe(0);
    return Number(child.stdout);
  }

  it('keep the heap near what is live, where V8 alone lets it grow far beyond', () => {
    const byDefault = heapHeld([]);
    const withSettings = heapHeld(heapFlags.map(({ flag }) => flag));
    expect(withSettings).toBeLessThan(byDefault * 0.75);
  });
});
