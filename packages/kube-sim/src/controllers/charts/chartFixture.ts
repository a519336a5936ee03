/**
 * The fixture format of the demo chart catalog: one YAML file per chart in
 * `packages/kube-sim/charts/`. Strings may hold placeholders, substituted per
 * release: `${release.name}`, `${release.namespace}`, `${chart.name}`,
 * `${chart.version}`, `${chart.appVersion}` and `${values.<dotted.path>}`.
 * A string that is exactly one placeholder takes the value's own type.
 */

/** Where a chart is served from. @public */
export interface ChartRepositoryFixture {
  /** `helm`: a classic repository with an index.yaml; `oci`: `oci://registry/path/<chart>` with tags. */
  type: 'helm' | 'oci';
  url: string;
}

/** A Helm hook of the chart (a `helm.sh/hook` annotated template). @public */
export interface HookFixture {
  name: string;
  kind: string;
  /** Template path inside the chart, e.g. `nextcloud/templates/hooks/db-migration-job.yaml`. */
  path: string;
  /** Helm hook events, e.g. `pre-upgrade`, `post-install`, `test`. */
  events: string[];
  weight: number;
  /** `before-hook-creation`, `hook-succeeded`, `hook-failed`. */
  deletePolicies: string[];
  /** The object the hook creates (a Job for the hooks kube-sim runs). */
  manifest: Record<string, unknown>;
}

/** How a chart version is known to fail, so failures can be shown and tested. @public */
export interface ChartFailureFixture {
  /** Installing this version fails with this error. */
  install?: string;
  /** Upgrading to this version fails with this error (after its pre-upgrade hooks ran). */
  upgrade?: string;
  /** The hook (by rendered name) whose Job fails: the action it belongs to fails with it. */
  hook?: string;
  /** `helm test` of this version fails with this error. */
  test?: string;
}

/** @public */
export interface ChartVersionFixture {
  version: string;
  appVersion: string;
  /** Container images the version's workloads run (Argo CD's `status.summary.images`). */
  images: string[];
  /** The chart's default values. */
  values: Record<string, unknown>;
  hooks: HookFixture[];
  fail?: ChartFailureFixture;
}

/** One chart of the demo catalog. @public */
export interface ChartFixture {
  name: string;
  description: string;
  home?: string;
  icon?: string;
  sources: string[];
  keywords: string[];
  repositories: ChartRepositoryFixture[];
  notes?: string;
  /** Objects every release creates (rendered per release). */
  objects: Array<Record<string, unknown>>;
  /** Test hooks (`helm test`), shared by every version. */
  tests: HookFixture[];
  versions: ChartVersionFixture[];
}
