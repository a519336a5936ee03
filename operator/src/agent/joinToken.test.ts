import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { agentApiBase, clusterOfJoinToken, readJoinToken } from './joinToken';

describe('join token and control plane URL', () => {
  it('reads the token from its file, trimmed, and refuses an empty one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'join-token-'));
    writeFileSync(path.join(dir, 'token'), `vwf.edge-1.${'x'.repeat(43)}\n`);
    writeFileSync(path.join(dir, 'empty'), '\n');
    expect(clusterOfJoinToken(readJoinToken(path.join(dir, 'token')))).toBe('edge-1');
    expect(() => readJoinToken(path.join(dir, 'empty'))).toThrow(/empty/);
  });

  it.each([
    ['https://backstage.example.com', 'https://backstage.example.com/api/fleet/agent/v1'],
    ['https://backstage.example.com/', 'https://backstage.example.com/api/fleet/agent/v1'],
    ['https://example.com/portal/api/fleet/', 'https://example.com/portal/api/fleet/agent/v1'],
  ])('finds the agent API under %s', (url, want) => {
    expect(agentApiBase(url)).toBe(want);
  });
});
