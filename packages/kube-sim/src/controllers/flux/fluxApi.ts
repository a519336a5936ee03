import type { GroupVersionResource, KubeObject } from '../../types';
import type { Condition } from '../runtime';

/** The Flux kinds the simulated controllers serve. */
export const HELM_REPOSITORIES: GroupVersionResource = { group: 'source.toolkit.fluxcd.io', version: 'v1', resource: 'helmrepositories' };
export const OCI_REPOSITORIES: GroupVersionResource = { group: 'source.toolkit.fluxcd.io', version: 'v1', resource: 'ocirepositories' };
export const HELM_CHARTS: GroupVersionResource = { group: 'source.toolkit.fluxcd.io', version: 'v1', resource: 'helmcharts' };
export const HELM_RELEASES: GroupVersionResource = { group: 'helm.toolkit.fluxcd.io', version: 'v2', resource: 'helmreleases' };
export const SECRETS: GroupVersionResource = { group: '', version: 'v1', resource: 'secrets' };
export const CONFIGMAPS: GroupVersionResource = { group: '', version: 'v1', resource: 'configmaps' };
export const JOBS: GroupVersionResource = { group: 'batch', version: 'v1', resource: 'jobs' };

/** Finalizer every Flux controller puts on the objects it reconciles. */
export const FLUX_FINALIZER = 'finalizers.fluxcd.io';
/** `flux reconcile` sets this annotation; controllers echo it in `status.lastHandledReconcileAt`. */
export const RECONCILE_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
/** Where source-controller serves artifacts inside a cluster. */
export const ARTIFACT_HOST = 'http://source-controller.flux-system.svc.cluster.local.';

/** The status fields the Flux kinds share. */
export interface FluxStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastHandledReconcileAt?: string;
  [key: string]: unknown;
}

export const fluxStatus = (object: KubeObject): FluxStatus => structuredClone((object.status ?? {}) as FluxStatus);
export const fluxSpec = (object: KubeObject): Record<string, unknown> => (object.spec ?? {}) as Record<string, unknown>;

/** Parses a Go duration (`10m`, `1h30m`, `5m0s`, `500ms`) into milliseconds. */
export function parseGoDuration(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  return matched === text && matched !== '' ? total : fallbackMs;
}

/** Formats milliseconds the way Go prints a time.Duration (`5m0s`, `1h0m0s`, `30s`). */
export function formatGoDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Echoes a pending `reconcile.fluxcd.io/requestedAt` into the status. */
export function handleReconcileRequest(object: KubeObject, status: FluxStatus): void {
  const requested = object.metadata.annotations?.[RECONCILE_REQUESTED_AT];
  if (requested) status.lastHandledReconcileAt = requested;
}

/** Drops undefined fields so the status serialises as Go's omitempty would. */
export const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
