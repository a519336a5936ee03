import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { find, helmTemplate, operatorDir } from './__testUtils__/helmTemplate';

const run = promisify(execFile);
const repoRoot = path.resolve(operatorDir, '..');
const dockerfile = readFileSync(path.join(operatorDir, 'Dockerfile'), 'utf8');

/** Instructions with line continuations joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map(l => l.trim())
  .filter(l => l && !l.startsWith('#'));
const args = Object.fromEntries(
  instructions.filter(l => l.startsWith('ARG ') && l.includes('=')).map(l => l.slice(4).split('=') as [string, string]),
);
const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? '');

describe('operator/Dockerfile', () => {
  it('builds on a current Node LTS slim image, in more than one stage', () => {
    const bases = instructions.filter(l => l.startsWith('FROM ')).map(l => expand(l.split(/\s+/)[1]));
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:(22|24)-slim$/);
  });

  it('copies only paths that exist in the repository', () => {
    const sources = instructions
      .filter(l => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap(l => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect({ source, exists: existsSync(path.join(repoRoot, source)) }).toEqual({ source, exists: true });
  });

  it('bundles the entry point that the package binary runs', () => {
    const bin = readFileSync(path.join(operatorDir, 'bin', 'fleet-operator'), 'utf8');
    const binEntry = /\.\.\/(src\/[\w/.-]+\.ts)/.exec(bin)?.[1];
    const bundleEntry = /esbuild@\S+"?\s+operator\/(\S+\.ts)/.exec(instructions.join('\n'))?.[1];
    expect(bundleEntry).toBeDefined();
    expect(bundleEntry).toBe(binEntry);
  });

  it('pins the esbuild of the lockfile', () => {
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
    expect(args.ESBUILD_VERSION).toBe(lock.packages['node_modules/esbuild']?.version);
  });

  it('runs node on the bundle as the non-root user the chart declares, without a shell', async () => {
    const user = instructions.filter(l => l.startsWith('USER ')).pop();
    expect(user).toBe('USER 65532:65532');
    const entrypoint = instructions.filter(l => l.startsWith('ENTRYPOINT ')).pop()!;
    // Exec form (JSON array): no /bin/sh -c wrapper.
    const argv = JSON.parse(entrypoint.slice('ENTRYPOINT '.length)) as string[];
    expect(argv[0]).toBe('node');
    expect(argv[argv.length - 1]).toBe('/app/dist/main.js');
    const deployment = find(await helmTemplate(), 'Deployment', 'fleet-operator');
    const pod = (deployment.spec as { template: { spec: { securityContext: Record<string, unknown> } } }).template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
  }, 60_000);

  it('produces a bundle that loads without node_modules', async () => {
    // The same esbuild invocation as the build stage, with the repository's esbuild.
    const command = instructions.find(l => l.includes('esbuild@'))!;
    const flags = command
      .split('&&')[0]
      .split(/\s+/)
      .filter(a => a.startsWith('--') && !a.startsWith('--outfile') && a !== '--yes');
    const out = mkdtempSync(path.join(os.tmpdir(), 'fleet-operator-bundle-'));
    try {
      const esbuild = require.resolve('esbuild/bin/esbuild', { paths: [repoRoot] });
      await run(esbuild, ['src/main.ts', ...flags, `--outfile=${path.join(out, 'main.js')}`, '--log-level=error'], { cwd: operatorDir });
      // Loading resolves every require at the top of the bundle; --help exits before any I/O.
      const { stdout } = await run(process.execPath, [path.join(out, 'main.js'), '--help'], { cwd: out, timeout: 30_000 });
      expect(stdout).toMatch(/fleet-operator/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
