import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, parseBindAddress, silentLogger } from '@vworkspace/kube-runtime';
import { AdmissionRequest, reviewApplicationInstance, reviewOperation, Verdict } from './reviews';
import { readCertificateDir, selfSignedCertificate, ServingCertificate } from './webhookCertificate';

/** Paths of the validating webhooks, as controller-runtime names them. @public */
export const webhookPaths = {
  operation: '/validate-ops-vworkspace-io-v1alpha1-operation',
  applicationInstance: '/validate-apps-vworkspace-io-v1alpha1-applicationinstance',
} as const;

const reviewers: Record<string, (request: AdmissionRequest) => Verdict> = {
  [webhookPaths.operation]: reviewOperation,
  [webhookPaths.applicationInstance]: reviewApplicationInstance,
};

/** AdmissionReview bodies are small; anything bigger is not one. */
const maxBodyBytes = 3 * 1024 * 1024;

/** @public */
export interface WebhookServerOptions {
  /** `host:port`; `:9443` listens on all interfaces. Default `:9443`. */
  bindAddress?: string;
  /** Directory holding `tls.crt` and `tls.key`; without it a self-signed certificate is made (development only). */
  certDir?: string;
  /** Hosts of the self-signed certificate. Default `localhost`, `127.0.0.1`. */
  hosts?: string[];
  logger?: Logger;
}

/**
 * The validating admission webhook server (HTTPS, admission.k8s.io/v1 AdmissionReview) for
 * Operations and ApplicationInstances.
 * @public
 */
export class WebhookServer {
  private server?: https.Server;
  /** Bound address once listening, e.g. `127.0.0.1:9443`. */
  address?: string;

  private constructor(
    readonly certificate: ServingCertificate,
    private readonly options: WebhookServerOptions,
    private readonly logger: Logger,
  ) {}

  /** Loads (or makes) the certificate. */
  static async create(options: WebhookServerOptions = {}): Promise<WebhookServer> {
    const logger = options.logger ?? silentLogger;
    const certificate = options.certDir ? await readCertificateDir(options.certDir) : selfSignedCertificate(options.hosts);
    if (!options.certDir) logger.warn('webhook: no --webhook-cert-dir, serving a self-signed certificate (development only)');
    return new WebhookServer(certificate, options, logger);
  }

  /** The `caBundle` value for a webhook configuration: base64 of the CA PEM. */
  get caBundle(): string {
    return Buffer.from(this.certificate.ca).toString('base64');
  }

  /** Starts listening; resolves with the bound `host:port`. */
  async listen(): Promise<string> {
    const addr = parseBindAddress(this.options.bindAddress ?? ':9443') ?? { host: '0.0.0.0', port: 9443 };
    const server = https.createServer({ cert: this.certificate.cert, key: this.certificate.key, minVersion: 'TLSv1.2' }, (req, res) => {
      void this.handle(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(addr.port, addr.host, () => resolve());
    });
    const bound = server.address() as { address: string; port: number };
    this.address = `${bound.address}:${bound.port}`;
    this.logger.info('webhook server listening', { address: this.address });
    return this.address;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise(resolve => {
      server.close(resolve);
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const review = reviewers[path];
    const reply = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!review) return reply(404, { message: `no webhook at ${path}` });
    if (req.method !== 'POST') return reply(405, { message: 'POST an AdmissionReview' });
    let body: { apiVersion?: string; kind?: string; request?: AdmissionRequest };
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      return reply(400, { message: `not an AdmissionReview: ${String(error)}` });
    }
    const request = body.request;
    if (body.kind !== 'AdmissionReview' || !request?.uid) return reply(400, { message: 'not an AdmissionReview' });
    let verdict: Verdict;
    try {
      verdict = review(request);
    } catch (error) {
      // A bug here must not let anything through, nor block everything without a word.
      this.logger.error('webhook review failed', { path, error });
      verdict = { allowed: false, code: 500, reason: 'InternalError', message: 'the webhook could not review this object' };
    }
    const response = verdict.allowed
      ? { uid: request.uid, allowed: true }
      : { uid: request.uid, allowed: false, status: { code: verdict.code, reason: verdict.reason, message: verdict.message } };
    if (!verdict.allowed) this.logger.info('webhook denied', { path, name: request.name, namespace: request.namespace, message: verdict.message });
    return reply(200, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
