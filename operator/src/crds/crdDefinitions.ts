import {
  apiResources,
  applicationInstanceSchema,
  operationSchema,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { z } from 'zod';

/** A printer column of `kubectl get`. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** What a CRD is made of, besides the schema of its resource. */
export interface CrdDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  description: string;
  /** A zod object with `spec` and `status`; the rest of the envelope is standard. */
  schema: z.ZodObject<{ spec: z.ZodType; status: z.ZodType }>;
  printerColumns: PrinterColumn[];
}

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

/** The CRDs of the operator. */
export const crdDefinitions: CrdDefinition[] = [
  {
    group: apiResources.ApplicationInstance.group,
    version: apiResources.ApplicationInstance.version,
    kind: apiResources.ApplicationInstance.kind,
    plural: apiResources.ApplicationInstance.plural,
    singular: 'applicationinstance',
    shortNames: ['ai', 'appinst'],
    categories: ['vworkspace'],
    description:
      'An instance of a curated app, deployed from its Helm chart by Flux (HelmRelease) or Argo CD (Application).',
    schema: applicationInstanceSchema,
    printerColumns: [
      { name: 'App', type: 'string', jsonPath: '.spec.app' },
      {
        name: 'Chart version',
        type: 'string',
        jsonPath: '.spec.chart.version',
      },
      {
        name: 'Deployed',
        type: 'string',
        jsonPath: '.status.chart.version',
        priority: 1,
      },
      { name: 'Engine', type: 'string', jsonPath: '.spec.engine' },
      {
        name: 'Ready',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      },
      {
        name: 'Status',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].message',
        priority: 1,
      },
      age,
    ],
  },
  {
    group: apiResources.Operation.group,
    version: apiResources.Operation.version,
    kind: apiResources.Operation.kind,
    plural: apiResources.Operation.plural,
    singular: 'operation',
    shortNames: ['op'],
    categories: ['vworkspace'],
    description:
      'A day-2 operation (backup, restore, upgrade, ...) on an ApplicationInstance, run by one engine.',
    schema: operationSchema,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Engine', type: 'string', jsonPath: '.spec.engine' },
      {
        name: 'Target',
        type: 'string',
        jsonPath: '.spec.target.applicationInstance',
      },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      {
        name: 'Message',
        type: 'string',
        jsonPath: '.status.message',
        priority: 1,
      },
      age,
    ],
  },
];
