import { readFileSync } from 'node:fs';
import type { Config } from '@backstage/config';
import { dns1123Label, issuesOf } from '@vworkspace/backstage-plugin-fleet-common';
import type { ClusterDefinition } from '@vworkspace/backstage-plugin-fleet-node';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

/** How the backend authenticates to a push cluster. */
const clusterAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('serviceAccountToken'),
    token: z.string().min(1, { message: 'must not be empty' }),
  }),
  z.strictObject({
    type: z.literal('tokenFile'),
    path: z.string().min(1, { message: 'must not be empty' }),
  }),
  z.strictObject({
    type: z.literal('kubeconfig'),
    path: z.string().min(1, { message: 'must not be empty' }),
    context: z.string().min(1).optional(),
  }),
]);

/** One entry of `fleet.clusters`. */
export const clusterEntrySchema = z
  .strictObject({
    name: dns1123Label(),
    title: z.string().min(1).optional(),
    url: z
      .string()
      .regex(/^https?:\/\/[^\s/]+/, { message: 'must be an http(s):// URL' })
      .optional(),
    caData: z.string().min(1).optional(),
    caFile: z.string().min(1).optional(),
    skipTLSVerify: z.boolean().default(false),
    auth: clusterAuthSchema,
    labels: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((entry, ctx) => {
    if (!entry.url && entry.auth.type !== 'kubeconfig') {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: `is required with auth type ${entry.auth.type}`,
      });
    }
    if (entry.caData && entry.caFile) {
      ctx.addIssue({
        code: 'custom',
        path: ['caFile'],
        message: 'give caData or caFile, not both',
      });
    }
  });

/** One entry of `fleet.clusters`, parsed. */
export type ClusterEntry = z.infer<typeof clusterEntrySchema>;

/** A configuration error that names the entry and the field. */
export class ClusterConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterConfigError';
  }
}

function describeEntry(index: number, raw: unknown): string {
  const name =
    raw && typeof raw === 'object' && typeof (raw as { name?: unknown }).name === 'string'
      ? ` (name "${(raw as { name: string }).name}")`
      : '';
  return `fleet.clusters[${index}]${name}`;
}

/** kubeconfig's certificate-authority-data is base64 PEM; a raw PEM is accepted and encoded. */
function normaliseCaData(caData: string): string {
  return caData.trimStart().startsWith('-----BEGIN')
    ? Buffer.from(caData).toString('base64')
    : caData;
}

function readText(path: string, where: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ClusterConfigError(`${where}: ${field}: cannot read file ${path} (${code})`);
  }
}

/** Turns one parsed entry into a cluster definition, reading the files it names. */
function toDefinition(entry: ClusterEntry, where: string): ClusterDefinition {
  const base = {
    name: entry.name,
    title: entry.title ?? entry.name,
    mode: 'push' as const,
    labels: entry.labels,
  };
  const caData = entry.caFile
    ? normaliseCaData(readText(entry.caFile, where, 'caFile'))
    : entry.caData && normaliseCaData(entry.caData);
  const { auth } = entry;
  switch (auth.type) {
    case 'serviceAccountToken': {
      const token = auth.token;
      return {
        ...base,
        push: { url: entry.url!, caData, skipTLSVerify: entry.skipTLSVerify, token: async () => token },
      };
    }
    case 'tokenFile': {
      readText(auth.path, where, 'auth.path');
      const path = auth.path;
      // read on every credential refresh, so that a rotated (projected) token is picked up
      return {
        ...base,
        push: {
          url: entry.url!,
          caData,
          skipTLSVerify: entry.skipTLSVerify,
          token: async () => readFileSync(path, 'utf8').trim(),
        },
      };
    }
    case 'kubeconfig': {
      const contents = readText(auth.path, where, 'auth.path');
      const kc = new KubeConfig();
      try {
        kc.loadFromString(contents);
      } catch (error) {
        throw new ClusterConfigError(
          `${where}: auth.path: ${auth.path} is not a valid kubeconfig (${(error as Error).message})`,
        );
      }
      if (auth.context && !kc.getContexts().some(c => c.name === auth.context)) {
        throw new ClusterConfigError(
          `${where}: auth.context: context "${auth.context}" is not in ${auth.path}`,
        );
      }
      return {
        ...base,
        push: {
          url: entry.url ?? '',
          caData,
          skipTLSVerify: entry.skipTLSVerify,
          kubeconfig: { contents, context: auth.context },
        },
      };
    }
    default:
      throw new ClusterConfigError(`${where}: auth.type: unknown`);
  }
}

/**
 * Reads `fleet.clusters`. A bad entry stops start-up with an error naming the entry (index and
 * name) and the field, since a fleet silently missing a cluster is worse than no start.
 */
export function readClusterConfig(config: Config): ClusterDefinition[] {
  const raw = config.getOptional('fleet.clusters');
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    throw new ClusterConfigError('fleet.clusters: must be a list of clusters');
  }
  const seen = new Map<string, number>();
  return raw.map((item, index) => {
    const where = describeEntry(index, item);
    const parsed = clusterEntrySchema.safeParse(item);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error)
        .map(i => `${i.path}: ${i.message}`)
        .join('; ');
      throw new ClusterConfigError(`${where}: ${issues}`);
    }
    const earlier = seen.get(parsed.data.name);
    if (earlier !== undefined) {
      throw new ClusterConfigError(
        `${where}: name: "${parsed.data.name}" is already used by fleet.clusters[${earlier}]`,
      );
    }
    seen.set(parsed.data.name, index);
    return toDefinition(parsed.data, where);
  });
}
