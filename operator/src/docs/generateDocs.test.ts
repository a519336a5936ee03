import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operationEngines } from '@vworkspace/backstage-plugin-fleet-common';
import { engineParametersPage, generatedPages, referenceDirectory, staleDocPages, writeDocPages } from './generateDocs';

describe('generated reference pages', () => {
  it('match the committed pages in docs/reference', () => {
    const stale = staleDocPages(referenceDirectory);
    // The message is the assertion's value, so a failure tells what to do.
    expect(
      stale.length
        ? `docs/reference is out of date with the schemas of fleet-common (${stale.join(', ')}). Run \`npm run generate:docs --workspace operator\` and commit the result.`
        : 'up to date',
    ).toBe('up to date');
  });

  it('notices a page that was edited by hand or is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-'));
    expect(staleDocPages(dir).sort()).toEqual(Object.keys(generatedPages()).sort());
    writeDocPages(dir);
    expect(staleDocPages(dir)).toEqual([]);
    writeFileSync(join(dir, 'engine-parameters.md'), `${engineParametersPage()}\nedited by hand\n`);
    expect(staleDocPages(dir)).toEqual(['engine-parameters.md']);
  });

  it('lists every parameter of every engine with its type, default and meaning', () => {
    const page = engineParametersPage();
    for (const engine of operationEngines) expect(page).toContain(`## ${engine}\n`);
    expect(page).toContain(
      "| `revertOnFailure` | boolean |  | `true` | When the upgrade fails and Flux rolls the release back, set the instance's chart version (and values) back to what they were",
    );
    expect(page).toContain('| `version` | string, semantic version, e.g. 6.2.0 | yes |  | Chart version to upgrade to. |');
    expect(page).toContain('Runs Upgrade (annotation `ops.vworkspace.io/upgrade`: `helm`).');
    // patterns people know by name are named, not printed as regular expressions
    expect(page).not.toContain('(0|[1-9]');
  });
});
