import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import fleetPlugin from '@vworkspace/backstage-plugin-fleet/alpha';

/**
 * The vWorkspace Fleet portal. Features are listed explicitly so that the
 * bundle holds exactly what the fleet needs. The fleet plugin brings the fleet
 * page (and its sidebar entry) and the "Fleet" tab and overview card of
 * application instances and clusters.
 */
export default createApp({
  features: [catalogPlugin, orgPlugin, userSettingsPlugin, fleetPlugin],
});
