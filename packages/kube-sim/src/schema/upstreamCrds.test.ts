import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { upstreamSamples } from './__fixtures__/upstreamSamples';
import { StructuralSchema } from './StructuralSchema';
import type { JSONSchemaProps } from './types';

const dir = path.resolve(__dirname, '../../crds/upstream');

interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: JSONSchemaProps };
}
interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

const crds = fs
  .readdirSync(dir)
  .filter(f => f.endsWith('.yaml'))
  .map(file => ({
    file,
    crd: parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Crd,
  }));

function schemaFor(apiVersion: string, kind: string): StructuralSchema {
  const crd = crds.find(
    c =>
      c.crd.spec.names.kind === kind &&
      apiVersion.startsWith(`${c.crd.spec.group}/`),
  )?.crd;
  const version = crd?.spec.versions.find(
    v => `${crd.spec.group}/${v.name}` === apiVersion && v.served,
  );
  if (!version)
    throw new Error(`no served CRD version for ${apiVersion} ${kind}`);
  return StructuralSchema.compile(version.schema.openAPIV3Schema);
}

const copy = <T>(v: T): T => structuredClone(v);

describe('upstream CRDs', () => {
  it.each(crds.map(c => [c.file, c.crd] as const))(
    '%s compiles, every version',
    (_file, crd) => {
      for (const v of crd.spec.versions) {
        expect(() =>
          StructuralSchema.compile(v.schema.openAPIV3Schema),
        ).not.toThrow();
      }
    },
  );

  it('has a sample for every served kind', () => {
    const kinds = crds.map(c => c.crd.spec.names.kind).sort();
    expect(Object.keys(upstreamSamples).sort()).toEqual(kinds);
  });

  it.each(Object.entries(upstreamSamples))(
    'a realistic %s is admitted with nothing pruned and no cause',
    (_kind, sample) => {
      const { apiVersion, kind } = sample as {
        apiVersion: string;
        kind: string;
      };
      const schema = schemaFor(apiVersion, kind);
      const obj = copy(sample);
      const { pruned, causes } = schema.admit(obj);
      expect(causes).toEqual([]);
      expect(pruned).toEqual([]);
    },
  );

  it('reports a condition written with a bad timestamp where flux would', () => {
    const obj = copy(upstreamSamples.HelmRelease) as {
      status: { conditions: Array<Record<string, unknown>> };
    };
    obj.status.conditions[0].lastTransitionTime = '10 January 2025';
    delete obj.status.conditions[1].reason;
    const causes = schemaFor(
      'helm.toolkit.fluxcd.io/v2',
      'HelmRelease',
    ).validate(obj);
    expect(causes).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'status.conditions[0].lastTransitionTime',
        message:
          'Invalid value: "10 January 2025": status.conditions[0].lastTransitionTime in body must be of type date-time: "10 January 2025"',
      },
      {
        reason: 'FieldValueRequired',
        field: 'status.conditions[1].reason',
        message: 'Required value',
      },
    ]);
  });

  it('prunes a field Argo does not know inside a template container', () => {
    const obj = copy(upstreamSamples.Workflow) as {
      spec: { templates: Array<{ container?: Record<string, unknown> }> };
    };
    obj.spec.templates[1].container!.imagePullPolicyy = 'Always';
    const schema = schemaFor('argoproj.io/v1alpha1', 'Workflow');
    expect(schema.prune(obj)).toEqual([
      'spec.templates[1].container.imagePullPolicyy',
    ]);
  });

  it('compiles and validates the 2.8 MB Argo Workflow schema fast (figures printed)', () => {
    const crd = crds.find(c => c.file === 'argoproj.io_workflows.yaml')!.crd;
    // A copy, so the compile cache does not hide the cost.
    const raw = copy(crd.spec.versions[0].schema.openAPIV3Schema);
    const c0 = performance.now();
    const schema = StructuralSchema.compile(raw);
    const compileMs = performance.now() - c0;
    const n = 2000;
    const objs = Array.from({ length: n }, () =>
      copy(upstreamSamples.Workflow),
    );
    const v0 = performance.now();
    let causes = 0;
    for (const o of objs) causes += schema.admit(o).causes.length;
    const perObjectMs = (performance.now() - v0) / n;
    // eslint-disable-next-line no-console
    console.log(
      `argo workflows schema: compile ${compileMs.toFixed(1)} ms; admit ${(
        perObjectMs * 1000
      ).toFixed(1)} µs per Workflow`,
    );
    expect(causes).toBe(0);
  });
});
