import type {
  FleetSummary,
  InstanceStatus,
  InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';

/** The fleet page's filters; an absent field does not filter. @public */
export interface InstanceFilters {
  cluster?: string;
  app?: string;
  status?: InstanceStatus;
  owner?: string;
  /** Case-insensitive substring of name, namespace, cluster, app or owner (as the backend's `q`). */
  q?: string;
}

/** The instances that pass every filter. Pure. @public */
export function filterInstances(
  items: InstanceSummary[],
  filters: InstanceFilters,
): InstanceSummary[] {
  const q = filters.q?.trim().toLowerCase();
  return items.filter(
    item =>
      (!filters.cluster || item.cluster === filters.cluster) &&
      (!filters.app || item.app === filters.app) &&
      (!filters.status || item.status === filters.status) &&
      (!filters.owner || item.owner === filters.owner) &&
      (!q ||
        [
          item.name,
          item.namespace,
          item.cluster,
          item.app,
          item.owner ?? '',
        ].some(field => field.toLowerCase().includes(q))),
  );
}

/**
 * Status counts by cluster and by app, in the shape of the backend's `GET /summary`, computed
 * from the live list so the numbers always agree with the table below them. Pure.
 * @public
 */
export function summarizeInstances(items: InstanceSummary[]): FleetSummary {
  const summary: FleetSummary = {
    total: items.length,
    byStatus: {},
    byCluster: {},
    byApp: {},
  };
  const count = (table: Record<string, number>, status: string) => {
    table[status] = (table[status] ?? 0) + 1;
  };
  for (const item of items) {
    count(summary.byStatus, item.status);
    count((summary.byCluster[item.cluster] ??= {}), item.status);
    count((summary.byApp[item.app] ??= {}), item.status);
  }
  return summary;
}

/** Distinct values of a field, sorted, for a filter's choices. Pure. @public */
export function distinctValues(
  items: InstanceSummary[],
  field: 'cluster' | 'app' | 'owner',
): string[] {
  const values = new Set<string>();
  for (const item of items) {
    const value = item[field];
    if (value) values.add(value);
  }
  return [...values].sort();
}

/** Statuses in the order the page shows them, worst first. @public */
export const statusOrder: ReadonlyArray<InstanceStatus> = [
  'Failed',
  'Stalled',
  'Progressing',
  'Unknown',
  'Ready',
];

const filterKeys = ['cluster', 'app', 'status', 'owner', 'q'] as const;

/**
 * Filters read from a URL query, so a filtered view can be linked to and survives a reload.
 * Unknown statuses are ignored rather than matching nothing. Pure.
 * @public
 */
export function filtersFromParams(params: URLSearchParams): InstanceFilters {
  const filters: InstanceFilters = {};
  for (const key of filterKeys) {
    const value = params.get(key);
    if (!value) continue;
    if (key === 'status') {
      if ((statusOrder as readonly string[]).includes(value)) {
        filters.status = value as InstanceStatus;
      }
    } else {
      filters[key] = value;
    }
  }
  return filters;
}

/** The URL query of a set of filters; empty filters are left out. Pure. @public */
export function filtersToParams(filters: InstanceFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of filterKeys) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}
