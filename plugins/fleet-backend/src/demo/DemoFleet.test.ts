import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { ClusterDefinition } from '@vworkspace/backstage-plugin-fleet-node';
import { KubeClient, KubeObject } from '@vworkspace/kube-runtime';
import { KubeConfig } from '@kubernetes/client-node';
import { AppCatalog, bundledDemoCatalogPath } from '../catalog/AppCatalog';
import { DemoFleet } from './DemoFleet';
import { demoKinds } from './demoClusterSetup';
import { writeParentWatchdog } from './OperatorProcess';

/** A client of a cluster made from its definition alone, as the backend connects. */
function clientFor(definition: ClusterDefinition, token: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: definition.name,
        server: definition.push!.url,
        caData: definition.push!.caData,
      },
    ],
    users: [{ name: 'backstage', token }],
    contexts: [{ name: 'ctx', cluster: definition.name, user: 'backstage' }],
    currentContext: 'ctx',
  });
  return new KubeClient(kc);
}

type Instance = KubeObject & {
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
    }>;
    chart?: { version?: string };
  };
};

const ready = (instance: Instance | undefined) =>
  instance?.status?.conditions?.find(c => c.type === 'Ready');

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(
    `timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`,
  );
}

/** Whether a process is gone (a zombie nobody reaped yet counts as gone). */
function gone(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return true;
  try {
    return /^State:\s+Z/m.test(readFileSync(status, 'utf8'));
  } catch {
    return true;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('DemoFleet', () => {
  let demo: DemoFleet;
  let clusters: ClusterDefinition[];
  const clients: KubeClient[] = [];

  beforeAll(async () => {
    const catalog = await AppCatalog.fromFiles([bundledDemoCatalogPath()]);
    demo = await DemoFleet.start({
      config: new ConfigReader({
        fleet: { demo: { enabled: true, clusters: 2, timeScale: 0 } },
      }),
      logger: mockServices.logger.mock(),
      appCatalog: catalog,
    });
    clusters = await demo.getClusters();
    await demo.whenReady();
  }, 240_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await demo?.stop();
  });

  async function clientOf(name: string): Promise<KubeClient> {
    const definition = clusters.find(c => c.name === name)!;
    const client = clientFor(definition, await definition.push!.token!());
    clients.push(client);
    return client;
  }

  it('supplies push clusters on 127.0.0.1 with their own labels', () => {
    expect(clusters.map(c => c.name)).toEqual(['demo-eu-1', 'demo-us-1']);
    for (const cluster of clusters) {
      expect(cluster.mode).toBe('push');
      expect(cluster.push?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(clusters[0].labels.region).not.toEqual(clusters[1].labels.region);
  });

  it('creates owned instances across clusters and namespaces, which the operator deploys', async () => {
    const eu = await clientOf('demo-eu-1');
    const us = await clientOf('demo-us-1');
    const euInstances = (await eu.list<Instance>(demoKinds.ApplicationInstance))
      .items;
    const usInstances = (await us.list<Instance>(demoKinds.ApplicationInstance))
      .items;
    expect(euInstances.length + usInstances.length).toBeGreaterThanOrEqual(8);
    expect(new Set(euInstances.map(i => i.metadata?.namespace))).toEqual(
      new Set(['team-a', 'team-b']),
    );
    for (const instance of [...euInstances, ...usInstances]) {
      expect(instance.metadata?.annotations?.['backstage.io/owner']).toMatch(
        /^group:team-[ab]$/,
      );
      expect(instance.metadata?.annotations?.['ops.vworkspace.io/backup']).toBe(
        'velero',
      );
    }
    const nextcloud = await eventually(async () => {
      const instance = await eu.get<Instance>(
        demoKinds.ApplicationInstance,
        'nextcloud',
        'team-a',
      );
      return ready(instance)?.status === 'True' ? instance : undefined;
    }, 'nextcloud on demo-eu-1 to be Ready');
    expect(nextcloud.status?.chart?.version).toBe('6.3.0');
  }, 90_000);

  it('shows the instance on a failing chart version as not Ready, with the reason', async () => {
    const us = await clientOf('demo-us-1');
    const condition = await eventually(async () => {
      const instance = await us.get<Instance>(
        demoKinds.ApplicationInstance,
        'chat',
        'team-b',
      );
      const c = ready(instance);
      // Ready=False first says the install is running; the failure follows.
      return c?.status === 'False' && /Failed to install/.test(c.message ?? '')
        ? c
        : undefined;
    }, 'chat on demo-us-1 to fail to install');
    expect(condition.reason).toBeTruthy();
  }, 90_000);

  it("registers the operator's validating webhook", async () => {
    const eu = await clientOf('demo-eu-1');
    // The CRD cannot tell an oci repository from an https URL; the operator's webhook can.
    const error = await eu
      .create(demoKinds.ApplicationInstance, {
        apiVersion: 'apps.vworkspace.io/v1alpha1',
        kind: 'ApplicationInstance',
        metadata: { name: 'mixed-up', namespace: 'team-a' },
        spec: {
          app: 'immich',
          chart: {
            name: 'immich',
            version: '0.9.3',
            repository: {
              url: 'https://immich-app.github.io/immich-charts',
              type: 'oci',
            },
          },
        },
      })
      .catch(e => e);
    expect(String(error?.message ?? error)).toContain(
      'an oci repository needs an oci:// URL',
    );
  });

  it('stops every operator and cluster', async () => {
    const pids = demo.operatorPids;
    expect(pids).toHaveLength(2);
    await demo.stop();
    for (const pid of pids) expect(gone(pid)).toBe(true);
    for (const cluster of clusters) {
      const port = Number(new URL(cluster.push!.url).port);
      expect(await accepts(port)).toBe(false);
    }
  }, 30_000);
});

describe('the operator processes', () => {
  it('end when the backend process dies without stopping them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchdog-'));
    const watchdog = writeParentWatchdog(dir);
    // A stand-in for the backend: starts a long-running child as DemoFleet starts operators.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, ['--require', ${JSON.stringify(
          watchdog,
        )}, '-e', 'setInterval(() => {}, 1000)'], { stdio: ['pipe', 'ignore', 'ignore'] });
         console.log(c.pid); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const childPid = await new Promise<number>(resolve =>
      parent.stdout!.once('data', chunk =>
        resolve(Number(String(chunk).trim())),
      ),
    );
    expect(gone(childPid)).toBe(false);
    parent.kill('SIGKILL');
    await eventually(
      async () => (gone(childPid) ? true : undefined),
      `process ${childPid} to end`,
      15_000,
    );
  }, 30_000);
});
