import path from 'node:path';
import {
  createServiceFactory,
  coreServices,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { SimCluster } from '@vworkspace/kube-sim';
import {
  capabilityAnnotations,
  ownerAnnotation,
} from '@vworkspace/backstage-plugin-fleet-common';

/** The fleet's CRDs, as the operator generates them. */
export function fleetCrdsDir(): string {
  return path.join(path.dirname(require.resolve('@vworkspace/fleet-operator/package.json')), 'crds');
}

export const instanceGvr = { group: 'apps.vworkspace.io', version: 'v1alpha1', resource: 'applicationinstances' };
export const operationGvr = { group: 'ops.vworkspace.io', version: 'v1alpha1', resource: 'operations' };

/** A kube-sim cluster serving the fleet's CRDs, with the given namespaces. */
export async function startFleetCluster(
  name: string,
  options: { tls?: boolean; namespaces?: string[] } = {},
): Promise<SimCluster> {
  const cluster = await SimCluster.start({ name, tls: options.tls ?? false, crds: [fleetCrdsDir()] });
  for (const ns of options.namespaces ?? []) {
    await cluster.api.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  return cluster;
}

/** Creates an ApplicationInstance as the app catalog would shape it, with a status as the operator would write it. */
export async function createInstance(
  cluster: SimCluster,
  input: {
    namespace: string;
    name: string;
    app: string;
    version: string;
    owner?: string;
    ready?: boolean;
    lastBackup?: { operation: string; completedAt: string };
  },
): Promise<void> {
  const created = await cluster.api.create(instanceGvr, {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      annotations: {
        [capabilityAnnotations.backup]: 'velero',
        [capabilityAnnotations.restore]: 'velero',
        [capabilityAnnotations.upgrade]: 'helm',
        ...(input.owner ? { [ownerAnnotation]: input.owner } : {}),
      },
    },
    spec: {
      app: input.app,
      chart: { name: input.app, version: input.version, repository: { url: `https://charts.example.com/${input.app}`, type: 'helm' } },
    },
  });
  if (input.ready === undefined) return;
  const generation = created.metadata.generation ?? 1;
  const now = '2026-01-01T00:00:00Z';
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: '',
    lastTransitionTime: now,
    observedGeneration: generation,
  });
  await cluster.api.updateStatus(instanceGvr, {
    ...created,
    status: {
      observedGeneration: generation,
      conditions: input.ready
        ? [condition('Ready', 'True', 'Succeeded'), condition('Reconciling', 'False', 'Succeeded'), condition('Stalled', 'False', 'Succeeded')]
        : [condition('Ready', 'False', 'Progressing'), condition('Reconciling', 'True', 'Progressing'), condition('Stalled', 'False', 'Progressing')],
      chart: { version: input.version },
      ...(input.lastBackup ? { lastBackup: input.lastBackup } : {}),
    },
  });
}

/** Every log line the backend writes, as JSON text, so tests can look for what must never be there. */
export class CapturedLogs {
  readonly lines: string[] = [];

  logger(fields: Record<string, unknown> = {}): LoggerService {
    const write = (level: string) => (message: string, meta?: Error | Record<string, unknown>) => {
      const extra = meta instanceof Error ? { error: `${meta.name}: ${meta.message} ${meta.stack ?? ''}` } : meta;
      this.lines.push(JSON.stringify({ level, message, ...fields, ...extra }));
    };
    return {
      error: write('error'),
      warn: write('warn'),
      info: write('info'),
      debug: write('debug'),
      child: (more: Record<string, unknown>) => this.logger({ ...fields, ...more }),
    };
  }

  /** A root logger factory writing here. */
  factory() {
    return createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => this.logger() as RootLoggerService,
    });
  }
}
