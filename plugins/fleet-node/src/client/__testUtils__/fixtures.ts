import type {
  AppTemplate,
  ClusterSummary,
  InstanceSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { instanceEntityRef } from '@vworkspace/backstage-plugin-fleet-common';

/** A connected push cluster, with the given changes. */
export function cluster(
  name: string,
  changes: Partial<ClusterSummary> = {},
): ClusterSummary {
  return {
    name,
    title: `Cluster ${name}`,
    mode: 'push',
    labels: { env: 'production', region: 'eu' },
    connection: {
      state: 'connected',
      since: '2026-12-04T10:00:00Z',
      lastSeen: '2026-12-04T10:05:00Z',
    },
    instanceCount: 0,
    ...changes,
  };
}

/** A Ready instance of the nextcloud app, with the given changes. */
export function instance(
  coordinates: { cluster: string; namespace: string; name: string },
  changes: Partial<InstanceSummary> = {},
): InstanceSummary {
  return {
    ...coordinates,
    uid: `uid-${coordinates.cluster}-${coordinates.namespace}-${coordinates.name}`,
    entityRef: instanceEntityRef(coordinates),
    app: 'nextcloud',
    engine: 'flux',
    chart: {
      name: 'nextcloud',
      version: '6.2.0',
      deployedVersion: '6.2.0',
      appVersion: '29.0',
    },
    status: 'Ready',
    capabilities: { backup: 'velero', restore: 'velero', upgrade: 'helm' },
    stale: false,
    ...changes,
  };
}

/** The nextcloud app of the app catalog. */
export function app(
  id = 'nextcloud',
  changes: Partial<AppTemplate> = {},
): AppTemplate {
  return {
    id,
    title: id === 'nextcloud' ? 'Nextcloud' : id,
    description: `${id}, curated`,
    links: [{ url: `https://${id}.example.org/docs`, title: 'Documentation' }],
    chart: {
      name: id,
      repository: { url: `https://charts.example.org/${id}`, type: 'helm' },
      versions: ['6.2.0', '6.1.0'],
    },
    defaultValues: {},
    capabilities: { backup: 'velero' },
    operations: [],
    ...changes,
  };
}
