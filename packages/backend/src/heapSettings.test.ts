import { spawnSync } from 'node:child_process';
import { heapFlagsToApply } from './heapSettings';

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
   * The growth factor V8 reports (`--trace-gc-verbose`) for each old-generation limit it sets in
   * a process that fills 150 MB, with `flags` set the way the backend sets them, after start.
   */
  function growthFactors(flags: readonly string[]): number[] {
    const script = `
      const v8 = require('node:v8');
      for (const flag of ${JSON.stringify(flags)}) v8.setFlagsFromString(flag);
      const live = [];
      for (let i = 0; i < 1.5e6; i++) live.push({ i, name: 'instance-' + i });
    `;
    const child = spawnSync(
      process.execPath,
      ['--trace-gc-verbose', '-e', script],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.status).toBe(0);
    return [
      ...child.stdout.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g),
    ].map(match => Number(match[1]));
  }

  it('hold each new heap limit to 1.6 times what survived, where V8 alone may choose up to 4', () => {
    const withSettings = growthFactors(heapFlagsToApply([]));
    expect(withSettings.length).toBeGreaterThan(0);
    expect(new Set(withSettings)).toEqual(new Set([1.6]));
    const byDefault = growthFactors([]);
    expect(byDefault.length).toBeGreaterThan(0);
    expect(Math.max(...byDefault)).toBeGreaterThan(1.6);
  });
});
