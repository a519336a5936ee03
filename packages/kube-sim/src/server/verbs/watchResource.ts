import type { ClusterStore } from '../../store/ClusterStore';
import { encodeObject } from '../../store/encode';
import type { StoredEvent, WatchEventType } from '../../store/ResourceStore';
import type { KubeObject } from '../../types';
import type { WatchHandle, WatchOptions, WatchSink } from '../Apiserver';
import { apiVersionOf } from '../ResourceType';
import { Selector, combine, parseFieldSelector, parseLabelSelector } from '../selectors';
import { tooLargeResourceVersion, tooOldResourceVersion } from '../StatusError';
import { type Target, parseResourceVersion, presentAs } from '../Target';

/**
 * WATCH: the current objects as ADDED (or the events after a resourceVersion, 410 past the
 * resource's window), then every change, BOOKMARKs and the timeout, as the watch cache serves them.
 */
export function watchResource(store: ClusterStore, t: Target, options: WatchOptions, sink: WatchSink, bookmarkIntervalMs: number): WatchHandle {
  const selector: Selector = combine(
    parseLabelSelector(options.labelSelector),
    parseFieldSelector(options.fieldSelector, t.type.kind, t.type.builtin),
  );
  const apiVersion = apiVersionOf(t.type.group, t.version.name);
  const rvText = options.resourceVersion;
  let startRv: number | undefined;
  if (rvText && rvText !== '0' && !options.sendInitialEvents) {
    startRv = parseResourceVersion(rvText);
    if (startRv > store.currentRv) throw tooLargeResourceVersion(startRv, store.currentRv);
  }
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const bookmark = () => {
    const object = { kind: t.type.kind, apiVersion, metadata: { resourceVersion: String(store.currentRv) } } as KubeObject;
    sink.send('BOOKMARK', object, () => `{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
  };
  const watcher = {
    namespace: t.namespace,
    deliver: (event: StoredEvent) => deliver(event, selector, apiVersion, sink),
  };
  const handle: WatchHandle = {
    stop: () => {
      if (stopped) return;
      stopped = true;
      t.store.watchers.delete(watcher);
      timers.forEach(clearTimeout);
      sink.close();
    },
  };
  if (startRv !== undefined && !t.store.canResumeFrom(startRv)) {
    const status = tooOldResourceVersion(startRv, t.store.compactedRv + 1).toStatus();
    sink.send('ERROR', status, () => `{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    setImmediate(handle.stop);
    return handle;
  }
  if (startRv === undefined) {
    const prefix = t.namespace ? `${t.namespace}/` : undefined;
    for (const key of t.store.keys()) {
      if (prefix && !key.startsWith(prefix)) continue;
      const object = t.store.get(key)!;
      if (!selector.matches(object)) continue;
      const shown = presentAs(t, object);
      sink.send('ADDED', shown, () => `{"type":"ADDED","object":${encodeObject(shown)}}\n`);
    }
    if (options.sendInitialEvents) {
      const object = {
        kind: t.type.kind,
        apiVersion,
        metadata: { resourceVersion: String(store.currentRv), annotations: { 'k8s.io/initial-events-end': 'true' } },
      } as KubeObject;
      sink.send('BOOKMARK', object, () => `{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
    }
  } else {
    for (const event of t.store.eventsSince(startRv)) {
      if (t.namespace && event.object.metadata.namespace !== t.namespace) continue;
      deliver(event, selector, apiVersion, sink);
    }
  }
  t.store.watchers.add(watcher);
  if (options.allowWatchBookmarks) {
    const interval = setInterval(bookmark, bookmarkIntervalMs);
    interval.unref();
    timers.push(interval);
  }
  if (options.timeoutSeconds && options.timeoutSeconds > 0) {
    const timeout = setTimeout(() => {
      if (options.allowWatchBookmarks) bookmark();
      handle.stop();
    }, options.timeoutSeconds * 1000);
    timeout.unref();
    timers.push(timeout);
  }
  return handle;
}

/** Sends an event as a selector-narrowed watch sees it: leaving the selection is a DELETED. */
function deliver(event: StoredEvent, selector: Selector, apiVersion: string, sink: WatchSink): void {
  let type: WatchEventType = event.type;
  if (!selector.empty) {
    const now_ = selector.matches(event.object);
    const before = event.prev !== undefined && selector.matches(event.prev);
    if (event.type === 'ADDED' && !now_) return;
    if (event.type === 'DELETED' && !now_ && !before) return;
    if (event.type === 'MODIFIED') {
      if (!now_ && !before) return;
      if (now_ && !before) type = 'ADDED';
      if (!now_ && before) type = 'DELETED';
    }
  }
  if (event.object.apiVersion === apiVersion) {
    sink.send(type, event.object, () => event.line(type));
  } else {
    const shown = { ...event.object, apiVersion };
    sink.send(type, shown, () => `{"type":"${type}","object":${JSON.stringify(shown)}}\n`);
  }
}
