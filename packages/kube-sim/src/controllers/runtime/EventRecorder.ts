import type { ClusterApi } from '../../cluster/ClusterApi';
import { StatusError } from '../../server/StatusError';
import type { KubeObject } from '../../types';
import { nowRfc3339 } from './conditions';

const EVENTS = { group: '', version: 'v1', resource: 'events' };

/** @public */
export type EventType = 'Normal' | 'Warning';

/**
 * Records core/v1 Events the way client-go's recorder does: one Event per
 * (object, type, reason, message), whose `count` and `lastTimestamp` grow when
 * the same thing happens again, so `kubectl describe` shows what a real
 * controller would show. Events of cluster-scoped objects go to `default`.
 * Failures to record are swallowed: a real recorder never blocks a reconcile.
 * @public
 */
export class EventRecorder {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly api: ClusterApi,
    /** `source.component`, e.g. `snapshot-controller`. */
    private readonly component: string,
  ) {}

  async record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = object.metadata;
    const namespace = meta.namespace ?? 'default';
    const key = [meta.uid, type, reason, message].join('\u0000');
    const now = nowRfc3339();
    try {
      const existing = this.seen.get(key);
      if (existing) {
        const live = this.api.get(EVENTS, existing, { namespace });
        await this.api.patch(EVENTS, existing, { count: ((live.count as number) ?? 1) + 1, lastTimestamp: now },
          { type: 'merge', namespace, fieldManager: this.component });
        return;
      }
      const name = `${meta.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.seen.size)).toString(16)}`;
      await this.api.create(EVENTS, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: '',
        firstTimestamp: now,
        lastTimestamp: now,
        eventTime: null,
        count: 1,
      }, { fieldManager: this.component });
      this.seen.set(key, name);
    } catch (error) {
      if (!(error instanceof StatusError)) throw error;
    }
  }
}
