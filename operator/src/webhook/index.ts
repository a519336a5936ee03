/**
 * The validating admission webhook of Operations and ApplicationInstances.
 *
 * @packageDocumentation
 */
import { WebhookServer, WebhookServerOptions } from './WebhookServer';

export { WebhookServer, webhookPaths } from './WebhookServer';
export type { WebhookServerOptions } from './WebhookServer';
export { reviewOperation, reviewApplicationInstance } from './reviews';
export type { AdmissionRequest, Verdict } from './reviews';
export { readCertificateDir, selfSignedCertificate } from './webhookCertificate';
export type { ServingCertificate } from './webhookCertificate';

/**
 * Makes the webhook server (certificate from `certDir`, else self-signed); call `listen()` to
 * serve and `close()` to stop.
 * @public
 */
export function createWebhookServer(deps: WebhookServerOptions = {}): Promise<WebhookServer> {
  return WebhookServer.create(deps);
}
