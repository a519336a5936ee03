import { randomBytes } from 'node:crypto';
import type { KubeClient, KubeObject, Logger } from '@vworkspace/kube-runtime';
import { operatorWrite } from '../../engines/engineResources';
import { operationKinds } from '../../engines/kinds';

/** `source.component` and `reportingComponent` of the operator's Events. @public */
export const eventComponent = 'vworkspace-operator';

/** metav1.Time has second precision. */
const metaTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Records a core/v1 Event about `obj`, as `kubectl describe` shows them. An Event that cannot be
 * written is logged and dropped: the status already carries the truth, and a lost Event must
 * not fail or repeat the reconcile that caused it.
 * @public
 */
export async function recordEvent(
  client: KubeClient,
  obj: KubeObject,
  event: { type: 'Normal' | 'Warning'; reason: string; message: string },
  logger: Logger,
  now: Date = new Date(),
): Promise<void> {
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? 'unknown';
  const time = metaTime(now);
  try {
    await client.create(operationKinds.Event, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name,
        namespace,
        uid: obj.metadata?.uid,
        resourceVersion: obj.metadata?.resourceVersion,
      },
      type: event.type,
      reason: event.reason,
      message: event.message.slice(0, 1024),
      source: { component: eventComponent },
      reportingComponent: eventComponent,
      reportingInstance: process.env.POD_NAME ?? eventComponent,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    }, operatorWrite);
  } catch (error) {
    logger.warn('could not record event', { reason: event.reason, error });
  }
}
