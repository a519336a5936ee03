import { applicationInstanceSchema } from '@vworkspace/backstage-plugin-fleet-common';
import { ChartCatalog } from '@vworkspace/kube-sim';
import { AppCatalog, bundledDemoCatalogPath } from '../catalog/AppCatalog';
import { demoClusterSpecs } from './demoFleetConfig';
import { demoInstances } from './demoInstances';

describe('demoInstances', () => {
  let catalog: AppCatalog;
  const clusters = demoClusterSpecs(3).map(spec => spec.name);

  beforeAll(async () => {
    catalog = await AppCatalog.fromFiles([bundledDemoCatalogPath()]);
  });

  it('spreads 8 to 12 instances over every cluster and both teams', () => {
    const instances = demoInstances(catalog, clusters);
    expect(instances.length).toBeGreaterThanOrEqual(8);
    expect(instances.length).toBeLessThanOrEqual(12);
    expect(new Set(instances.map(i => i.cluster))).toEqual(new Set(clusters));
    expect(new Set(instances.map(i => i.object.metadata.namespace))).toEqual(
      new Set(['team-a', 'team-b']),
    );
    expect(new Set(instances.map(i => i.object.spec.app))).toEqual(
      new Set(catalog.list().map(app => app.id)),
    );
  });

  it('writes valid instances, owned by their team', () => {
    for (const { object } of demoInstances(catalog, clusters)) {
      expect(applicationInstanceSchema.safeParse(object).error).toBeUndefined();
      expect(object.metadata.annotations?.['backstage.io/owner']).toBe(
        `group:${object.metadata.namespace}`,
      );
    }
  });

  it('puts exactly one instance on a chart version kube-sim fails to install', () => {
    const failing = new Set(
      ChartCatalog.load().charts.flatMap(chart =>
        chart.versions
          .filter(v => v.fail?.install)
          .map(v => `${chart.name}@${v.version}`),
      ),
    );
    const red = demoInstances(catalog, clusters).filter(({ object }) =>
      failing.has(`${object.spec.chart.name}@${object.spec.chart.version}`),
    );
    expect(red).toHaveLength(1);
  });

  it('never puts two instances with one name in one namespace of a cluster', () => {
    for (const count of [1, 2, 3]) {
      const keys = demoInstances(catalog, clusters.slice(0, count)).map(
        i =>
          `${i.cluster}/${i.object.metadata.namespace}/${i.object.metadata.name}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});
