import { isAlreadyExists } from '../runtime/apiErrors';
import type { KubeClient } from '../runtime/KubeClient';
import { dns1123LabelPattern } from '@vworkspace/backstage-plugin-fleet-common';
import { EngineContext, EngineFailure } from './Engine';
import { operationKinds } from './kinds';

/** RBAC profile of engine accounts when the Operation names none. @public */
export const defaultRbacProfile = 'readonly';

/** Name of the ServiceAccount and RoleBinding of a profile in a namespace. @public */
export function profileAccountName(profile: string): string {
  return `vworkspace-ops-${profile}`;
}

/**
 * The RBAC profile the Operation asks for: `parameters.rbacProfile`, else `readonly`.
 * Validated here too because the name ends up in object names.
 */
export function rbacProfileOf(ctx: EngineContext): string {
  const raw = (ctx.operation.spec.parameters as { rbacProfile?: unknown }).rbacProfile;
  if (raw === undefined) return defaultRbacProfile;
  if (typeof raw !== 'string' || !dns1123LabelPattern.test(raw) || raw.length > 40) {
    throw new EngineFailure('InvalidParameters', `parameters.rbacProfile: must be a profile name such as readonly`);
  }
  return raw;
}

async function createIfMissing(client: KubeClient, kind: (typeof operationKinds)[keyof typeof operationKinds], obj: Record<string, unknown>) {
  try {
    await client.create(kind, obj);
  } catch (err) {
    // An existing account or binding is the normal case after the first operation.
    if (!isAlreadyExists(err)) throw err;
  }
}

/**
 * Ensures the namespace-scoped ServiceAccount of the Operation's RBAC profile, bound by a
 * RoleBinding to the profile's ClusterRole: what a Job or Workflow of the operation runs as.
 * A RoleBinding (not a ClusterRoleBinding) keeps the account's reach inside the namespace.
 * Returns the account name.
 * @public
 */
export async function ensureProfileAccount(ctx: EngineContext): Promise<string> {
  const profile = rbacProfileOf(ctx);
  const namespace = ctx.operation.metadata.namespace;
  const name = profileAccountName(profile);
  const labels = { 'app.kubernetes.io/managed-by': 'vworkspace-operator', 'ops.vworkspace.io/rbac-profile': profile };
  await createIfMissing(ctx.client, operationKinds.ServiceAccount, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace, labels },
  });
  await createIfMissing(ctx.client, operationKinds.RoleBinding, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace, labels },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: `${ctx.options.profileClusterRolePrefix}${profile}`,
    },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  return name;
}
