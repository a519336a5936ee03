import { apiResources } from '@vworkspace/backstage-plugin-fleet-common';
import type { KubeClient, Logger, Manager } from '@vworkspace/kube-runtime';
import { ControlPlaneAgent } from './ControlPlaneAgent';
import { readJoinToken } from './joinToken';

/**
 * Starts the pull-mode agent when the operator was given `--control-plane`; returns what stops
 * it (a no-op in push mode). The agent runs beside the controllers and never stops them: the
 * cluster goes on working while the control plane is away.
 */
export function startControlPlaneAgent(
  options: { controlPlane?: string; controlPlaneTokenFile?: string; namespace: string },
  client: KubeClient,
  logger: Logger,
  manager?: Manager,
): () => Promise<void> {
  const { controlPlane, controlPlaneTokenFile } = options;
  if (!controlPlane || !controlPlaneTokenFile) return async () => undefined;
  const agent = new ControlPlaneAgent({
    controlPlane,
    token: () => readJoinToken(controlPlaneTokenFile),
    client,
    namespace: options.namespace,
    logger,
    // the controllers' caches: the agent reports what they see, without a second watch
    ...(manager
      ? {
          informers: {
            instances: manager.getInformer(apiResources.ApplicationInstance),
            operations: manager.getInformer(apiResources.Operation),
          },
        }
      : {}),
  });
  const abort = new AbortController();
  const running = agent.run(abort.signal).catch(error => {
    logger.error('The control plane agent stopped', { error });
  });
  logger.info('Pull mode: connecting out to the control plane', { controlPlane });
  return async () => {
    abort.abort();
    await running;
  };
}
