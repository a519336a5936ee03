/**
 * The vWorkspace Fleet backend plugin: cluster registry, fleet store, app catalog and
 * operations API under `/api/fleet`.
 *
 * @packageDocumentation
 */
export { fleetPlugin as default } from './plugin';
