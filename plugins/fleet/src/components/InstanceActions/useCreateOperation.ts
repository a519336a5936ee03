import { useCallback, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type {
  InstanceSummary,
  OperationEngine,
  OperationSummary,
  OperationType,
} from '@vworkspace/backstage-plugin-fleet-common';
import { fleetApiRef } from '../../api/FleetApi';

/** A fresh key per request attempt, so a retried click does not create a second Operation. */
export function newIdempotencyKey(): string {
  return `ui-${Date.now().toString(36)}-${Math.random()
    .toString(36)
    .slice(2, 10)}`;
}

/** Creates one Operation on an instance and remembers the backend's refusal, if any. */
export function useCreateOperation(
  instance: InstanceSummary,
  onCreated: (operation: OperationSummary) => void,
) {
  const api = useApi(fleetApiRef);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  const create = useCallback(
    async (request: {
      type: OperationType;
      engine: OperationEngine;
      parameters: Record<string, unknown>;
      reason?: string;
    }): Promise<OperationSummary | undefined> => {
      setSubmitting(true);
      setError(undefined);
      try {
        const operation = await api.createOperation({
          cluster: instance.cluster,
          namespace: instance.namespace,
          instance: instance.name,
          type: request.type,
          engine: request.engine,
          parameters: request.parameters,
          reason: request.reason?.trim() || undefined,
          idempotencyKey,
        });
        setIdempotencyKey(newIdempotencyKey());
        onCreated(operation);
        return operation;
      } catch (e) {
        setError(e instanceof Error ? e : new Error(String(e)));
        return undefined;
      } finally {
        setSubmitting(false);
      }
    },
    [
      api,
      instance.cluster,
      instance.namespace,
      instance.name,
      idempotencyKey,
      onCreated,
    ],
  );

  return { create, submitting, error, clearError: () => setError(undefined) };
}
