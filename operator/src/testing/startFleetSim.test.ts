import { KubeClient } from '@vworkspace/kube-runtime';
import { apiResources } from '@vworkspace/backstage-plugin-fleet-common';
import { startFleetSim, waitFor } from '@vworkspace/fleet-operator/testing';

jest.setTimeout(60_000);

type Instance = { status?: { conditions?: Array<{ type: string; status: string }> } };

describe('startFleetSim', () => {
  it('runs clusters with the CRDs, simulated controllers and the operator; stop() ends them all', async () => {
    const fleet = await startFleetSim({ clusters: 2 });
    try {
      expect(Object.keys(fleet.kubeConfigs)).toEqual(['sim-1', 'sim-2']);
      for (const [name, kubeConfig] of Object.entries(fleet.kubeConfigs)) {
        // what code under test would do: its own client from the kubeconfig
        const client = KubeClient.fromString(kubeConfig);
        try {
          await client.create(apiResources.ApplicationInstance, {
            apiVersion: apiResources.ApplicationInstance.apiVersion,
            kind: 'ApplicationInstance',
            metadata: { name: `app-on-${name}`, namespace: 'team-a' },
            spec: { app: 'nextcloud', chart: { name: 'nextcloud', version: '6.2.0', repository: { url: 'https://nextcloud.github.io/helm/', type: 'helm' } } },
          });
          await waitFor(async () => {
            const obj = await client.get<Instance>(apiResources.ApplicationInstance, `app-on-${name}`, 'team-a');
            return obj.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True');
          }, `app-on-${name} Ready`);
        } finally {
          client.close();
        }
      }
      expect(fleet.cluster('sim-2').operator?.manager.ready()).toBe(true);
      expect(() => fleet.cluster('sim-9')).toThrow(/no cluster "sim-9"/);
    } finally {
      await fleet.stop();
    }
    const after = KubeClient.fromString(fleet.kubeConfigs['sim-1'], { maxRetries: 0 });
    await expect(after.list(apiResources.Namespace)).rejects.toThrow();
    after.close();
  });
});
