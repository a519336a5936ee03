import type { Config } from '@backstage/config';

/** Settings of the embedded demo fleet (`fleet.demo`). */
export interface DemoFleetConfig {
  /** Whether the backend starts the demo fleet. Default false. */
  enabled: boolean;
  /** How many simulated clusters. Default 3. */
  clusters: number;
  /** Multiplier of the simulated controllers' durations: 1 is demo speed, 0 as fast as possible. Default 1. */
  timeScale: number;
}

/** The most clusters the demo starts: each runs an operator process. */
export const maxDemoClusters = 10;

/** Reads `fleet.demo`; a bad value stops start-up with a message naming the key. */
export function readDemoFleetConfig(config: Config): DemoFleetConfig {
  const enabled = config.getOptionalBoolean('fleet.demo.enabled') ?? false;
  const clusters = config.getOptionalNumber('fleet.demo.clusters') ?? 3;
  if (
    !Number.isInteger(clusters) ||
    clusters < 1 ||
    clusters > maxDemoClusters
  ) {
    throw new Error(
      `fleet.demo.clusters must be a whole number from 1 to ${maxDemoClusters}, got ${clusters}`,
    );
  }
  const timeScale = config.getOptionalNumber('fleet.demo.timeScale') ?? 1;
  if (!Number.isFinite(timeScale) || timeScale < 0) {
    throw new Error(
      `fleet.demo.timeScale must be a number >= 0 (1 is demo speed), got ${timeScale}`,
    );
  }
  return { enabled, clusters, timeScale };
}

/** A demo cluster: name, title and the labels a platform team would give it. */
export interface DemoClusterSpec {
  name: string;
  title: string;
  labels: Record<string, string>;
}

const regions = [
  { key: 'eu', title: 'Europe', region: 'eu-west', env: 'production' },
  { key: 'us', title: 'United States', region: 'us-east', env: 'production' },
  { key: 'ap', title: 'Asia Pacific', region: 'ap-southeast', env: 'staging' },
] as const;

/** `demo-eu-1`, `demo-us-1`, `demo-ap-1`, then `demo-eu-2`, ... with region and env labels. */
export function demoClusterSpecs(count: number): DemoClusterSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const region = regions[i % regions.length];
    const ordinal = Math.floor(i / regions.length) + 1;
    return {
      name: `demo-${region.key}-${ordinal}`,
      title: `Demo ${region.title} ${ordinal}`,
      labels: {
        region: region.region,
        env: region.env,
        provider: 'kube-sim',
      },
    };
  });
}
