import { SimCluster } from '@vworkspace/kube-sim';
import type { KubeObject as SimObject } from '@vworkspace/kube-sim';
import { ApiResource, apiResources, operationLabel } from '@vworkspace/backstage-plugin-fleet-common';
import { KubeClient, type KubeObject } from '@vworkspace/kube-runtime';
import { OperationControllerOptions } from '../index';
import { RunningOperator, startOperator as startFleetOperator, startSimCluster, waitFor } from '../../../testing';

export { waitFor };

/** Where kube-sim's in-process API finds each kind, from the fleet's API vocabulary. */
const gvrOf = (r: ApiResource) => ({ group: r.group, version: r.version, resource: r.plural });

export const gvr = {
  operations: gvrOf(apiResources.Operation),
  instances: gvrOf(apiResources.ApplicationInstance),
  jobs: gvrOf(apiResources.Job),
  workflows: gvrOf(apiResources.Workflow),
  workflowTemplates: gvrOf(apiResources.WorkflowTemplate),
  pvcs: gvrOf(apiResources.PersistentVolumeClaim),
  clusterroles: gvrOf(apiResources.ClusterRole),
  backups: gvrOf(apiResources.VeleroBackup),
  restores: gvrOf(apiResources.VeleroRestore),
  snapshots: gvrOf(apiResources.VolumeSnapshot),
  replicationSources: gvrOf(apiResources.ReplicationSource),
  namespaces: gvrOf(apiResources.Namespace),
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  secrets: gvrOf(apiResources.Secret),
  events: gvrOf(apiResources.Event),
  serviceaccounts: gvrOf(apiResources.ServiceAccount),
  rolebindings: gvrOf(apiResources.RoleBinding),
};

/** A kube-sim cluster with our CRDs, the upstream ones and VolSync's, and namespaces `team-a` and `velero`. */
export async function startCluster(): Promise<SimCluster> {
  const sim = await startSimCluster({ namespaces: ['team-a', 'velero'], controllers: false });
  sim.client.close();
  return sim.cluster;
}

/** An operator process: a manager running the Operation controller against `cluster`. */
export type OperatorHandle = RunningOperator;

export function newClient(cluster: SimCluster): KubeClient {
  return KubeClient.fromString(cluster.kubeConfig(), { qps: 1000, burst: 1000 });
}

export function startOperator(cluster: SimCluster, deps: OperationControllerOptions = {}, client: KubeClient = newClient(cluster)): OperatorHandle {
  return startFleetOperator(cluster, {
    client,
    concurrency: 1,
    applicationInstance: false,
    operation: deps,
    // as a bare manager: default cache timings
    manager: { cache: undefined },
  });
}

export const ns = 'team-a';

/** Creates an ApplicationInstance and, unless `ready: false`, reports it Ready at its version. */
export async function createInstance(
  cluster: SimCluster,
  name: string,
  options: { annotations?: Record<string, string>; engine?: 'flux' | 'argocd'; version?: string; ready?: boolean } = {},
): Promise<SimObject> {
  const created = await cluster.api.create(gvr.instances, {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: { name, namespace: ns, annotations: options.annotations ?? {} },
    spec: {
      app: 'nextcloud',
      engine: options.engine ?? 'flux',
      chart: { name: 'nextcloud', version: options.version ?? '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } },
    },
  });
  if (options.ready === false) return created;
  return setInstanceStatus(cluster, name, { ready: true });
}

/**
 * Plays the ApplicationInstance controller's part in these tests: reports the instance Ready
 * (or not, or Stalled) at its current spec version and generation.
 */
export async function setInstanceStatus(
  cluster: SimCluster,
  name: string,
  state: { ready: boolean; stalled?: { reason: string; message: string }; version?: string },
): Promise<SimObject> {
  const current = cluster.api.get(gvr.instances, name, { namespace: ns });
  const generation = current.metadata.generation ?? 1;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const spec = current.spec as { chart: { version: string } };
  const conditions = [
    {
      type: 'Ready',
      status: state.ready ? 'True' : 'False',
      reason: state.ready ? 'Succeeded' : state.stalled?.reason ?? 'Progressing',
      message: state.ready ? 'release deployed' : state.stalled?.message ?? 'reconciling',
      observedGeneration: generation,
      lastTransitionTime: now,
    },
    ...(state.stalled
      ? [{ type: 'Stalled', status: 'True', reason: state.stalled.reason, message: state.stalled.message, observedGeneration: generation, lastTransitionTime: now }]
      : []),
  ];
  return cluster.api.updateStatus(gvr.instances, {
    ...current,
    status: { observedGeneration: generation, conditions, chart: { version: state.version ?? spec.chart.version } },
  });
}

export async function createOperation(cluster: SimCluster, name: string, spec: Record<string, unknown>): Promise<SimObject> {
  return cluster.api.create(gvr.operations, { apiVersion: 'ops.vworkspace.io/v1alpha1', kind: 'Operation', metadata: { name, namespace: ns }, spec });
}

export type OperationView = SimObject & {
  status?: {
    phase?: string;
    message?: string;
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
    result?: Record<string, unknown>;
    engineRef?: { kind: string; name: string; namespace?: string };
    engineStatus?: { phase?: string; reason?: string; message?: string };
    startedAt?: string;
    completedAt?: string;
  };
};

export function getOperation(cluster: SimCluster, name: string): OperationView {
  return cluster.api.get(gvr.operations, name, { namespace: ns }) as OperationView;
}

/** Waits for the Operation to reach one of `phases`. */
export function waitForPhase(cluster: SimCluster, name: string, ...phases: string[]): Promise<OperationView> {
  return waitFor(() => {
    const op = getOperation(cluster, name);
    return phases.includes(op.status?.phase ?? '') ? op : undefined;
  }, () => {
    let now = 'missing';
    try {
      now = JSON.stringify(getOperation(cluster, name).status);
    } catch {
      // reported as missing
    }
    return `operation ${name} to reach ${phases.join('|')} (now ${now})`;
  });
}

export function condition(op: OperationView, type: string) {
  return op.status?.conditions?.find(c => c.type === type);
}

export function eventsFor(cluster: SimCluster, name: string): SimObject[] {
  return cluster.api.list(gvr.events, { namespace: ns }).items.filter(e => { const o = e.involvedObject as { name?: string; kind?: string }; return o.kind === 'Operation' && o.name === name; });
}

/** The client of an operator process that dies right after creating an engine resource. */
export interface DyingClient {
  client: KubeClient;
  /** The engine resource (labelled with the operation) whose creation was the last write that reached the cluster. */
  engineCreated: Promise<KubeObject>;
}

const writeMethods: ReadonlySet<PropertyKey> = new Set(['create', 'update', 'updateStatus', 'patch', 'apply', 'delete']);

/**
 * A client whose writes stop reaching the cluster once it has created an object carrying the
 * operation label: what the cluster sees of an operator process killed between creating the
 * engine resource and recording anything about it. Reads keep working, so the process keeps
 * reconciling and failing until it is stopped, as a process with a cut connection would.
 */
export function clientDyingAfterEngineCreate(cluster: SimCluster): DyingClient {
  const real = newClient(cluster);
  let dead = false;
  let created!: (obj: KubeObject) => void;
  const engineCreated = new Promise<KubeObject>(r => {
    created = r;
  });
  const client = new Proxy(real, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!writeMethods.has(prop)) return method.bind(target);
      return async (...args: unknown[]) => {
        if (dead) throw new Error('write lost: the operator process is gone');
        const result = (await method.apply(target, args)) as KubeObject;
        if (prop === 'create' && result.metadata?.labels?.[operationLabel]) {
          dead = true;
          created(result);
        }
        return result;
      };
    },
  });
  return { client, engineCreated };
}

/** Objects of `resource` labelled as made for Operation `name` (in `namespace`, default the operation's). */
export function engineResources(cluster: SimCluster, resource: (typeof gvr)[keyof typeof gvr], name: string, namespace = ns): SimObject[] {
  return cluster.api.list(resource, { namespace, labelSelector: `${operationLabel}=${name}` }).items;
}
