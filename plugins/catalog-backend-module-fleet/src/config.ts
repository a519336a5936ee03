import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type RootConfigService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { EntityDefaults } from './provider/fleetEntities';
import type { NameFilter } from './provider/nameFilter';

/** Settings of the fleet entity provider, from `catalog.providers.fleet`. */
export interface FleetProviderConfig extends EntityDefaults {
  clusters: NameFilter;
  namespaces: NameFilter;
  schedule: SchedulerServiceTaskScheduleDefinition;
}

const configKey = 'catalog.providers.fleet';

/**
 * A full mutation every 30 minutes catches what the change feed may have missed; the feed
 * itself brings changes within seconds. Each replica runs its own (`local`): the provider keeps
 * the last state of unreachable clusters in memory, so the replica that follows the feed must
 * also be the one that lists.
 */
const defaultSchedule: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 5 },
  scope: 'local',
};

/** Reads `catalog.providers.fleet`; every key is optional. */
export function readFleetProviderConfig(
  root: RootConfigService,
): FleetProviderConfig {
  const config = root.getOptionalConfig(configKey);
  const defaultOwner =
    config?.getOptionalString('defaultOwner') ?? 'group:default/platform';
  try {
    parseEntityRef(defaultOwner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(
      `${configKey}.defaultOwner '${defaultOwner}' is not an entity ref: ${
        (error as Error).message
      }`,
    );
  }
  const filter = (key: string): NameFilter => ({
    include: config?.getOptionalStringArray(`${key}.include`) ?? ['*'],
    exclude: config?.getOptionalStringArray(`${key}.exclude`) ?? [],
  });
  const configured = config?.has('schedule')
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('schedule'),
      )
    : undefined;
  const schedule: SchedulerServiceTaskScheduleDefinition = configured
    ? {
        frequency: configured.frequency,
        timeout: configured.timeout,
        ...(configured.initialDelay
          ? { initialDelay: configured.initialDelay }
          : {}),
        scope: configured.scope ?? defaultSchedule.scope,
      }
    : defaultSchedule;
  return {
    defaultOwner,
    lifecycleLabel: config?.getOptionalString('lifecycleLabel') ?? 'env',
    defaultLifecycle:
      config?.getOptionalString('defaultLifecycle') ?? 'production',
    clusters: filter('clusters'),
    namespaces: filter('namespaces'),
    schedule,
  };
}
