import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { coreKinds, KubeClient, ResourceKind } from '@vworkspace/kube-runtime';
import { parse as parseYaml } from 'yaml';

/** Field manager of what the demo installs, as `kubectl apply --server-side` would name it. */
export const demoFieldManager = 'kubectl';

const kinds = {
  ClusterRole: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    plural: 'clusterroles',
    namespaced: false,
  },
  ValidatingWebhookConfiguration: {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
  },
  ApplicationInstance: {
    apiVersion: 'apps.vworkspace.io/v1alpha1',
    kind: 'ApplicationInstance',
    plural: 'applicationinstances',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceKind>;

export { kinds as demoKinds };

function operatorPackageDir(): string {
  return dirname(require.resolve('@vworkspace/fleet-operator/package.json'));
}

/** The CRDs a demo cluster serves: the operator's own, plus kube-sim's upstream ones. */
export function demoCrdPaths(): string[] {
  const kubeSim = dirname(require.resolve('@vworkspace/kube-sim/package.json'));
  return [
    join(operatorPackageDir(), 'crds'),
    join(kubeSim, 'crds', 'upstream'),
    join(kubeSim, 'crds', 'volsync'),
  ];
}

/**
 * The RBAC profile ClusterRoles the operator's chart installs (`rbacProfiles` of its
 * values.yaml), named as the chart names them by default, so Job engines run with exactly
 * the rules a real installation grants.
 */
export function operatorProfileClusterRoles(): Array<Record<string, unknown>> {
  const valuesFile = join(operatorPackageDir(), 'chart', 'values.yaml');
  if (!existsSync(valuesFile)) return [];
  const values = parseYaml(readFileSync(valuesFile, 'utf8')) as {
    rbacProfiles?: Record<string, unknown[]>;
  };
  return Object.entries(values.rbacProfiles ?? {}).map(([profile, rules]) => ({
    apiVersion: kinds.ClusterRole.apiVersion,
    kind: 'ClusterRole',
    metadata: {
      name: `fleet-operator-profile-${profile}`,
      labels: { 'ops.vworkspace.io/rbac-profile': profile },
    },
    rules,
  }));
}

/** Paths of the operator's validating webhooks (controller-runtime's naming, as in its chart). */
const webhooks = [
  {
    name: 'operations.ops.vworkspace.io',
    group: 'ops.vworkspace.io',
    resource: 'operations',
    path: '/validate-ops-vworkspace-io-v1alpha1-operation',
  },
  {
    name: 'applicationinstances.apps.vworkspace.io',
    group: 'apps.vworkspace.io',
    resource: 'applicationinstances',
    path: '/validate-apps-vworkspace-io-v1alpha1-applicationinstance',
  },
];

/**
 * The operator chart's ValidatingWebhookConfiguration, pointing at an operator listening on
 * `127.0.0.1:<port>` (the demo has no Services) and trusting `caPem`.
 */
export function operatorWebhookConfiguration(
  port: number,
  caPem: string,
): Record<string, unknown> {
  return {
    apiVersion: kinds.ValidatingWebhookConfiguration.apiVersion,
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'fleet-operator' },
    webhooks: webhooks.map(webhook => ({
      name: webhook.name,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      timeoutSeconds: 10,
      clientConfig: {
        url: `https://127.0.0.1:${port}${webhook.path}`,
        caBundle: Buffer.from(caPem).toString('base64'),
      },
      rules: [
        {
          apiGroups: [webhook.group],
          apiVersions: ['v1alpha1'],
          operations: ['CREATE', 'UPDATE'],
          resources: [webhook.resource],
          scope: 'Namespaced',
        },
      ],
    })),
  };
}

/** Server-side applies `object` as a user with kubectl would. */
export async function applyAsUser(
  client: KubeClient,
  kind: ResourceKind,
  object: Record<string, unknown>,
): Promise<void> {
  await client.apply(kind, object, {
    fieldManager: demoFieldManager,
    force: true,
  });
}

/** Creates each namespace unless it exists. */
export async function ensureNamespaces(
  client: KubeClient,
  names: Iterable<string>,
): Promise<void> {
  for (const name of names) {
    await applyAsUser(client, coreKinds.Namespace, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  }
}
