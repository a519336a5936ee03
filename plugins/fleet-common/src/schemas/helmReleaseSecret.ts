import { z } from 'zod';
import { objectMetaSchema } from './meta';

/** The Secret type Helm 3 (and Flux's helm-controller) store releases in. @public */
export const helmReleaseSecretType = 'helm.sh/release.v1';

/** Name of the Secret holding revision `revision` of release `release`. @public */
export function helmReleaseSecretName(
  release: string,
  revision: number,
): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

/**
 * A Helm release Secret as the API returns it. `data.release` is the API's base64 of Helm's
 * own encoding (base64 of gzip of JSON), so it is base64 twice over.
 * @public
 */
export const helmReleaseSecretSchema = z.looseObject({
  apiVersion: z.literal('v1').optional(),
  kind: z.literal('Secret').optional(),
  metadata: objectMetaSchema,
  type: z.literal(helmReleaseSecretType),
  data: z.looseObject({ release: z.string().min(1) }),
});

/** A Helm release Secret. @public */
export type HelmReleaseSecret = z.infer<typeof helmReleaseSecretSchema>;

/** Helm release statuses. @public */
export const helmReleaseStatuses = [
  'unknown',
  'deployed',
  'uninstalled',
  'superseded',
  'failed',
  'uninstalling',
  'pending-install',
  'pending-upgrade',
  'pending-rollback',
] as const;

/** Helm hook events. @public */
export const helmHookEvents = [
  'pre-install',
  'post-install',
  'pre-delete',
  'post-delete',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'test',
  'test-success',
] as const;

/** A hook of a release: one manifest the chart runs at the listed events. @public */
export const helmHookSchema = z.looseObject({
  name: z.string(),
  kind: z.string(),
  path: z.string(),
  manifest: z.string(),
  events: z.array(z.enum(helmHookEvents)).optional(),
  last_run: z
    .looseObject({
      started_at: z.string().optional(),
      completed_at: z.string().optional(),
      phase: z.string().optional(),
    })
    .optional(),
  weight: z.int().optional(),
  delete_policies: z.array(z.string()).optional(),
});

/** A Helm hook. @public */
export type HelmHook = z.infer<typeof helmHookSchema>;

/** The decoded release, Helm's JSON field names (snake_case). @public */
export const helmReleasePayloadSchema = z.looseObject({
  name: z.string(),
  namespace: z.string(),
  version: z.int(),
  info: z.looseObject({
    status: z.enum(helmReleaseStatuses),
    first_deployed: z.string().optional(),
    last_deployed: z.string().optional(),
    deleted: z.string().optional(),
    description: z.string().optional(),
    notes: z.string().optional(),
  }),
  chart: z.looseObject({
    metadata: z.looseObject({
      name: z.string(),
      version: z.string(),
      appVersion: z.string().optional(),
      apiVersion: z.string().optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    }),
    values: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
  config: z.record(z.string(), z.unknown()).nullable().optional(),
  manifest: z.string().optional(),
  hooks: z.array(helmHookSchema).optional(),
});

/** A decoded Helm release. @public */
export type HelmReleasePayload = z.infer<typeof helmReleasePayloadSchema>;
