import type { z } from 'zod';
import { apiResources, ApiResourceName } from './apiResources';
import { applicationInstanceSchema } from './applicationInstance';
import { argoCdApplicationSchema } from './argoCd';
import { argoWorkflowSchema } from './argoWorkflow';
import { helmReleaseSchema, helmRepositorySchema, ociRepositorySchema } from './flux';
import { jobSchema } from './job';
import { operationSchema } from './operation';
import { veleroBackupSchema, veleroRestoreSchema } from './velero';
import { replicationSourceSchema } from './volsync';
import { volumeSnapshotSchema } from './volumeSnapshot';

/** The schema of each kind that has one: its `apiVersion` and `kind` must be the table's. */
const schemas: Partial<Record<ApiResourceName, z.ZodObject<{ apiVersion: z.ZodType; kind: z.ZodType }>>> = {
  ApplicationInstance: applicationInstanceSchema,
  Operation: operationSchema,
  HelmRelease: helmReleaseSchema,
  HelmRepository: helmRepositorySchema,
  OCIRepository: ociRepositorySchema,
  Application: argoCdApplicationSchema,
  Workflow: argoWorkflowSchema,
  VeleroBackup: veleroBackupSchema,
  VeleroRestore: veleroRestoreSchema,
  VolumeSnapshot: volumeSnapshotSchema,
  ReplicationSource: replicationSourceSchema,
  Job: jobSchema,
};

describe('apiResources', () => {
  it.each(Object.entries(apiResources))('%s: apiVersion is group/version, plural is lower case', (_, r) => {
    expect(r.apiVersion).toBe(r.group ? `${r.group}/${r.version}` : r.version);
    expect(r.plural).toMatch(/^[a-z0-9]+$/);
  });

  it.each(Object.entries(schemas))('%s: the schema accepts the apiVersion and kind of the table, and no other', (name, schema) => {
    const r = apiResources[name as ApiResourceName];
    expect(schema.shape.apiVersion.safeParse(r.apiVersion).success).toBe(true);
    expect(schema.shape.apiVersion.safeParse(`${r.group || 'core'}/v0`).success).toBe(false);
    expect(schema.shape.kind.safeParse(r.kind).success).toBe(true);
    expect(schema.shape.kind.safeParse(`${r.kind}List`).success).toBe(false);
  });
});
