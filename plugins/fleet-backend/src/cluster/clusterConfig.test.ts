import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readClusterConfig } from './clusterConfig';

const dir = mkdtempSync(path.join(tmpdir(), 'fleet-cluster-config-'));
const tokenFile = path.join(dir, 'token');
writeFileSync(tokenFile, 'file-token-value\n');
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const kubeconfigFile = path.join(dir, 'kubeconfig');
writeFileSync(
  kubeconfigFile,
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443" } }]',
    'users: [{ name: u, user: { token: kubeconfig-token } }]',
    'contexts: [{ name: ctx, context: { cluster: c, user: u } }]',
    'current-context: ctx',
  ].join('\n'),
);

const good = {
  name: 'eu-1',
  url: 'https://api.eu-1.example.com:6443',
  auth: { type: 'serviceAccountToken', token: 'sa-token-value' },
};

function read(clusters: unknown) {
  return readClusterConfig(new ConfigReader({ fleet: { clusters } } as never));
}

describe('readClusterConfig', () => {
  it('reads every kind of entry', async () => {
    const clusters = read([
      { ...good, title: 'Europe 1', labels: { region: 'eu' } },
      { name: 'us-1', url: 'https://api.us-1.example.com', caFile, auth: { type: 'tokenFile', path: tokenFile } },
      { name: 'lab', auth: { type: 'kubeconfig', path: kubeconfigFile, context: 'ctx' } },
    ]);
    expect(clusters.map(c => [c.name, c.title, c.mode, c.labels])).toEqual([
      ['eu-1', 'Europe 1', 'push', { region: 'eu' }],
      ['us-1', 'us-1', 'push', {}],
      ['lab', 'lab', 'push', {}],
    ]);
    expect(await clusters[0].push?.token?.()).toBe('sa-token-value');
    expect(await clusters[1].push?.token?.()).toBe('file-token-value');
    // a PEM file becomes kubeconfig-style base64 data
    expect(Buffer.from(clusters[1].push!.caData!, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(clusters[2].push?.kubeconfig?.context).toBe('ctx');
  });

  it('reads a rotated token file again', async () => {
    const [cluster] = read([{ ...good, auth: { type: 'tokenFile', path: tokenFile } }]);
    writeFileSync(tokenFile, 'rotated-token\n');
    expect(await cluster.push?.token?.()).toBe('rotated-token');
  });

  it('has no clusters without config', () => {
    expect(readClusterConfig(new ConfigReader({}))).toEqual([]);
  });

  it.each([
    ['a missing name', [{ ...good, name: undefined }], /fleet\.clusters\[0\]: name: /],
    ['a name that is no DNS label', [{ ...good, name: 'EU_1' }], /fleet\.clusters\[0\] \(name "EU_1"\): name: must be a lowercase DNS-1123 label/],
    ['a missing url', [{ ...good, url: undefined }], /fleet\.clusters\[0\] \(name "eu-1"\): url: is required with auth type serviceAccountToken/],
    ['a url that is no URL', [{ ...good, url: 'api.example.com' }], /\(name "eu-1"\): url: must be an http\(s\):\/\/ URL/],
    ['an unknown auth type', [{ ...good, auth: { type: 'password', password: 'x' } }], /\(name "eu-1"\): auth\.type: /],
    ['a token auth without a token', [{ ...good, auth: { type: 'serviceAccountToken' } }], /\(name "eu-1"\): auth\.token: /],
    ['an empty token', [{ ...good, auth: { type: 'serviceAccountToken', token: '' } }], /auth\.token: must not be empty/],
    ['a token file that does not exist', [{ ...good, auth: { type: 'tokenFile', path: '/nonexistent/token' } }], /\(name "eu-1"\): auth\.path: cannot read file \/nonexistent\/token \(ENOENT\)/],
    ['a CA file that does not exist', [{ ...good, caFile: '/nonexistent/ca.pem' }], /\(name "eu-1"\): caFile: cannot read file/],
    ['both caData and caFile', [{ ...good, caData: 'x', caFile }], /\(name "eu-1"\): caFile: give caData or caFile, not both/],
    ['skipTLSVerify as a string', [{ ...good, skipTLSVerify: 'yes' }], /skipTLSVerify: /],
    ['labels with a number', [{ ...good, labels: { tier: 1 } }], /labels\.tier: /],
    ['an unknown field', [{ ...good, region: 'eu' }], /\(name "eu-1"\): region: unknown field/],
    ['a kubeconfig context that is not there', [{ name: 'lab', auth: { type: 'kubeconfig', path: kubeconfigFile, context: 'nope' } }], /\(name "lab"\): auth\.context: context "nope" is not in/],
    ['a duplicate name', [good, { ...good }], /fleet\.clusters\[1\] \(name "eu-1"\): name: "eu-1" is already used by fleet\.clusters\[0\]/],
    ['the second entry bad', [good, { ...good, name: 'us-1', url: 'nope' }], /fleet\.clusters\[1\] \(name "us-1"\): url/],
    ['not a list', { eu: good }, /fleet\.clusters: must be a list/],
  ])('stops start-up on %s, naming the entry and the field', (_name, clusters, message) => {
    expect(() => read(clusters)).toThrow(message);
  });

  it('never puts the token in an error message', () => {
    let message = '';
    try {
      read([{ ...good, url: 'bad', auth: { type: 'serviceAccountToken', token: 'very-secret-token' }, labels: { x: 1 } }]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/url: must be an http/);
    expect(message).not.toContain('very-secret-token');
  });
});
