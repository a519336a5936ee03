import { createHash } from 'node:crypto';
import type {
  ApplicationInstanceSpec,
  HelmRelease,
  HelmRepository,
  OCIRepository,
} from '@vworkspace/backstage-plugin-fleet-common';
import {
  childLabels,
  InstanceRef,
  instanceOwnerReference,
  managedByValue,
  withAppliedHash,
} from './childMeta';
import { instanceKinds } from './kinds';
import type { KubeObject } from '@vworkspace/kube-runtime';

/**
 * How often a shared chart source is refreshed. Not the instance's interval: several instances
 * with different intervals share one source, and its spec must not depend on which of them
 * applied it last.
 */
const sourceInterval = '10m';

/** Media type of a Helm chart layer in an OCI artifact. */
const helmChartLayer = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** A trailing slash does not make another repository. */
function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function shortSha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/**
 * Name of the Flux source of a chart, shared by every instance of the namespace that uses it:
 * `repo-<sha256(url)[0:10]>` for a Helm repository. An OCIRepository pins one artifact tag, so
 * it is shared per artifact URL and chart version instead.
 * @public
 */
export function fluxSourceName(chart: ApplicationInstanceSpec['chart']): string {
  const url = normalizeUrl(chart.repository.url);
  return chart.repository.type === 'oci'
    ? `repo-${shortSha(`${url}:${chart.version}`)}`
    : `repo-${shortSha(url)}`;
}

/** The Flux source kind of a chart. @public */
export function fluxSourceKind(
  chart: ApplicationInstanceSpec['chart'],
): 'HelmRepository' | 'OCIRepository' {
  return chart.repository.type === 'oci' ? 'OCIRepository' : 'HelmRepository';
}

function byNameThenUid(a: InstanceRef & { uid: string }, b: InstanceRef & { uid: string }): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.uid < b.uid ? -1 : 1;
}

function sortedOwners(owners: ReadonlyArray<InstanceRef>) {
  return owners
    .filter((o): o is InstanceRef & { uid: string } => !!o.uid)
    .sort(byNameThenUid)
    .map(o => instanceOwnerReference(o, false));
}

/**
 * How many users of a shared source own it. The garbage collector keeps an object while any
 * owner lives, so a few owners are enough; listing every user would rewrite the source (and
 * grow every watch event of it) each time an instance joins.
 * @public
 */
export const sharedSourceOwners = 5;

/** A user of a shared source, with what orders users: creation time, then name. @public */
export interface SourceUser extends InstanceRef {
  creationTimestamp?: string;
}

/**
 * The users that own a shared source: the {@link sharedSourceOwners} oldest, so that newer
 * users joining never change the choice, and an owner leaving is replaced by the next oldest.
 * @public
 */
export function selectSourceOwners(users: ReadonlyArray<SourceUser>): SourceUser[] {
  return [...users]
    .filter(u => !!u.uid)
    .sort((a, b) => (a.creationTimestamp ?? '').localeCompare(b.creationTimestamp ?? '') || a.name.localeCompare(b.name))
    .slice(0, sharedSourceOwners);
}

/**
 * Whether a live shared source is owned well enough: by as many current users as
 * {@link selectSourceOwners} would pick. Fewer (an owner left, or the source was just
 * created by another user) means it must be rewritten with the current choice. Reads only
 * the source's few owner references, so it is cheap on every reconcile.
 * @public
 */
export function sourceOwnedByUsers(
  live: KubeObject,
  isCurrentUser: (owner: { name: string; uid: string }) => boolean,
  userCount: number,
): boolean {
  const owning = (live.metadata?.ownerReferences ?? []).filter(isCurrentUser).length;
  return owning >= Math.min(sharedSourceOwners, userCount);
}

/**
 * The shared HelmRepository or OCIRepository of a chart in `namespace`, owned (non-controller
 * ownerReferences) by `owners`, normally {@link selectSourceOwners} of its users, so the
 * garbage collector removes it with its last user.
 * @public
 */
export function buildFluxSource(
  chart: ApplicationInstanceSpec['chart'],
  namespace: string,
  owners: ReadonlyArray<InstanceRef>,
): HelmRepository | OCIRepository {
  const ownerReferences = sortedOwners(owners);
  const metadata = {
    name: fluxSourceName(chart),
    namespace,
    labels: { 'app.kubernetes.io/managed-by': managedByValue },
    ...(ownerReferences.length ? { ownerReferences } : {}),
  };
  const url = normalizeUrl(chart.repository.url);
  if (chart.repository.type === 'oci') {
    return withAppliedHash<OCIRepository>({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata,
      spec: {
        url,
        ref: { tag: chart.version },
        layerSelector: { mediaType: helmChartLayer, operation: 'copy' },
        interval: sourceInterval,
      },
    });
  }
  return withAppliedHash<HelmRepository>({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata,
    spec: { url, interval: sourceInterval },
  });
}

/**
 * The HelmRelease of an instance: same name and namespace, controller-owned by it. Remediation
 * follows what a platform team expects of unattended upgrades: retry an install a few times,
 * and roll a failed upgrade back to the last good release before retrying it.
 * @public
 */
export function buildHelmRelease(
  instance: InstanceRef,
  spec: ApplicationInstanceSpec,
): HelmRelease {
  const sourceName = fluxSourceName(spec.chart);
  const chart =
    spec.chart.repository.type === 'oci'
      ? { chartRef: { kind: 'OCIRepository' as const, name: sourceName } }
      : {
          chart: {
            spec: {
              chart: spec.chart.name,
              version: spec.chart.version,
              sourceRef: { kind: 'HelmRepository' as const, name: sourceName },
              reconcileStrategy: 'ChartVersion' as const,
            },
          },
        };
  return withAppliedHash<HelmRelease>({
    apiVersion: instanceKinds.HelmRelease.apiVersion,
    kind: 'HelmRelease',
    metadata: {
      name: instance.name,
      namespace: instance.namespace,
      labels: childLabels(instance),
      ...(instance.uid
        ? { ownerReferences: [instanceOwnerReference({ ...instance, uid: instance.uid }, true)] }
        : {}),
    },
    spec: {
      ...chart,
      releaseName: instance.name,
      interval: spec.interval,
      suspend: spec.suspend,
      install: { remediation: { retries: 3 } },
      upgrade: {
        remediation: { retries: 3, strategy: 'rollback', remediateLastFailure: true },
        cleanupOnFail: true,
      },
      ...(spec.values !== undefined ? { values: spec.values } : {}),
      ...(spec.valuesFrom?.length ? { valuesFrom: spec.valuesFrom } : {}),
    },
  });
}
