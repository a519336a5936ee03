import { createHash } from 'node:crypto';
import type { OperationType } from '@vworkspace/backstage-plugin-fleet-common';

const maxInstancePart = 30;

function prefix(instance: string, type: OperationType): string {
  const head = instance.slice(0, maxInstancePart).replace(/[-.]+$/, '');
  return `${head}-${type.toLowerCase()}-`;
}

/**
 * The name of the Operation an idempotency key stands for: the same instance, requester and
 * key always give the same name, so a retried request finds the Operation its first attempt
 * made instead of creating a second one.
 */
export function idempotentOperationName(input: {
  cluster: string;
  namespace: string;
  instance: string;
  type: OperationType;
  requestedBy: string;
  idempotencyKey: string;
}): string {
  const hash = createHash('sha256')
    .update(
      [input.cluster, input.namespace, input.instance, input.type, input.requestedBy, input.idempotencyKey].join('\u0000'),
    )
    .digest('hex')
    .slice(0, 12);
  return `${prefix(input.instance, input.type)}${hash}`;
}

/** `generateName` of an Operation without an idempotency key. */
export function operationGenerateName(instance: string, type: OperationType): string {
  return prefix(instance, type);
}
