import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { KubeObject } from '../../types';
import type { ChartFixture, ChartRepositoryFixture, ChartVersionFixture, HookFixture } from './chartFixture';
import { ChartFixtureError, parseChartFixture } from './parseChartFixture';
import { compareVersions, satisfies } from './semver';

/** The fixtures shipped with kube-sim: `packages/kube-sim/charts/`. @public */
export const defaultChartsDir = () => join(dirname(require.resolve('@vworkspace/kube-sim/package.json')), 'charts');

/** A hook as rendered for one release. @public */
export interface RenderedHook {
  name: string;
  kind: string;
  path: string;
  events: string[];
  weight: number;
  deletePolicies: string[];
  /** The rendered object, with its `helm.sh/hook*` annotations. */
  object: KubeObject;
  /** The object as YAML, as Helm keeps it in the release. */
  manifest: string;
}

/** What `helm template` would give for one release of a chart version. @public */
export interface RenderedChart {
  chart: ChartFixture;
  version: ChartVersionFixture;
  /** Chart defaults merged with the release's values. */
  values: Record<string, unknown>;
  /** Workload objects, labelled as the chart's templates label them (namespace set). */
  objects: KubeObject[];
  /** The objects as Helm's multi-document manifest, with `# Source:` headers. */
  manifest: string;
  hooks: RenderedHook[];
  notes: string;
  /** A failure mark with placeholders substituted. */
  fail: { install?: string; upgrade?: string; hook?: string; test?: string };
}

/** A repository as the catalog serves it. @public */
export interface CatalogRepository {
  type: 'helm' | 'oci';
  url: string;
  charts: ChartFixture[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Trailing slashes do not make a different repository. */
export const normalizeRepositoryUrl = (url: string) => url.trim().replace(/\/+$/, '');

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : structuredClone(v);
  }
  return out;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_.-]+)\}/g;

function lookup(scope: Record<string, unknown>, path: string): unknown {
  let cur: unknown = scope;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function substitute(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(value);
    if (whole) {
      const v = lookup(scope, whole[1]);
      return v === undefined ? '' : v;
    }
    return value.replace(PLACEHOLDER, (_, path: string) => {
      const v = lookup(scope, path);
      if (v === undefined || v === null) return '';
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map(v => substitute(v, scope));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, scope)]));
  return value;
}

/**
 * The demo chart catalog: charts with versions, hooks, workload objects and
 * failure marks, served from the repository URLs a real user would give
 * (`https://nextcloud.github.io/helm/`, `oci://ghcr.io/immich-app/immich-charts/immich`).
 * @public
 */
export class ChartCatalog {
  private readonly byRepository = new Map<string, CatalogRepository>();

  private constructor(readonly charts: ChartFixture[]) {
    for (const chart of charts) {
      for (const repo of chart.repositories) {
        const key = normalizeRepositoryUrl(repo.url);
        const entry = this.byRepository.get(key) ?? { type: repo.type, url: repo.url, charts: [] };
        if (entry.type !== repo.type) throw new Error(`repository ${repo.url} is declared both as helm and as oci`);
        entry.charts.push(chart);
        this.byRepository.set(key, entry);
      }
    }
  }

  /** Loads and validates every `*.yaml` fixture of a directory (default: the shipped catalog). */
  static load(dir: string = defaultChartsDir()): ChartCatalog {
    const files = readdirSync(dir).filter(f => /\.ya?ml$/.test(f)).sort();
    if (files.length === 0) throw new Error(`no chart fixtures (*.yaml) in ${dir}`);
    return ChartCatalog.fromFixtures(
      files.map(file => {
        const path = join(dir, file);
        let doc: unknown;
        try {
          doc = parseYaml(readFileSync(path, 'utf8'), { merge: true });
        } catch (e) {
          throw new ChartFixtureError(path, '(document)', `is not valid YAML: ${(e as Error).message}`);
        }
        return parseChartFixture(doc, path);
      }),
    );
  }

  /** A catalog of already-parsed fixtures (validated again). */
  static fromFixtures(fixtures: unknown[]): ChartCatalog {
    const charts = fixtures.map((f, i) => parseChartFixture(f, `fixture ${i}`));
    const names = new Set<string>();
    for (const c of charts) {
      if (names.has(c.name)) throw new Error(`chart '${c.name}' is declared twice`);
      names.add(c.name);
    }
    return new ChartCatalog(charts);
  }

  /** The repository served at `url` (trailing slash ignored), if any. */
  repository(url: string): CatalogRepository | undefined {
    return this.byRepository.get(normalizeRepositoryUrl(url));
  }

  get repositories(): CatalogRepository[] {
    return [...this.byRepository.values()];
  }

  chart(name: string, repositoryUrl?: string): ChartFixture | undefined {
    const pool = repositoryUrl ? this.repository(repositoryUrl)?.charts ?? [] : this.charts;
    return pool.find(c => c.name === name);
  }

  /** The newest version of `chart` satisfying `constraint` (`*` when empty). */
  resolveVersion(chart: ChartFixture, constraint: string | undefined): ChartVersionFixture | undefined {
    const candidates = chart.versions.filter(v => satisfies(v.version, constraint ?? '*'));
    return candidates.sort((a, b) => compareVersions(b.version, a.version))[0];
  }

  /** The repository's index.yaml as Helm would serve it, and its digest (the HelmRepository revision). */
  index(repo: CatalogRepository): { yaml: string; digest: string } {
    const entries: Record<string, unknown[]> = {};
    for (const chart of repo.charts) {
      entries[chart.name] = [...chart.versions]
        .sort((a, b) => compareVersions(b.version, a.version))
        .map(v => ({
          apiVersion: 'v2', name: chart.name, version: v.version, appVersion: v.appVersion, description: chart.description,
          home: chart.home, icon: chart.icon, type: 'application',
          urls: [`${normalizeRepositoryUrl(repo.url)}/${chart.name}-${v.version}.tgz`],
          digest: this.chartDigest(chart, v),
        }));
    }
    const yaml = stringifyYaml({ apiVersion: 'v1', entries, generated: '2025-01-01T00:00:00Z' });
    return { yaml, digest: `sha256:${sha256(yaml)}` };
  }

  /** The digest of a packaged chart version (stable across runs). */
  chartDigest(chart: ChartFixture, version: ChartVersionFixture): string {
    return sha256(JSON.stringify({ name: chart.name, version }));
  }

  /** The `<tag>@sha256:<digest>` revision of an OCI chart artifact. */
  ociRevision(chart: ChartFixture, version: ChartVersionFixture): string {
    return `${version.version}@sha256:${this.chartDigest(chart, version)}`;
  }

  /** Renders one release of a chart version: objects, manifest, hooks and notes. */
  render(chart: ChartFixture, version: ChartVersionFixture, release: { name: string; namespace: string; values?: Record<string, unknown> }): RenderedChart {
    const values = deepMerge(version.values, release.values ?? {});
    const scope = {
      release: { name: release.name, namespace: release.namespace },
      chart: { name: chart.name, version: version.version, appVersion: version.appVersion },
      values,
    };
    const labels = {
      'app.kubernetes.io/name': chart.name,
      'app.kubernetes.io/instance': release.name,
      'app.kubernetes.io/version': version.appVersion,
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.sh/chart': `${chart.name}-${version.version}`,
    };
    const finish = (raw: Record<string, unknown>): KubeObject => {
      const object = substitute(raw, scope) as KubeObject;
      object.metadata = { ...object.metadata, namespace: release.namespace, labels: { ...labels, ...(object.metadata.labels ?? {}) } };
      return object;
    };
    const objects = chart.objects.map(finish);
    const seen = new Map<string, number>();
    const manifest = objects
      .map(o => {
        const base = o.kind.toLowerCase();
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        return `---\n# Source: ${chart.name}/templates/${base}${n > 1 ? `-${n}` : ''}.yaml\n${stringifyYaml(o)}`;
      })
      .join('');
    const renderHook = (h: HookFixture): RenderedHook => {
      const object = finish(h.manifest);
      object.metadata.annotations = {
        ...(object.metadata.annotations ?? {}),
        'helm.sh/hook': h.events.join(','),
        'helm.sh/hook-weight': String(h.weight),
        'helm.sh/hook-delete-policy': h.deletePolicies.join(','),
      };
      return {
        name: String(substitute(h.name, scope)), kind: h.kind, path: h.path, events: h.events, weight: h.weight,
        deletePolicies: h.deletePolicies, object, manifest: stringifyYaml(object),
      };
    };
    const fail = (substitute(version.fail ?? {}, scope) as RenderedChart['fail']);
    return {
      chart, version, values, objects, manifest,
      hooks: [...version.hooks, ...chart.tests].map(renderHook).sort((a, b) => a.weight - b.weight),
      notes: String(substitute(chart.notes ?? '', scope)),
      fail,
    };
  }
}

export type { ChartRepositoryFixture };
