import { parseOptions } from '../cli/options';
import { find, helmTemplate, RenderedObject } from '../packaging/__testUtils__/helmTemplate';

interface Container {
  args: string[];
  env: Array<{ name: string; value?: string }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}

function operatorPod(objects: RenderedObject[]) {
  const spec = (find(objects, 'Deployment', 'fleet-operator') as unknown as {
    spec: { template: { spec: { containers: Container[]; volumes: Array<{ name: string; secret?: { secretName: string } }> } } };
  }).spec.template.spec;
  return { container: spec.containers[0], volumes: spec.volumes };
}

function operationVerbs(objects: RenderedObject[]): string[] {
  const role = find(objects, 'ClusterRole', 'fleet-operator') as unknown as {
    rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  };
  return role.rules.find(r => r.apiGroups.includes('ops.vworkspace.io') && r.resources.includes('operations'))!.verbs;
}

describe('the chart in pull mode', () => {
  it('runs no agent by default', async () => {
    const objects = await helmTemplate();
    const { container } = operatorPod(objects);
    expect(container.args.some(a => a.startsWith('--control-plane'))).toBe(false);
    expect(operationVerbs(objects)).not.toContain('create');
  }, 60_000);

  it('connects out with the token and CA from their Secrets, with flags the operator accepts', async () => {
    const objects = await helmTemplate({
      set: {
        'controlPlane.url': 'https://backstage.example.com',
        'controlPlane.tokenSecret.name': 'edge-1-join',
        'controlPlane.caSecret.name': 'corp-ca',
      },
    });
    const { container, volumes } = operatorPod(objects);
    const agentArgs = container.args.filter(a => a.startsWith('--control-plane'));
    expect(agentArgs).toEqual([
      '--control-plane=https://backstage.example.com',
      '--control-plane-token-file=/var/run/secrets/vworkspace.io/join-token/token',
    ]);
    expect(parseOptions(agentArgs, {})).toMatchObject({
      controlPlane: 'https://backstage.example.com',
      controlPlaneTokenFile: '/var/run/secrets/vworkspace.io/join-token/token',
    });
    expect(container.env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/vworkspace.io/control-plane-ca/ca.crt' });
    expect(volumes.map(v => `${v.name}:${v.secret?.secretName ?? ''}`)).toEqual(
      expect.arrayContaining(['join-token:edge-1-join', 'control-plane-ca:corp-ca']),
    );
    expect(container.volumeMounts.map(m => m.mountPath)).toEqual(
      expect.arrayContaining(['/var/run/secrets/vworkspace.io/join-token', '/var/run/secrets/vworkspace.io/control-plane-ca']),
    );
    // the agent creates the control plane's Operations with server-side apply
    expect(operationVerbs(objects)).toContain('create');
  }, 60_000);

  it('has the operator refuse a control plane without a join token file', () => {
    expect(() => parseOptions(['--control-plane', 'https://backstage.example.com'], {})).toThrow(
      /flag --control-plane: needs --control-plane-token-file/,
    );
    expect(() => parseOptions(['--control-plane', 'ftp://x', '--control-plane-token-file', '/t'], {})).toThrow(
      /flag --control-plane: expected an http\(s\) URL/,
    );
  });

  it('refuses a control plane URL that is not http(s)', async () => {
    await expect(helmTemplate({ set: { 'controlPlane.url': 'backstage.example.com' } })).rejects.toThrow(/controlPlane\/url/);
  }, 60_000);
});
