import { createRouteRef } from '@backstage/core-plugin-api';

/** The fleet page, in classic apps. @public */
export const rootRouteRef = createRouteRef({ id: 'fleet' });
