import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ensureKubeTools, layerZipPath } from './__testUtils__/kubeTools';
import { readZip } from './__testUtils__/readZip';

const run = promisify(execFile);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('ensureKubeTools', () => {
  it('provides runnable helm v4 and kubectl binaries, extracted once', async () => {
    const tools = ensureKubeTools();
    expect(ensureKubeTools()).toEqual(tools);
    expect((await run(tools.helm, ['version', '--short'])).stdout).toMatch(/^v4\./);
    expect((await run(tools.kubectl, ['version', '--client'])).stdout).toMatch(/Client Version: v1\.\d+/);
  });

  it('reads the layer without unzip, to the same bytes', () => {
    const entries = readZip(layerZipPath());
    expect(entries.map(e => e.name).sort()).toEqual(['helm/helm', 'kubectl/kubectl']);
    const kubectl = entries.find(e => e.name === 'kubectl/kubectl')!;
    expect(kubectl.mode & 0o111).not.toBe(0);
    expect(sha256(kubectl.data())).toBe(sha256(readFileSync(ensureKubeTools().kubectl)));
  }, 60_000);
});
