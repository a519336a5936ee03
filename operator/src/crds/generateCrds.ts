import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { CrdDefinition, crdDefinitions } from './crdDefinitions';
import { toStructuralSchema } from './toStructuralSchema';

/** Where the generated CRDs are committed: `crds/` of the operator package. */
const operatorDirectory = dirname(
  require.resolve('@vworkspace/fleet-operator/package.json'),
);

/** Where the generated CRDs live. */
export const crdDirectory = resolve(operatorDirectory, 'crds');

/** The Helm chart's copy of them. */
export const chartCrdDirectory = resolve(operatorDirectory, 'chart', 'crds');

const header = [
  '# Generated from the zod schemas of @vworkspace/backstage-plugin-fleet-common',
  '# by operator/src/crds/generateCrds.ts. Do not edit: run `npm run generate:crds`.',
  '',
].join('\n');

/** The CustomResourceDefinition object of one definition. */
export function buildCrd(def: CrdDefinition) {
  const shape = def.schema.shape;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${def.group}` },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: def.categories,
      },
      scope: 'Namespaced',
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: def.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: toStructuralSchema(shape.spec, 'spec'),
                status: toStructuralSchema(shape.status, 'status'),
              },
            },
          },
        },
      ],
    },
  };
}

/** File name of a CRD, as controller-gen names them: `<group>_<plural>.yaml`. */
export function crdFileName(def: CrdDefinition): string {
  return `${def.group}_${def.plural}.yaml`;
}

/** Every CRD file: name and YAML text. */
export function generateCrds(): Array<{ file: string; text: string }> {
  return crdDefinitions.map(def => ({
    file: crdFileName(def),
    text: header + stringify(buildCrd(def), { lineWidth: 0 }),
  }));
}

/** The files whose committed text differs from what generation produces. */
export function staleCrdFiles(dir = crdDirectory): string[] {
  return generateCrds()
    .filter(({ file, text }) => {
      try {
        return readFileSync(resolve(dir, file), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(({ file }) => file);
}

function main(args: string[]) {
  if (args.includes('--write')) {
    // The Helm chart ships its own copy: Helm installs CRDs only from the chart's crds/.
    for (const dir of [crdDirectory, chartCrdDirectory]) {
      for (const { file, text } of generateCrds()) {
        writeFileSync(resolve(dir, file), text);
        process.stdout.write(`wrote ${relative(process.cwd(), resolve(dir, file))}\n`);
      }
    }
    return;
  }
  const stale = [crdDirectory, chartCrdDirectory].flatMap(dir =>
    staleCrdFiles(dir).map(file => resolve(dir, file)),
  );
  if (stale.length) {
    process.stderr.write(
      `out of date: ${stale.join(', ')}; run npm run generate:crds\n`,
    );
    process.exitCode = 1;
  }
}

// Launchers that require() the file (kube-sim's run-ts) leave require.main pointing at
// themselves, so the script path in argv decides too.
const runAsScript =
  require.main === module ||
  /generateCrds\.[cm]?[jt]s$/.test(process.argv[1] ?? '');
if (runAsScript) {
  main(process.argv.slice(2));
}
