import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type {
  ClusterDefinition,
  ClusterSupplier,
} from '@vworkspace/backstage-plugin-fleet-node';
import {
  createCertificateAuthority,
  SimCluster,
  SimControllersHandle,
  SimFleet,
  startControllers,
} from '@vworkspace/kube-sim';
import { KubeClient } from '@vworkspace/kube-runtime';
import type { AppCatalog } from '../catalog/AppCatalog';
import {
  applyAsUser,
  demoCrdPaths,
  demoKinds,
  ensureNamespaces,
  operatorProfileClusterRoles,
  operatorWebhookConfiguration,
} from './demoClusterSetup';
import {
  demoClusterSpecs,
  DemoClusterSpec,
  readDemoFleetConfig,
} from './demoFleetConfig';
import { demoInstances } from './demoInstances';
import { freePort } from './freePort';
import { OperatorProcess, writeParentWatchdog } from './OperatorProcess';

/** How long an operator may take to start (it compiles its sources on load, on a busy machine). */
const operatorStartTimeoutMs = 180_000;

/** Options of {@link DemoFleet.start}. @public */
export interface DemoFleetOptions {
  config: Config;
  logger: LoggerService;
  appCatalog: AppCatalog;
  /**
   * Runs the last `clusters` demo clusters in pull mode: each is joined with `join` (which
   * registers it and answers its join token) and its operator connects out to `controlPlane`.
   * Default: every cluster in push mode.
   */
  pull?: {
    clusters: number;
    controlPlane: string;
    join(cluster: DemoClusterSpec): Promise<string>;
  };
}

/**
 * The embedded demo fleet, so that a development backend shows a live fleet with no cluster:
 * kube-sim clusters on 127.0.0.1 with the fleet's CRDs and simulated Flux, Velero, Argo and
 * CSI controllers, the real operator (a child process per cluster, with its validating
 * webhook registered), and a handful of instances created from the app catalog as a user
 * would. A cluster supplier of push clusters. Everything ends with {@link DemoFleet.stop};
 * the operator processes also end on their own when the backend process dies.
 * @public
 */
export class DemoFleet implements ClusterSupplier {
  readonly id = 'demo-fleet';
  private readonly operators: OperatorProcess[] = [];
  private readonly clients: KubeClient[] = [];
  private stopped = false;
  private ready: Promise<void> = Promise.resolve();

  private constructor(
    private readonly fleet: SimFleet,
    private readonly specs: DemoClusterSpec[],
    private readonly controllers: SimControllersHandle[],
    private readonly dir: string,
    private readonly logger: LoggerService,
    private readonly pull?: DemoFleetOptions['pull'],
  ) {}

  /** Whether `name` runs in pull mode (the last `pull.clusters` clusters). */
  private isPull(name: string): boolean {
    const count = this.pull?.clusters ?? 0;
    return count > 0 && this.specs.slice(-count).some(spec => spec.name === name);
  }

  /**
   * Starts the clusters and returns once they answer; the operators start and the instances
   * are created in the background ({@link DemoFleet.whenReady}), so the backend is not held up.
   */
  static async start(options: DemoFleetOptions): Promise<DemoFleet> {
    const settings = readDemoFleetConfig(options.config);
    const specs = demoClusterSpecs(settings.clusters);
    const logger = options.logger.child({ component: 'demo-fleet' });
    const fleet = await SimFleet.start({
      clusters: specs.map(spec => ({
        name: spec.name,
        labels: spec.labels,
        tls: true,
      })),
      crds: demoCrdPaths(),
    });
    const controllers = fleet.clusters.map(cluster =>
      startControllers(cluster, {
        flux: true,
        argocd: true,
        velero: true,
        workflows: true,
        jobs: true,
        snapshots: true,
        volsync: true,
        timeScale: settings.timeScale,
        onError: (controller, key, error) =>
          logger.warn(
            `${cluster.name}: simulated ${controller} failed on ${
              key.namespace ?? ''
            }/${key.name}: ${(error as Error).message}`,
          ),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'fleet-demo-'));
    const demo = new DemoFleet(fleet, specs, controllers, dir, logger, options.pull);
    demo.ready = demo.bringUp(options.appCatalog);
    // Logged here; whenReady() still rejects for whoever waits on it.
    demo.ready.catch(error => {
      if (!demo.stopped)
        logger.error(`Demo fleet did not come up: ${(error as Error).message}`);
    });
    logger.info(
      `Demo fleet: ${specs.length} kube-sim clusters (${fleet.clusters
        .map(c => `${c.name} ${c.url}`)
        .join(', ')}); starting the operators`,
    );
    return demo;
  }

  /** Resolves once every operator runs and the demo instances exist; rejects if that failed. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  async getClusters(): Promise<ClusterDefinition[]> {
    // pull clusters are registered through the control plane, like any joined cluster
    return this.specs.filter(spec => !this.isPull(spec.name)).map(spec => {
      const cluster = this.fleet.cluster(spec.name);
      return {
        name: spec.name,
        title: spec.title,
        mode: 'push',
        labels: { ...spec.labels },
        push: {
          url: cluster.url,
          caData: Buffer.from(cluster.caPem ?? '').toString('base64'),
          token: async () => cluster.adminToken,
        },
      };
    });
  }

  /** The simulated clusters, e.g. for tests that take one away. */
  get clusters(): SimCluster[] {
    return this.fleet.clusters;
  }

  /** Process ids of the running operators. */
  get operatorPids(): number[] {
    return this.operators.flatMap(op => (op.pid ? [op.pid] : []));
  }

  /** Stops the operators, the simulated controllers and the clusters. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.operators.map(op => op.stop()));
    await this.ready.catch(() => undefined);
    // An operator started while the first ones stopped.
    await Promise.all(this.operators.map(op => op.stop()));
    for (const client of this.clients) client.close();
    for (const handle of this.controllers) handle.stop();
    await this.fleet.stop();
    rmSync(this.dir, { recursive: true, force: true });
    this.logger.info('Demo fleet stopped');
  }

  private async bringUp(catalog: AppCatalog): Promise<void> {
    const started = Date.now();
    const certDir = join(this.dir, 'webhook');
    mkdirSync(certDir);
    const ca = createCertificateAuthority('fleet-demo-webhook-ca');
    const serving = ca.issue(['localhost', '127.0.0.1']);
    writeFileSync(join(certDir, 'tls.crt'), serving.cert);
    writeFileSync(join(certDir, 'tls.key'), serving.key, { mode: 0o600 });
    writeFileSync(join(certDir, 'ca.crt'), ca.cert);
    const watchdog = writeParentWatchdog(this.dir);
    const instances = demoInstances(
      catalog,
      this.specs.map(spec => spec.name),
    );
    await Promise.all(
      this.fleet.clusters.map(async cluster => {
        const client = KubeClient.fromString(cluster.kubeConfig());
        this.clients.push(client);
        for (const role of operatorProfileClusterRoles()) {
          await applyAsUser(client, demoKinds.ClusterRole, role);
        }
        const kubeconfig = join(this.dir, `${cluster.name}.kubeconfig`);
        writeFileSync(kubeconfig, cluster.kubeConfig(), { mode: 0o600 });
        const port = await freePort();
        const pullArgs: string[] = [];
        const spec = this.specs.find(candidate => candidate.name === cluster.name);
        if (this.pull && spec && this.isPull(spec.name)) {
          const tokenFile = join(this.dir, `${cluster.name}.join-token`);
          writeFileSync(tokenFile, await this.pull.join(spec), { mode: 0o600 });
          pullArgs.push('--control-plane', this.pull.controlPlane, '--control-plane-token-file', tokenFile);
        }
        if (this.stopped) return;
        const operator = OperatorProcess.start({
          args: [
            '--kubeconfig',
            kubeconfig,
            '--metrics-bind-address',
            '0',
            '--health-probe-bind-address',
            '0',
            '--webhook-bind-address',
            `127.0.0.1:${port}`,
            '--webhook-cert-dir',
            certDir,
            ...pullArgs,
          ],
          watchdog,
          logger: this.logger.child({
            cluster: cluster.name,
            component: 'fleet-operator',
          }),
        });
        this.operators.push(operator);
        try {
          await operator.waitForPort(port, operatorStartTimeoutMs);
        } catch (error) {
          throw new Error(
            `the operator of ${cluster.name} ${(error as Error).message}`,
          );
        }
        if (this.stopped) return;
        await applyAsUser(
          client,
          demoKinds.ValidatingWebhookConfiguration,
          operatorWebhookConfiguration(port, ca.cert),
        );
        const mine = instances.filter(i => i.cluster === cluster.name);
        await ensureNamespaces(
          client,
          new Set(mine.map(i => i.object.metadata.namespace!)),
        );
        for (const instance of mine) {
          await applyAsUser(
            client,
            demoKinds.ApplicationInstance,
            instance.object,
          );
        }
      }),
    );
    if (this.stopped) return;
    this.logger.info(
      `Demo fleet ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${
        this.operators.length
      } operators, ${instances.length} instances`,
    );
  }
}
