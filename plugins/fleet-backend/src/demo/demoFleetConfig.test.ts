import { ConfigReader } from '@backstage/config';
import { demoClusterSpecs, readDemoFleetConfig } from './demoFleetConfig';

describe('readDemoFleetConfig', () => {
  it('defaults to off, 3 clusters, demo speed', () => {
    expect(readDemoFleetConfig(new ConfigReader({}))).toEqual({
      enabled: false,
      clusters: 3,
      timeScale: 1,
    });
  });

  it.each([
    [
      { clusters: 0 },
      'fleet.demo.clusters must be a whole number from 1 to 10, got 0',
    ],
    [
      { clusters: 2.5 },
      'fleet.demo.clusters must be a whole number from 1 to 10, got 2.5',
    ],
    [
      { clusters: 11 },
      'fleet.demo.clusters must be a whole number from 1 to 10, got 11',
    ],
    [
      { timeScale: -1 },
      'fleet.demo.timeScale must be a number >= 0 (1 is demo speed), got -1',
    ],
  ])('refuses %j', (demo, message) => {
    expect(() =>
      readDemoFleetConfig(
        new ConfigReader({ fleet: { demo: { enabled: true, ...demo } } }),
      ),
    ).toThrow(message);
  });
});

describe('demoClusterSpecs', () => {
  it('names clusters by region, with differing region labels', () => {
    const specs = demoClusterSpecs(4);
    expect(specs.map(s => s.name)).toEqual([
      'demo-eu-1',
      'demo-us-1',
      'demo-ap-1',
      'demo-eu-2',
    ]);
    expect(new Set(specs.slice(0, 3).map(s => s.labels.region)).size).toBe(3);
    expect(specs[3].labels.region).toBe(specs[0].labels.region);
  });
});
