import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

/** A serving certificate and key (PEM), and the CA that clients must trust. @public */
export interface ServingCertificate {
  cert: string;
  key: string;
  /** PEM to put in `caBundle` (base64 of it) of the webhook configuration. */
  ca: string;
}

/**
 * Reads `tls.crt` and `tls.key` from `dir`, where cert-manager or a Secret volume mounts them.
 * The CA is `ca.crt` when present, else the certificate itself.
 * @public
 */
export async function readCertificateDir(dir: string): Promise<ServingCertificate> {
  const [cert, key] = await Promise.all([readFile(join(dir, 'tls.crt'), 'utf8'), readFile(join(dir, 'tls.key'), 'utf8')]);
  const ca = await readFile(join(dir, 'ca.crt'), 'utf8').catch(() => cert);
  return { cert, key, ca };
}

/**
 * A self-signed certificate for development and tests, valid for `hosts` (DNS names or IP
 * addresses) for one year. It is its own CA, so `ca` is the certificate. The key comes from
 * node:crypto (native, fast); node-forge only assembles and signs the certificate.
 * @public
 */
export function selfSignedCertificate(hosts: string[] = ['localhost', '127.0.0.1']): ServingCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pubPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: 'vworkspace-operator-webhook' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map(h => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { cert: certPem, key: keyPem, ca: certPem };
}
