export { ChartCatalog, defaultChartsDir, normalizeRepositoryUrl } from './ChartCatalog';
export type { CatalogRepository, RenderedChart, RenderedHook } from './ChartCatalog';
export type { ChartFailureFixture, ChartFixture, ChartRepositoryFixture, ChartVersionFixture, HookFixture } from './chartFixture';
export { ChartFixtureError, parseChartFixture } from './parseChartFixture';
export { compareVersions, satisfies } from './semver';
