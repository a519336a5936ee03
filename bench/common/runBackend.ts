/* How a benchmark's backend process runs, as the portal backend does (its V8 heap settings and
 * root HTTP router): the features given, start-up announced on stdout (`starting <ms>`,
 * `started <ms>`) for the parent to time, stopped cleanly on SIGTERM/SIGINT. Import it before
 * anything heavy, so that the heap settings come first. */
import '../../packages/backend/src/applyHeapSettings';
import { createBackend } from '@backstage/backend-defaults';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { rootHttpRouter } from '../../packages/backend/src/rootHttpRouter';

/** A feature, or a module's namespace whose default export is one (as some packages' `default` reads). */
type Feature = BackendFeature | { default: BackendFeature };

/**
 * Starts a backend with `features()` (imported before the start, so that start-up is not also
 * compile time). A failure is printed and ends the process with 1.
 */
export function runBackend(features: () => Promise<Feature[]>): void {
  (async () => {
    const loaded = await features();
    const backend = createBackend();
    backend.add(rootHttpRouter);
    for (const feature of loaded) backend.add('default' in feature ? feature.default : feature);
    process.stdout.write(`starting ${Date.now()}\n`);
    await backend.start();
    process.stdout.write(`started ${Date.now()}\n`);
    const stop = () => {
      void backend.stop().then(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  })().catch(error => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
