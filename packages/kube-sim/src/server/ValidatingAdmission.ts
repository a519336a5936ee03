import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { KubeObject, UserInfo } from '../types';
import type { ResourceStore } from '../store/ResourceStore';
import { labelSelectorFromObject } from './selectors';
import { StatusError, StatusDetails, internalError, badRequest } from './StatusError';

/** Maps an in-cluster Service to a reachable base URL, since kube-sim has no cluster network. @public */
export type ServiceResolver = (service: { namespace: string; name: string; port: number }) => string;

/** What is being admitted, in AdmissionReview terms. */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  group: string;
  version: string;
  kind: string;
  resource: string;
  subresource?: string;
  namespaced: boolean;
  name: string;
  namespace?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

interface ValidatingWebhook {
  name: string;
  clientConfig: {
    url?: string;
    service?: { namespace: string; name: string; path?: string; port?: number };
    caBundle?: string;
  };
  rules?: RuleWithOperations[];
  failurePolicy?: 'Fail' | 'Ignore';
  namespaceSelector?: Parameters<typeof labelSelectorFromObject>[0];
  objectSelector?: Parameters<typeof labelSelectorFromObject>[0];
  sideEffects?: string;
  timeoutSeconds?: number;
}

const has = (list: string[] | undefined, value: string) => !!list && (list.includes('*') || list.includes(value));

function ruleMatches(rule: RuleWithOperations, a: AdmissionAttributes): boolean {
  if (!has(rule.operations, a.operation) || !has(rule.apiGroups, a.group) || !has(rule.apiVersions, a.version)) {
    return false;
  }
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && a.namespaced) return false;
  if (scope === 'Namespaced' && !a.namespaced) return false;
  const wanted = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (rule.resources ?? []).some(r => {
    if (r === '*/*' || r === wanted) return true;
    const [res, sub] = r.split('/');
    if (sub === undefined) return !a.subresource && (res === '*' || res === a.resource);
    return (res === '*' || res === a.resource) && (sub === '*' || sub === a.subresource);
  });
}

/**
 * Calls ValidatingWebhookConfiguration webhooks the way kube-apiserver does: AdmissionReview v1
 * over HTTPS checked against caBundle, with rules, selectors, timeouts and failure policies.
 */
export class ValidatingAdmission {
  constructor(
    private readonly configurations: () => ResourceStore,
    private readonly namespaces: () => ResourceStore,
    private readonly resolveService: ServiceResolver | undefined,
  ) {}

  /** Whether any webhook is configured at all, so that the common path stays synchronous. */
  get active(): boolean {
    return this.configurations().objects.size > 0;
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    const configs = [...this.configurations().objects.values()];
    for (const config of configs) {
      for (const webhook of (config.webhooks as ValidatingWebhook[] | undefined) ?? []) {
        if (!this.selects(webhook, a)) continue;
        await this.call(webhook, a);
      }
    }
  }

  private selects(webhook: ValidatingWebhook, a: AdmissionAttributes): boolean {
    if (!(webhook.rules ?? []).some(r => ruleMatches(r, a))) return false;
    const objectSelector = labelSelectorFromObject(webhook.objectSelector);
    if (!objectSelector.empty) {
      const candidates = [a.object, a.oldObject].filter((o): o is KubeObject => !!o);
      if (!candidates.some(o => objectSelector.matches(o))) return false;
    }
    const namespaceSelector = labelSelectorFromObject(webhook.namespaceSelector);
    if (!namespaceSelector.empty) {
      let namespace: KubeObject | undefined;
      if (a.namespaced) namespace = this.namespaces().get(a.namespace!);
      else if (a.group === '' && a.resource === 'namespaces') namespace = a.object ?? a.oldObject;
      else return true;
      if (!namespaceSelector.matches(namespace ?? { apiVersion: 'v1', kind: 'Namespace', metadata: {} })) return false;
    }
    return true;
  }

  private target(webhook: ValidatingWebhook): { url: URL; servername?: string } {
    const { url, service } = webhook.clientConfig;
    if (url) return { url: new URL(url) };
    if (!service) throw new Error('webhook has neither url nor service');
    if (!this.resolveService) throw new Error(`no serviceResolver configured for service ${service.namespace}/${service.name}`);
    const base = this.resolveService({ namespace: service.namespace, name: service.name, port: service.port ?? 443 });
    return { url: new URL(service.path ?? '/', base), servername: `${service.name}.${service.namespace}.svc` };
  }

  private async call(webhook: ValidatingWebhook, a: AdmissionAttributes): Promise<void> {
    if (a.dryRun && webhook.sideEffects !== 'None' && webhook.sideEffects !== 'NoneOnDryRun') {
      throw badRequest(`admission webhook "${webhook.name}" does not support dry run`);
    }
    const timeoutSeconds = webhook.timeoutSeconds ?? 10;
    const uid = randomUUID();
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: a.group, version: a.version, kind: a.kind },
        resource: { group: a.group, version: a.version, resource: a.resource },
        ...(a.subresource ? { subResource: a.subresource, requestSubResource: a.subresource } : {}),
        requestKind: { group: a.group, version: a.version, kind: a.kind },
        requestResource: { group: a.group, version: a.version, resource: a.resource },
        name: a.name,
        ...(a.namespace ? { namespace: a.namespace } : {}),
        operation: a.operation,
        userInfo: a.user,
        object: a.object ?? null,
        oldObject: a.oldObject ?? null,
        dryRun: a.dryRun,
        options: {
          apiVersion: 'meta.k8s.io/v1',
          kind: { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' }[a.operation],
        },
      },
    };
    let response: { uid?: string; allowed?: boolean; status?: { code?: number; message?: string; reason?: string; details?: StatusDetails } };
    let target: { url: URL; servername?: string } | undefined;
    try {
      target = this.target(webhook);
      target.url.searchParams.set('timeout', `${timeoutSeconds}s`);
      const body = await post(target.url, target.servername, webhook.clientConfig.caBundle, JSON.stringify(review), timeoutSeconds * 1000);
      const parsed = JSON.parse(body);
      response = parsed?.response;
      if (!response) throw new Error('webhook response was absent');
      if (response.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${response.uid}"`);
    } catch (e) {
      if ((webhook.failurePolicy ?? 'Fail') === 'Ignore') return;
      const where = target ? `Post "${target.url.toString()}": ` : '';
      const message = `failed calling webhook "${webhook.name}": failed to call webhook: ${where}${(e as Error).message}`;
      throw internalError(message);
    }
    if (response.allowed) return;
    const status = response.status ?? {};
    const deniedBy = `admission webhook "${webhook.name}" denied the request`;
    const explanation = status.message || status.reason;
    const message = explanation ? `${deniedBy}: ${explanation}` : `${deniedBy} without explanation`;
    const code = status.code && status.code >= 400 ? status.code : 400;
    throw new StatusError(code, status.reason ?? '', message, status.details);
  }
}

function post(url: URL, servername: string | undefined, caBundle: string | undefined, body: string, timeoutMs: number): Promise<string> {
  if (url.protocol !== 'https:') return Promise.reject(new Error(`unsupported protocol scheme "${url.protocol.replace(':', '')}"`));
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
        ca: caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined,
        servername,
        timeout: timeoutMs,
        agent: false,
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`the server responded with the status code ${res.statusCode}`));
          else resolve(text);
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', reject);
    req.end(body);
  });
}
