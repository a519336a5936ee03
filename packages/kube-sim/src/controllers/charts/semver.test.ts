import { compareVersions, satisfies } from './semver';

describe('satisfies', () => {
  it.each([
    ['6.2.0', '6.2.0', true],
    ['6.2.0', '6.3.0', false],
    ['6.2.0', '*', true],
    ['6.2.0', '6.x', true],
    ['7.0.0', '6.x', false],
    ['6.2.5', '6.2.x', true],
    ['6.3.0', '6.2.x', false],
    ['6.3.0', '>=6.2.0', true],
    ['6.1.0', '>=6.2.0', false],
    ['6.3.0', '>=6.0.0 <6.3.0', false],
    ['6.9.0', '^6.1.0', true],
    ['6.2.9', '~6.2.0', true],
    ['6.3.0', '~6.2.0', false],
    ['v1.119.0', 'v1.119.0', true],
    ['6.3.0', '>=6.2.0, <7.0.0', true],
    ['7.0.0', '6.x || 7.x', true],
    ['6.4.0', '6.1.0 - 6.3.0', false],
    // Helm's pre-release rule (Masterminds/semver v3): only a constraint naming a pre-release matches one.
    ['6.3.0-rc.1', '>=6.2.0', false],
    ['6.3.0-rc.1', '*', false],
    ['6.3.0-rc.1', '>=6.2.0-0', true],
    ['6.3.0-rc.1', '6.3.0-rc.1', true],
    ['6.2.0', 'not-a-version', false],
  ])('%s against %s is %s', (version, constraint, want) => {
    expect(satisfies(version, constraint)).toBe(want);
  });

  it('orders a pre-release before its release', () => {
    expect(['6.3.0', '6.3.0-rc.1', '6.2.0'].sort(compareVersions)).toEqual(['6.2.0', '6.3.0-rc.1', '6.3.0']);
  });

  it('orders numerically, not as text', () => {
    expect(compareVersions('6.10.0', '6.9.0')).toBeGreaterThan(0);
    expect(['0.9.3', '0.10.0', '0.8.5'].sort(compareVersions)).toEqual(['0.8.5', '0.9.3', '0.10.0']);
  });
});
