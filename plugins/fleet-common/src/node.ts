/**
 * Node-only parts of the shared contracts (they use node:zlib), kept out of the root entry so
 * that frontend bundles stay free of them. Import from
 * `@vworkspace/backstage-plugin-fleet-common/node`.
 *
 * @packageDocumentation
 */

export * from './helm/releaseSecret';
