/* The apps the benchmarks' ApplicationInstances are made of: charts of the demo catalog, so that
 * the instances are what a fleet would hold. */

/** One app of the benchmarks' instances, with its chart. */
export interface BenchApp {
  app: string;
  chart: string;
  version: string;
  url: string;
}

export const benchApps: BenchApp[] = [
  { app: 'nextcloud', chart: 'nextcloud', version: '6.3.0', url: 'https://nextcloud.github.io/helm/' },
  { app: 'gitea', chart: 'gitea', version: '10.6.0', url: 'https://dl.gitea.com/charts/' },
  { app: 'vaultwarden', chart: 'vaultwarden', version: '0.30.0', url: 'https://guerzon.github.io/vaultwarden' },
  { app: 'mattermost', chart: 'mattermost-team-edition', version: '6.6.65', url: 'https://helm.mattermost.com' },
];

/** The app of the i-th instance of a cluster. */
export const benchAppOf = (i: number): BenchApp => benchApps[i % benchApps.length];
