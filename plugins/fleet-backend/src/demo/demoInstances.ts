import {
  ApplicationInstance,
  applicationInstanceApiVersion,
  appInstanceAnnotations,
  ownerAnnotation,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { AppCatalog } from '../catalog/AppCatalog';

/** One instance the demo creates: where, which app and chart version, and who owns it. */
interface PlannedInstance {
  /** Index into the demo clusters; wraps around when there are fewer. */
  cluster: number;
  namespace: string;
  name: string;
  app: string;
  version: string;
  owner: string;
}

/*
 * The demo fleet's instances: two teams, every app, several versions of each so that the
 * fleet summary and upgrade campaigns have something to show, and mattermost 6.6.64, whose
 * install kube-sim's chart fails, so the portal shows a red instance with its reason.
 */
const plan: PlannedInstance[] = [
  {
    cluster: 0,
    namespace: 'team-a',
    name: 'nextcloud',
    app: 'nextcloud',
    version: '6.3.0',
    owner: 'group:team-a',
  },
  {
    cluster: 0,
    namespace: 'team-a',
    name: 'gitea',
    app: 'gitea',
    version: '10.6.0',
    owner: 'group:team-a',
  },
  {
    cluster: 0,
    namespace: 'team-b',
    name: 'vaultwarden',
    app: 'vaultwarden',
    version: '0.30.0',
    owner: 'group:team-b',
  },
  {
    cluster: 0,
    namespace: 'team-b',
    name: 'photos',
    app: 'immich',
    version: '0.9.0',
    owner: 'group:team-b',
  },
  {
    cluster: 1,
    namespace: 'team-a',
    name: 'nextcloud',
    app: 'nextcloud',
    version: '6.2.0',
    owner: 'group:team-a',
  },
  {
    cluster: 1,
    namespace: 'team-b',
    name: 'chat',
    app: 'mattermost',
    version: '6.6.64',
    owner: 'group:team-b',
  },
  {
    cluster: 1,
    namespace: 'team-b',
    name: 'gitea',
    app: 'gitea',
    version: '10.5.0',
    owner: 'group:team-b',
  },
  {
    cluster: 2,
    namespace: 'team-a',
    name: 'chat',
    app: 'mattermost',
    version: '6.6.65',
    owner: 'group:team-a',
  },
  {
    cluster: 2,
    namespace: 'team-b',
    name: 'nextcloud-staging',
    app: 'nextcloud',
    version: '6.1.0',
    owner: 'group:team-b',
  },
  {
    cluster: 2,
    namespace: 'team-a',
    name: 'vaultwarden',
    app: 'vaultwarden',
    version: '0.31.0',
    owner: 'group:team-a',
  },
];

/** An ApplicationInstance the demo applies to one of its clusters. */
export interface DemoInstance {
  cluster: string;
  object: ApplicationInstance;
}

/**
 * The ApplicationInstances to create, as a user would write them from the catalog: the app's
 * chart coordinates and default values, its capability annotations and an owner. With fewer
 * than three clusters, instances that would land twice on one cluster are left out.
 */
export function demoInstances(
  catalog: AppCatalog,
  clusters: string[],
): DemoInstance[] {
  const seen = new Set<string>();
  const out: DemoInstance[] = [];
  for (const planned of plan) {
    const app = catalog.get(planned.app);
    if (!app || !app.chart.versions.includes(planned.version)) continue;
    const cluster = clusters[planned.cluster % clusters.length];
    const key = `${cluster}/${planned.namespace}/${planned.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      cluster,
      object: {
        apiVersion: applicationInstanceApiVersion,
        kind: 'ApplicationInstance',
        metadata: {
          name: planned.name,
          namespace: planned.namespace,
          annotations: {
            ...appInstanceAnnotations(app),
            [ownerAnnotation]: planned.owner,
          },
        },
        spec: {
          app: app.id,
          engine: 'flux',
          chart: {
            name: app.chart.name,
            version: planned.version,
            repository: app.chart.repository,
          },
          values: app.defaultValues,
          interval: '10m',
          suspend: false,
        },
      },
    });
  }
  return out;
}
