import { crdDefinitions } from './crdDefinitions';
import {
  buildCrd,
  chartCrdDirectory,
  crdDirectory,
  staleCrdFiles,
} from './generateCrds';

describe('generateCrds', () => {
  it.each([
    ['operator/crds', crdDirectory],
    ['operator/chart/crds', chartCrdDirectory],
  ])('matches the committed CRDs in %s', (name, dir) => {
    const stale = staleCrdFiles(dir);
    // The message is the assertion's value, so a failure tells what to do.
    expect(
      stale.length
        ? `${name} is out of date with the schemas of fleet-common (${stale.join(
            ', ',
          )}). Run \`npm run generate:crds\` and commit the result.`
        : 'up to date',
    ).toBe('up to date');
  });

  it('keeps values, parameters, result and raw engine status free-form, and nothing else', () => {
    const preserved: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      if (node['x-kubernetes-preserve-unknown-fields']) preserved.push(path);
      for (const [name, child] of Object.entries(
        (node.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        walk(child, `${path}.${name}`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
    };
    for (const def of crdDefinitions) {
      walk(buildCrd(def).spec.versions[0].schema.openAPIV3Schema, def.kind);
    }
    expect(preserved.sort()).toEqual([
      'ApplicationInstance.spec.values',
      'Operation.spec.parameters',
      'Operation.status.engineStatus',
      'Operation.status.result',
    ]);
  });

  it('lists conditions as a map keyed by type, for server-side apply', () => {
    for (const def of crdDefinitions) {
      const conditions =
        buildCrd(def).spec.versions[0].schema.openAPIV3Schema.properties.status
          .properties?.conditions;
      expect(conditions).toMatchObject({
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
        items: {
          type: 'object',
          required: expect.arrayContaining(['type', 'status']),
        },
      });
    }
  });

  it('keeps enums and defaults', () => {
    const spec = buildCrd(crdDefinitions[0]).spec.versions[0].schema
      .openAPIV3Schema.properties.spec;
    expect(spec.properties?.engine).toMatchObject({
      type: 'string',
      enum: ['flux', 'argocd'],
      default: 'flux',
    });
    expect(
      spec.properties?.chart.properties?.repository.properties?.type,
    ).toMatchObject({
      enum: ['helm', 'oci'],
    });
    expect(spec.required).toEqual(['app', 'chart']);
  });
});
