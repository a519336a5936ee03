/**
 * Shared contracts of vWorkspace Fleet: zod schemas and types of every resource we read or
 * write, status logic shared by backend and frontend, and permissions. Browser-safe; the Helm
 * release Secret codec, which needs node:zlib, is in the `./node` entry.
 *
 * @packageDocumentation
 */

export * from './schemas';
export * from './status';
export * from './permissions';
export * from './api';
