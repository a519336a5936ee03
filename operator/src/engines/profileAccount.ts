import { isAlreadyExists, isForbidden, isNotFound } from '@vworkspace/kube-runtime';
import type { KubeClient, KubeObject, ResourceKind } from '@vworkspace/kube-runtime';
import { apiResources, dns1123LabelPattern } from '@vworkspace/backstage-plugin-fleet-common';
import { EngineContext, EngineFailure } from './Engine';
import { operatorWrite } from './engineResources';
import { operationKinds } from './kinds';
import { PodSecurityLevel, podSecurityLevelOf } from './podSecurity';

/** RBAC profile of engine accounts when the Operation names none. @public */
export const defaultRbacProfile = 'readonly';

/** The ClusterRoles of RBAC profiles; read to check that a profile exists before binding it. */
const clusterRoleKind: ResourceKind = apiResources.ClusterRole;

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

/** An installed RBAC profile: its ClusterRole and the Pod Security level its engine pods run under. @public */
export interface RbacProfile {
  name: string;
  clusterRole: string;
  podSecurity: PodSecurityLevel;
}

/**
 * Reads the ClusterRole of the Operation's RBAC profile. A profile that is not installed is a
 * refusal naming the field (`InvalidParameters`), found before anything is created: binding a
 * ClusterRole that does not exist is refused by the API server (404, or 403 for a name the
 * operator may not bind), which would leave the Operation nothing to run.
 * @public
 */
export async function readRbacProfile(ctx: EngineContext): Promise<RbacProfile> {
  const name = rbacProfileOf(ctx);
  const clusterRole = `${ctx.options.profileClusterRolePrefix}${name}`;
  let role: KubeObject;
  try {
    role = await ctx.client.get(clusterRoleKind, clusterRole);
  } catch (err) {
    // The operator may read exactly the profile ClusterRoles: 403 means "not one of them".
    if (isNotFound(err) || isForbidden(err)) {
      throw new EngineFailure(
        'InvalidParameters',
        `spec.parameters.rbacProfile: RBAC profile "${name}" is not installed (no ClusterRole ${clusterRole} the operator may bind); profiles are set by the chart value rbacProfiles`,
      );
    }
    throw err;
  }
  return { name, clusterRole, podSecurity: podSecurityLevelOf(role) };
}

/** {@link Engine.check} of engines running as a profile account: the profile must be installed. @public */
export async function checkRbacProfile(ctx: EngineContext): Promise<{ reason: string; message: string } | undefined> {
  try {
    await readRbacProfile(ctx);
    return undefined;
  } catch (err) {
    if (err instanceof EngineFailure) return { reason: err.reason, message: err.message };
    throw err;
  }
}

async function createIfMissing(client: KubeClient, kind: (typeof operationKinds)[keyof typeof operationKinds], obj: Record<string, unknown>) {
  try {
    await client.create(kind, obj, operatorWrite);
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
  const labels = { 'app.kubernetes.io/managed-by': operatorWrite.fieldManager, 'ops.vworkspace.io/rbac-profile': profile };
  await createIfMissing(ctx.client, operationKinds.ServiceAccount, {
    apiVersion: operationKinds.ServiceAccount.apiVersion,
    kind: operationKinds.ServiceAccount.kind,
    metadata: { name, namespace, labels },
  });
  await createIfMissing(ctx.client, operationKinds.RoleBinding, {
    apiVersion: operationKinds.RoleBinding.apiVersion,
    kind: operationKinds.RoleBinding.kind,
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
