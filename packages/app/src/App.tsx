import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';

/**
 * The vWorkspace Fleet portal. Features are listed explicitly so that the
 * bundle holds exactly what the fleet needs; the fleet plugin joins here.
 */
export default createApp({
  features: [catalogPlugin, orgPlugin, userSettingsPlugin],
});
