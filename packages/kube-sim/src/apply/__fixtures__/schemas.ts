import type { JSONSchemaProps } from '../../schema/types';

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer' };
const labels: JSONSchemaProps = { type: 'object', additionalProperties: str };

/** The parts of apps/v1 Deployment whose topology kube's OpenAPI declares. */
export const deploymentSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: int,
        selector: {
          type: 'object',
          'x-kubernetes-map-type': 'atomic',
          properties: { matchLabels: labels },
        },
        template: {
          type: 'object',
          properties: {
            metadata: {
              type: 'object',
              properties: { labels, annotations: labels },
            },
            spec: {
              type: 'object',
              properties: {
                containers: {
                  type: 'array',
                  'x-kubernetes-list-type': 'map',
                  'x-kubernetes-list-map-keys': ['name'],
                  items: {
                    type: 'object',
                    properties: {
                      name: str,
                      image: str,
                      args: {
                        type: 'array',
                        'x-kubernetes-list-type': 'atomic',
                        items: str,
                      },
                      ports: {
                        type: 'array',
                        'x-kubernetes-list-type': 'map',
                        'x-kubernetes-list-map-keys': [
                          'containerPort',
                          'protocol',
                        ],
                        items: {
                          type: 'object',
                          properties: {
                            containerPort: int,
                            protocol: { type: 'string', default: 'TCP' },
                            name: str,
                          },
                        },
                      },
                      env: {
                        type: 'array',
                        'x-kubernetes-list-type': 'map',
                        'x-kubernetes-list-map-keys': ['name'],
                        items: {
                          type: 'object',
                          properties: { name: str, value: str },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    status: {
      type: 'object',
      properties: {
        replicas: int,
        conditions: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: {
            type: 'object',
            properties: {
              type: str,
              status: str,
              reason: str,
              lastTransitionTime: str,
            },
          },
        },
      },
    },
  },
};

/** Shaped like Flux's helm.toolkit.fluxcd.io/v2 HelmRelease CRD schema. */
export const helmReleaseSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        interval: str,
        releaseName: str,
        chart: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              properties: {
                chart: str,
                version: str,
                sourceRef: {
                  type: 'object',
                  properties: { kind: str, name: str, namespace: str },
                },
              },
            },
          },
        },
        dependsOn: {
          type: 'array',
          items: { type: 'object', properties: { name: str, namespace: str } },
        },
        install: {
          type: 'object',
          properties: {
            remediation: { type: 'object', properties: { retries: int } },
          },
        },
        values: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    },
    status: {
      type: 'object',
      properties: {
        observedGeneration: int,
        conditions: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: {
            type: 'object',
            properties: {
              type: str,
              status: str,
              reason: str,
              message: str,
              lastTransitionTime: str,
              observedGeneration: int,
            },
          },
        },
      },
    },
  },
};
