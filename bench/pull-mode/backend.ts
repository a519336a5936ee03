/* The backend under test in bench/pull-mode: the fleet plugin, plus the auth backend with the
 * guest provider so that the bench has a user to request Operations as (the permission backend
 * is not installed: every permission is allowed). Configured by the files given with --config,
 * as any Backstage backend. Runs in a process of its own so that its RSS and event loop are its
 * alone, and so that it can be killed as a crash. */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { eventLoopDelay } from '../common/eventLoopDelay';
import { runBackend } from '../common/runBackend';

/** The CPU profiler of this process, for BENCH_PROFILE_DIR. */
async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

/**
 * Ends a phase of the bench on each SIGUSR2: prints `phase <json>` with the event loop's delay
 * since the last phase (p50, p99, max in ms: how late a 10 ms timer fired) and, with
 * BENCH_PROFILE_DIR, the file holding the CPU profile of the phase,
 * `<dir>/backend-<pid>-<n>.cpuprofile` (written from the inspector, so that the process killed
 * with SIGKILL leaves its profiles too, where `--cpu-prof` would write nothing).
 */
async function reportPhases(profileDir: string | undefined): Promise<void> {
  const profiler = profileDir ? await startProfiler() : undefined;
  const loop = eventLoopDelay();
  let phase = 0;
  process.on('SIGUSR2', () => {
    void (async () => {
      const delay = loop.take();
      const figures: Record<string, number | string> = {
        loopP50: delay.p50,
        loopP99: delay.p99,
        loopMax: delay.max,
      };
      phase++;
      if (profiler && profileDir) {
        const { profile } = await profiler.post('Profiler.stop');
        const file = join(
          profileDir,
          `backend-${process.pid}-${phase}.cpuprofile`,
        );
        writeFileSync(file, JSON.stringify(profile));
        figures.profile = file;
        await profiler.post('Profiler.start');
      }
      process.stdout.write(`phase ${JSON.stringify(figures)}\n`);
    })();
  });
}

runBackend(async () => {
  await reportPhases(process.env.BENCH_PROFILE_DIR);
  return Promise.all([
    import('@backstage/plugin-auth-backend').then(m => m.default),
    import('@backstage/plugin-auth-backend-module-guest-provider').then(
      m => m.default,
    ),
    import('@vworkspace/backstage-plugin-fleet-backend').then(m => m.default),
  ]);
});
