import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { builtinResources } from '../builtins/builtinResources';
import { Apiserver } from '../server/Apiserver';
import { Authorizer, TokenGrant } from '../server/authorizer';
import { Faults } from '../server/Faults';
import { GarbageCollector } from '../builtinControllers/GarbageCollector';
import { createHttpHandler } from '../server/httpHandler';
import { NamespaceLifecycle } from '../builtinControllers/NamespaceLifecycle';
import { ResourceRegistry } from '../server/ResourceRegistry';
import { StatusError } from '../server/StatusError';
import { ServiceResolver, ValidatingAdmission } from '../server/ValidatingAdmission';
import { ClusterStore } from '../store/ClusterStore';
import { CertificateAuthority, KeyPairPem, createCertificateAuthority } from '../tls/certificateAuthority';
import { kubeconfigYaml } from '../kubeconfig';
import type { KubeObject } from '../types';
import { CONTROLLER_USER, ClusterApi } from './ClusterApi';
import { readCrds } from './crdSources';
import { ServiceAccountTokenController } from '../builtinControllers/ServiceAccountTokenController';
import { ServiceAccountTokens } from '../builtinControllers/ServiceAccountTokens';
import { answerTokenRequest } from '../builtinControllers/tokenRequest';
import { accessReview } from '../server/rbac/accessReview';
import { bootstrapPolicy } from '../server/rbac/bootstrapPolicy';
import { escalationCheck } from '../server/rbac/escalationCheck';
import { RBAC_GROUP } from '../server/rbac/policyRule';
import { RbacAuthorizer } from '../server/rbac/RbacAuthorizer';

/** @public */
export interface SimClusterOptions {
  /** Context and cluster name in the kubeconfig. Default `kube-sim`. */
  name?: string;
  /** Free-form labels, e.g. for a fleet's cluster registry. */
  labels?: Record<string, string>;
  /** Serve HTTPS with a CA made at start (default true); false serves plain HTTP. */
  tls?: boolean;
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** CA to sign the serving certificate with; default a new one. */
  ca?: CertificateAuthority;
  /** Serving certificate to use as is (a fleet shares one). */
  servingCert?: KeyPairPem;
  /** Bearer token of the admin user; default random. */
  adminToken?: string;
  /** More tokens, e.g. least-privilege service accounts. */
  tokens?: TokenGrant[];
  /** Watch-cache window: events kept per resource for watch resumption and list continuation. Default 1000. */
  historySize?: number;
  /** Interval of watch BOOKMARK events. Default 60 s. */
  bookmarkIntervalMs?: number;
  /** Where admission webhooks declared by `clientConfig.service` are reached. */
  serviceResolver?: ServiceResolver;
  /** CRD files, directories or objects installed before the server starts answering. */
  crds?: Array<string | KubeObject>;
}

const ADMIN_GROUPS = ['system:masters', 'system:authenticated'];
const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * One simulated Kubernetes API server on 127.0.0.1.
 * @public
 */
export class SimCluster {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly adminToken: string;
  readonly faults = new Faults();
  readonly authorizer: Authorizer;
  /** In-process access for simulated controllers, through the same path as HTTP requests. */
  readonly api: ClusterApi;
  /** PEM of the CA clients must trust; undefined for plain HTTP. */
  readonly caPem?: string;
  private readonly store: ClusterStore;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly apiserver: Apiserver;
  private readonly gc: GarbageCollector;
  private readonly namespaces: NamespaceLifecycle;
  private readonly rbac: RbacAuthorizer;
  private readonly serviceAccountTokens: ServiceAccountTokens;
  private readonly tokenController: ServiceAccountTokenController;
  private readonly tls: boolean;
  private port: number;
  private listening = false;

  private constructor(options: SimClusterOptions, tls?: KeyPairPem & { caPem: string }) {
    this.name = options.name ?? 'kube-sim';
    this.labels = { ...options.labels };
    this.adminToken = options.adminToken ?? randomBytes(24).toString('hex');
    this.port = options.port ?? 0;
    this.tls = !!tls;
    this.caPem = tls?.caPem;
    this.authorizer = new Authorizer([
      { token: this.adminToken, user: { username: 'kube-sim-admin', groups: ADMIN_GROUPS } },
      ...(options.tokens ?? []),
    ]);
    this.store = new ClusterStore(options.historySize ?? 1000);
    const registry = new ResourceRegistry(builtinResources({
      accessReview: (review, user) => accessReview(this.authorizer, review, user),
    }));
    const admission = new ValidatingAdmission(
      () => this.store.resource('admissionregistration.k8s.io', 'validatingwebhookconfigurations'),
      () => this.store.resource('', 'namespaces'),
      options.serviceResolver,
    );
    this.apiserver = new Apiserver(this.store, registry, admission, { bookmarkIntervalMs: options.bookmarkIntervalMs });
    this.apiserver.onCommit((type, object) => {
      if (object.kind === 'CustomResourceDefinition' && object.apiVersion === 'apiextensions.k8s.io/v1') {
        this.apiserver.syncCrd(type, object);
      }
    });
    this.rbac = new RbacAuthorizer(() => ({
      roles: this.store.resource(RBAC_GROUP, 'roles'),
      clusterRoles: this.store.resource(RBAC_GROUP, 'clusterroles'),
      roleBindings: this.store.resource(RBAC_GROUP, 'rolebindings'),
      clusterRoleBindings: this.store.resource(RBAC_GROUP, 'clusterrolebindings'),
    }));
    this.apiserver.onCommit((_type, _object, _prev, resource) => this.rbac.observe(resource.group));
    this.authorizer.useRbac(this.rbac);
    this.apiserver.addWriteCheck(escalationCheck(this.authorizer, this.rbac));
    this.serviceAccountTokens = new ServiceAccountTokens(() => this.store.resource('', 'serviceaccounts'), () => this.store.resource('', 'secrets'));
    this.authorizer.addAuthenticator(this.serviceAccountTokens.authenticate);
    this.tokenController = new ServiceAccountTokenController(this.apiserver, this.serviceAccountTokens, this.caPem ?? '');
    this.gc = new GarbageCollector(this.apiserver);
    this.namespaces = new NamespaceLifecycle(this.apiserver);
    this.api = new ClusterApi(this.apiserver);
    const handler = createHttpHandler({
      apiserver: this.apiserver,
      authorizer: this.authorizer,
      faults: this.faults,
      serverAddress: () => `127.0.0.1:${this.port}`,
      tokenRequest: (namespace, name, body) => answerTokenRequest(this.apiserver, this.serviceAccountTokens, namespace, name, body),
    });
    this.server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    const track = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    };
    this.server.on(tls ? 'secureConnection' : 'connection', track);
  }

  /** Starts a cluster with the `default` and `kube-system` namespaces (and any CRDs given). */
  static async start(options: SimClusterOptions = {}): Promise<SimCluster> {
    let tls: (KeyPairPem & { caPem: string }) | undefined;
    if (options.tls !== false) {
      const ca = options.ca ?? createCertificateAuthority();
      const serving = options.servingCert ?? ca.issue(['localhost', '127.0.0.1']);
      tls = { ...serving, caPem: ca.cert };
    }
    const cluster = new SimCluster(options, tls);
    await cluster.seed();
    if (options.crds?.length) await cluster.installCrds(options.crds);
    await cluster.listen();
    return cluster;
  }

  private async seed(): Promise<void> {
    for (const name of INITIAL_NAMESPACES) {
      await this.api.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    for (const object of bootstrapPolicy()) {
      const resource = object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings';
      await this.api.create({ group: RBAC_GROUP, version: 'v1', resource }, object, { fieldManager: 'kube-apiserver' });
    }
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', onError);
        this.port = (this.server.address() as { port: number }).port;
        this.listening = true;
        resolve();
      });
    });
  }

  /** Base URL, e.g. `https://127.0.0.1:41234`. */
  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The current resourceVersion of the whole cluster. */
  get resourceVersion(): string {
    return String(this.store.currentRv);
  }

  /** A kubeconfig for this cluster (the admin token unless another is given). */
  kubeConfig(options: { token?: string; namespace?: string } = {}): string {
    return kubeconfigYaml([{ name: this.name, server: this.url, caPem: this.caPem, token: options.token ?? this.adminToken, namespace: options.namespace }]);
  }

  /** Adds a bearer token, e.g. a least-privilege service account. */
  addToken(grant: TokenGrant): void {
    this.authorizer.addToken(grant);
  }

  /**
   * A bound token for a ServiceAccount, as `kubectl create token` gives: it authenticates as
   * `system:serviceaccount:<namespace>:<name>` (groups `system:serviceaccounts`,
   * `system:serviceaccounts:<namespace>`, `system:authenticated`) and is authorized by RBAC only.
   * It stops working when the ServiceAccount is deleted or the token expires (default 1 h).
   */
  serviceAccountToken(namespace: string, name: string, options: { expirationSeconds?: number } = {}): string {
    const account = this.apiserver.get({ group: '', version: 'v1', resource: 'serviceaccounts', namespace }, name);
    return this.serviceAccountTokens.issue(account, options.expirationSeconds);
  }

  /**
   * Installs CRDs from files, directories or objects (creating or replacing them); their
   * resources are served as soon as this resolves. Returns how many were installed.
   */
  async installCrds(sources: Array<string | KubeObject>): Promise<number> {
    const files = sources.filter((s): s is string => typeof s === 'string');
    const crds = [...readCrds(files), ...sources.filter((s): s is KubeObject => typeof s !== 'string')];
    const gvr = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
    for (const crd of crds) {
      try {
        await this.apiserverCreate(gvr, crd);
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
        const live = this.apiserver.get(gvr, crd.metadata.name!);
        await this.apiserver.update(gvr, crd.metadata.name!, { ...crd, metadata: { ...crd.metadata, resourceVersion: live.metadata.resourceVersion } },
          { user: CONTROLLER_USER, fieldManager: 'kube-sim' });
      }
    }
    return crds.length;
  }

  // CRDs are shared between clusters and never mutated, so they skip the in-process client's copies.
  private apiserverCreate(gvr: { group: string; version: string; resource: string }, object: KubeObject) {
    return this.apiserver.create(gvr, object, { user: CONTROLLER_USER, fieldManager: 'kube-sim' });
  }

  /** Resolves when the garbage collector, namespace and token controllers have nothing left to do. */
  async idle(): Promise<void> {
    while (this.gc.busy || this.namespaces.busy || this.tokenController.busy) {
      if (this.gc.busy) await this.gc.settle();
      else if (this.namespaces.busy) await this.namespaces.settle();
      else await this.tokenController.settle();
    }
  }

  /** The cluster goes away: port closed, open connections (watches included) reset. */
  async goDown(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** The cluster comes back on the same port, with its state or (`wipe`) as a brand-new cluster. */
  async comeBack(options: { wipe?: boolean } = {}): Promise<void> {
    if (this.listening) return;
    if (options.wipe) {
      for (const type of this.apiserver.registry.all()) if (!type.builtin) this.apiserver.registry.remove(type.group, type.plural);
      this.store.wipe();
      this.rbac.invalidate();
      await this.seed();
    }
    await this.listen();
  }

  async stop(): Promise<void> {
    await this.goDown();
  }
}
