import type { GroupVersionResource, KubeObject, ObjectMeta, UserInfo } from '../types';
import type { Apiserver, DeleteOptions, ListOptions, ListResult, PatchType, WatchHandle, WriteContext } from '../server/Apiserver';
import type { WatchEventType } from '../store/ResourceStore';
import type { Status } from '../server/StatusError';
import { encodeObject } from '../store/encode';

/** Options every in-process write accepts. @public */
export interface ApiWriteOptions {
  namespace?: string;
  fieldManager?: string;
  dryRun?: boolean;
}

/** @public */
export interface ApiPatchOptions extends ApiWriteOptions {
  type: PatchType;
  force?: boolean;
  subresource?: 'status' | 'scale';
}

/** @public */
export type ApiWatchHandler = (type: WatchEventType | 'BOOKMARK' | 'ERROR', object: KubeObject | Status) => void;

/** @public */
export interface ApiWatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Called when the watch ends (timeout or stop). */
  onClose?: () => void;
}

/** What in-process writes accept: any object shape; the server checks it as it would over HTTP. @public */
export interface ObjectInput {
  apiVersion?: string;
  kind?: string;
  // The second member admits callers' own ObjectMeta interfaces, which lack an index signature.
  metadata?: ObjectMeta | { name?: string; namespace?: string; resourceVersion?: string };
  [field: string]: unknown;
}

/** The in-cluster system identity of simulated controllers. @public */
export const CONTROLLER_USER: UserInfo = { username: 'system:kube-sim', groups: ['system:masters', 'system:authenticated'] };

const clone = <T>(v: T): T => structuredClone(v);

/**
 * A copy of a stored object: stored objects are immutable and their JSON is already cached
 * for HTTP watchers, so parsing it is the cheapest deep copy.
 */
const copyStored = <T extends object>(v: T): T => JSON.parse(encodeObject(v as unknown as KubeObject)) as T;

/**
 * In-process access to a cluster for simulated controllers: the same admission, validation,
 * server-side apply, resourceVersion and watch path as HTTP requests, without the network.
 * Errors are thrown as StatusError (same code, reason, message and details as over HTTP).
 * Objects returned are copies the caller may change.
 * @public
 */
export class ClusterApi {
  constructor(
    private readonly server: Apiserver,
    private readonly user: UserInfo = CONTROLLER_USER,
  ) {}

  /** The same API acting as another user (authorization is not applied in-process). */
  as(user: UserInfo): ClusterApi {
    return new ClusterApi(this.server, user);
  }

  private ctx(options: ApiWriteOptions = {}): WriteContext {
    return { user: this.user, fieldManager: options.fieldManager, dryRun: options.dryRun, userAgent: 'kube-sim' };
  }

  private ref(gvr: GroupVersionResource, namespace?: string) {
    return { ...gvr, namespace };
  }

  get(gvr: GroupVersionResource, name: string, options: { namespace?: string } = {}): KubeObject {
    return copyStored(this.server.get(this.ref(gvr, options.namespace), name));
  }

  list(gvr: GroupVersionResource, options: ListOptions & { namespace?: string } = {}): ListResult {
    const { namespace, ...rest } = options;
    const result = this.server.list(this.ref(gvr, namespace), rest);
    return { ...result, metadata: { ...result.metadata }, items: result.items.map(copyStored) };
  }

  async create(gvr: GroupVersionResource, object: ObjectInput, options: ApiWriteOptions = {}): Promise<KubeObject> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    return clone(await this.server.create(this.ref(gvr, namespace), clone(object), this.ctx(options)));
  }

  async update(gvr: GroupVersionResource, object: ObjectInput, options: ApiWriteOptions = {}): Promise<KubeObject> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    return clone(await this.server.update(this.ref(gvr, namespace), object.metadata?.name ?? '', clone(object), this.ctx(options)));
  }

  async updateStatus(gvr: GroupVersionResource, object: ObjectInput, options: ApiWriteOptions = {}): Promise<KubeObject> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    return clone(await this.server.update(this.ref(gvr, namespace), object.metadata?.name ?? '', clone(object), this.ctx(options), 'status'));
  }

  /** Merge, JSON, strategic (built-ins) or apply patch; apply needs `fieldManager`. */
  async patch(gvr: GroupVersionResource, name: string, body: unknown, options: ApiPatchOptions): Promise<KubeObject> {
    return clone(
      await this.server.patch(this.ref(gvr, options.namespace), name, { type: options.type, body: clone(body), force: options.force },
        this.ctx(options), options.subresource),
    );
  }

  async delete(gvr: GroupVersionResource, name: string, options: DeleteOptions & { namespace?: string } = {}): Promise<KubeObject | Status> {
    const { namespace, ...rest } = options;
    return clone(await this.server.delete(this.ref(gvr, namespace), name, rest, this.ctx()));
  }

  /** Starts a watch; events for the current state come first unless `resourceVersion` is given. */
  watch(gvr: GroupVersionResource, handler: ApiWatchHandler, options: ApiWatchOptions = {}): WatchHandle {
    const { namespace, onClose, ...rest } = options;
    return this.server.watch(this.ref(gvr, namespace), rest, {
      send: (type, object) => handler(type, copyStored(object) as KubeObject | Status),
      close: () => onClose?.(),
    });
  }
}
