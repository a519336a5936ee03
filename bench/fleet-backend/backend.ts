/* A backend under test in bench/fleet-backend: the catalog plus the plugin named by
 * BENCH_PLUGIN (`fleet` or `kubernetes`), configured by the files given with --config (as any
 * Backstage backend). Runs in a process of its own so that its RSS and event loop are its alone. */
import { createBackend } from '@backstage/backend-defaults';

async function main(): Promise<void> {
  // Imported before the backend starts, so that start-up is not also compile time.
  const plugins = await Promise.all([
    import('@backstage/plugin-catalog-backend').then(m => m.default),
    process.env.BENCH_PLUGIN === 'kubernetes'
      ? import('@backstage/plugin-kubernetes-backend').then(m => m.default)
      : import('../../plugins/fleet-backend/src').then(m => m.default),
  ]);
  const backend = createBackend();
  for (const plugin of plugins) backend.add(plugin);
  process.stdout.write(`starting ${Date.now()}\n`);
  await backend.start();
  process.stdout.write(`started ${Date.now()}\n`);
  const stop = () => {
    void backend.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(
    `${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
