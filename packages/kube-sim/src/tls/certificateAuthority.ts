import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A PEM certificate with its private key. @public */
export interface KeyPairPem {
  cert: string;
  key: string;
}

/** A CA that signs serving certificates for kube-sim clusters and test webhooks. @public */
export interface CertificateAuthority extends KeyPairPem {
  /** Issues a serving certificate for the given DNS names and IP addresses. */
  issue(hosts: string[]): KeyPairPem;
}

// node-forge's pure-JS RSA key generation takes seconds; Node's native one is instant.
function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function serial(): string {
  // Positive, non-zero serial as X.509 requires.
  return `01${randomBytes(15).toString('hex')}`;
}

const IP = /^\d+\.\d+\.\d+\.\d+$|:/;

/** Creates a self-signed CA (valid ten years) at start; nothing is read from or written to disk. */
export function createCertificateAuthority(commonName = 'kube-sim-ca'): CertificateAuthority {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const caPem = forge.pki.certificateToPem(cert);

  return {
    cert: caPem,
    key: keys.pem,
    issue(hosts: string[]): KeyPairPem {
      const leafKeys = rsaKeyPair();
      const leaf = forge.pki.createCertificate();
      leaf.publicKey = leafKeys.publicKey;
      leaf.serialNumber = serial();
      leaf.validity.notBefore = new Date(Date.now() - 60_000);
      leaf.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
      leaf.setSubject([{ name: 'commonName', value: hosts[0] ?? 'kube-sim' }]);
      leaf.setIssuer(cert.subject.attributes);
      leaf.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: hosts.map(h => (IP.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
        },
      ]);
      leaf.sign(keys.privateKey, forge.md.sha256.create());
      return { cert: forge.pki.certificateToPem(leaf), key: leafKeys.pem };
    },
  };
}
