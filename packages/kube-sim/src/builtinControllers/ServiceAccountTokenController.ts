import type { Apiserver, WriteContext } from '../server/Apiserver';
import { KeyedWorkQueue } from '../server/KeyedWorkQueue';
import type { ResourceType } from '../server/ResourceType';
import type { WatchEventType } from '../store/ResourceStore';
import type { KubeObject } from '../types';
import { SA_NAME_ANNOTATION, SA_TOKEN_SECRET_TYPE, SA_UID_ANNOTATION, ServiceAccountTokens } from './ServiceAccountTokens';

const SECRETS = { group: '', version: 'v1', resource: 'secrets' };

const isTokenSecret = (object: KubeObject) =>
  object.kind === 'Secret' && object.type === SA_TOKEN_SECRET_TYPE && !!object.metadata.annotations?.[SA_NAME_ANNOTATION];

/**
 * kube's legacy token controller: fills `data.token`, `data.ca.crt` and `data.namespace` of
 * Secrets of type `kubernetes.io/service-account-token` once their ServiceAccount exists, and
 * deletes them when the ServiceAccount goes away. Runs asynchronously, like the real one.
 */
export class ServiceAccountTokenController {
  private readonly ctx: WriteContext = {
    user: { username: 'system:serviceaccount:kube-system:token-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] },
    fieldManager: 'kube-controller-manager',
  };
  private readonly work = new KeyedWorkQueue();

  constructor(
    private readonly api: Apiserver,
    private readonly tokens: ServiceAccountTokens,
    private readonly caPem: string,
  ) {
    api.onCommit((type, object, _prev, resource) => this.observe(type, object, resource));
  }

  /** Whether work is queued or running. */
  get busy(): boolean {
    return this.work.busy;
  }

  /** Resolves when the current work is done. */
  settle(): Promise<void> {
    return this.work.settle();
  }

  private observe(type: WatchEventType, object: KubeObject, resource: ResourceType): void {
    if (resource.group !== '') return;
    const namespace = object.metadata.namespace!;
    if (resource.plural === 'secrets' && type !== 'DELETED' && isTokenSecret(object) && !(object.data as Record<string, string> | undefined)?.token) {
      this.work.enqueue(`${namespace}/${object.metadata.name}`, () => this.fill(namespace, object.metadata.name!));
    } else if (resource.plural === 'serviceaccounts') {
      const account = object.metadata.name!;
      if (type === 'ADDED') this.work.enqueue(`sa/${namespace}/${account}`, () => this.fillAll(namespace, account));
      if (type === 'DELETED') this.work.enqueue(`sa/${namespace}/${account}`, () => this.deleteAll(namespace, account));
    }
  }

  private secretsOf(namespace: string, account: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const secret of this.api.store.resource('', 'secrets').objects.values()) {
      if (secret.metadata.namespace === namespace && isTokenSecret(secret) && secret.metadata.annotations![SA_NAME_ANNOTATION] === account) out.push(secret);
    }
    return out;
  }

  private async fillAll(namespace: string, account: string): Promise<void> {
    for (const secret of this.secretsOf(namespace, account)) await this.fill(namespace, secret.metadata.name!);
  }

  private async deleteAll(namespace: string, account: string): Promise<void> {
    for (const secret of this.secretsOf(namespace, account)) {
      await this.api.delete({ ...SECRETS, namespace }, secret.metadata.name!, { preconditions: { uid: secret.metadata.uid } }, this.ctx);
    }
  }

  private async fill(namespace: string, name: string): Promise<void> {
    const secret = this.api.store.resource('', 'secrets').get(`${namespace}/${name}`);
    if (!secret || !isTokenSecret(secret) || (secret.data as Record<string, string> | undefined)?.token) return;
    const annotations = secret.metadata.annotations!;
    // Until its ServiceAccount exists the Secret waits; the account's creation brings it back.
    const account = this.api.store.resource('', 'serviceaccounts').get(`${namespace}/${annotations[SA_NAME_ANNOTATION]}`);
    if (!account) return;
    const uid = annotations[SA_UID_ANNOTATION];
    if (uid && uid !== account.metadata.uid) return;
    const token = this.tokens.issueLegacy(account, name);
    await this.api.patch({ ...SECRETS, namespace }, name, {
      type: 'merge',
      body: {
        metadata: { resourceVersion: secret.metadata.resourceVersion, annotations: { [SA_UID_ANNOTATION]: account.metadata.uid } },
        data: {
          'ca.crt': Buffer.from(this.caPem).toString('base64'),
          namespace: Buffer.from(namespace).toString('base64'),
          token: Buffer.from(token).toString('base64'),
        },
      },
    }, this.ctx);
  }
}
