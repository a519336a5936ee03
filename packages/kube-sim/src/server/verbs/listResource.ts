import type { ClusterStore } from '../../store/ClusterStore';
import { decodeContinue, encodeContinue } from '../../store/continueToken';
import type { KubeObject } from '../../types';
import type { ListOptions, ListResult } from '../Apiserver';
import { apiVersionOf } from '../ResourceType';
import { combine, parseFieldSelector, parseLabelSelector } from '../selectors';
import { CONTINUE_EXPIRED_MESSAGE, expired, tooLargeResourceVersion, tooOldResourceVersion } from '../StatusError';
import { type Target, parseResourceVersion, presentAs } from '../Target';

/**
 * LIST: the objects of a resource, from the live store or a snapshot at a resourceVersion, with
 * label and field selectors, `limit` and `continue` as kube-apiserver pages them.
 */
export function listResource(store: ClusterStore, t: Target, options: ListOptions): ListResult {
  const selector = combine(
    parseLabelSelector(options.labelSelector),
    parseFieldSelector(options.fieldSelector, t.type.kind, t.type.builtin),
  );
  let listRv = store.currentRv;
  let objects: Map<string, KubeObject> = t.store.objects;
  let start: string | undefined;
  if (options.continue) {
    const position = decodeContinue(options.continue);
    const snapshot = t.store.snapshotAt(position.rv);
    if (!snapshot) throw expired(CONTINUE_EXPIRED_MESSAGE);
    objects = snapshot;
    listRv = position.rv;
    start = position.start;
  } else if (options.resourceVersion && options.resourceVersion !== '0') {
    const rv = parseResourceVersion(options.resourceVersion);
    if (rv > store.currentRv) throw tooLargeResourceVersion(rv, store.currentRv);
    if (options.resourceVersionMatch === 'Exact') {
      const snapshot = t.store.snapshotAt(rv);
      if (!snapshot) throw tooOldResourceVersion(rv, t.store.compactedRv + 1);
      objects = snapshot;
      listRv = rv;
    }
  }
  const live = objects === t.store.objects;
  const keys = live ? t.store.keys() : [...objects.keys()].sort();
  const prefix = t.namespace ? `${t.namespace}/` : undefined;
  const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
  const items: KubeObject[] = [];
  let last: string | undefined;
  let more = false;
  let remaining = 0;
  // Keys are sorted: a namespace's objects are one contiguous run.
  const from = prefix && live ? t.store.seek(prefix) : 0;
  for (let i = from; i < keys.length; i++) {
    const key = keys[i];
    if (prefix && !key.startsWith(prefix)) {
      if (live && i > from) break;
      continue;
    }
    if (start !== undefined && key <= start) continue;
    const object = objects.get(key)!;
    if (!selector.matches(object)) continue;
    if (items.length >= limit) {
      more = true;
      remaining++;
      continue;
    }
    items.push(presentAs(t, object));
    last = key;
  }
  const metadata: ListResult['metadata'] = { resourceVersion: String(listRv) };
  if (more && last !== undefined) {
    metadata.continue = encodeContinue({ rv: listRv, start: last });
    if (selector.empty) metadata.remainingItemCount = remaining;
  }
  return { kind: t.type.listKind, apiVersion: apiVersionOf(t.type.group, t.version.name), metadata, items };
}
