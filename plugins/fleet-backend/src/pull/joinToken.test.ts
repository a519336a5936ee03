import { clusterOfJoinToken, hashJoinToken, newJoinToken } from './joinToken';

describe('join tokens', () => {
  it('are random, name their cluster, and hash to a fixed-length digest', () => {
    const a = newJoinToken('edge-1');
    const b = newJoinToken('edge-1');
    expect(a).not.toBe(b);
    expect(clusterOfJoinToken(a)).toBe('edge-1');
    expect(hashJoinToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashJoinToken(a)).not.toBe(hashJoinToken(b));
  });

  it.each(['', 'edge-1', 'vwf.edge-1.short', `vwf.Edge_1.${'a'.repeat(43)}`])('rejects %j as a token', token => {
    expect(clusterOfJoinToken(token)).toBeUndefined();
  });
});
