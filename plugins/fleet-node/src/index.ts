/**
 * Extension points and service refs of the vWorkspace Fleet backend, for modules of the fleet
 * plugin and of other plugins (the catalog module reads the fleet store through them).
 *
 * @packageDocumentation
 */
export * from './client';
export * from './clusters';
export * from './extensions';
export * from './services';
export * from './store';
