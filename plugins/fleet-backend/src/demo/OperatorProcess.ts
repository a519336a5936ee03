import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LoggerService } from '@backstage/backend-plugin-api';

/** The operator's command, run from its TypeScript sources (it compiles itself on load). */
export function operatorBinary(): string {
  return join(
    dirname(require.resolve('@vworkspace/fleet-operator/package.json')),
    'bin',
    'fleet-operator',
  );
}

/*
 * Preloaded into each child (node --require): a child whose parent dies without stopping it
 * (SIGKILL, a crash) must not run on against clusters that are gone. The parent holds the
 * write end of the child's stdin, so the child sees end-of-file the moment the parent is gone,
 * however it went; the parent-pid check covers a stdin that was closed some other way.
 */
const watchdogSource = `'use strict';
// Node also runs preloads in its module-hooks worker thread, whose stdin ends at once.
if (require('node:worker_threads').isMainThread) {
  const stop = () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 10000).unref();
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) stop(); }, 2000).unref();
}
`;

/** Writes the watchdog preload into `dir` and returns its path. */
export function writeParentWatchdog(dir: string): string {
  const path = join(dir, 'parent-watchdog.cjs');
  writeFileSync(path, watchdogSource);
  return path;
}

const levels = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof levels)[number];

/** Forwards one JSON log line of the operator to the backend's logger, at its own level. */
function forwardLine(logger: LoggerService, line: string): void {
  if (!line.trim()) return;
  let entry: Record<string, unknown> | undefined;
  try {
    entry = JSON.parse(line);
  } catch {
    // Not one of the operator's JSON lines (e.g. a Node warning): keep it as is.
  }
  if (!entry || typeof entry !== 'object') {
    logger.info(line);
    return;
  }
  const { level, msg, ts: _ts, ...fields } = entry;
  const known = levels.includes(level as Level) ? (level as Level) : 'info';
  // The operator's info lines are its routine work; at debug they stay out of the way.
  const target: Level = known === 'info' ? 'debug' : known;
  const meta = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
  logger[target](String(msg ?? line), meta);
}

/** Options of one operator child process. */
export interface OperatorProcessOptions {
  /** Flags after `fleet-operator run`. */
  args: string[];
  /** Path of the watchdog preload ({@link writeParentWatchdog}). */
  watchdog: string;
  logger: LoggerService;
  /** Program to run instead of the operator (tests). */
  program?: string;
}

/**
 * One operator as a child process, with its logs in the backend's log, ended by
 * {@link OperatorProcess.stop} or by the backend's own end (see the watchdog).
 */
export class OperatorProcess {
  private exited = false;
  private exitDescription = '';
  private readonly exit: Promise<number | null>;
  private readonly recent: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    logger: LoggerService,
  ) {
    this.exit = new Promise(resolve => {
      const done = (code: number | null, signal?: string | null) => {
        this.exited = true;
        this.exitDescription = signal
          ? `signal ${signal}`
          : `exit code ${code}`;
        resolve(code);
      };
      child.once('exit', done);
      // A process that could not be spawned never exits: count the failure as its end.
      child.once('error', error => {
        this.recent.push(String(error));
        done(null);
      });
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', line => {
        this.recent.push(line);
        if (this.recent.length > 20) this.recent.shift();
        forwardLine(logger, line);
      });
    }
  }

  static start(options: OperatorProcessOptions): OperatorProcess {
    const env = { ...process.env };
    // The backend's own node flags (an inspector port, loaders) are not the operator's.
    delete env.NODE_OPTIONS;
    const child = spawn(
      process.execPath,
      [
        '--require',
        options.watchdog,
        options.program ?? operatorBinary(),
        ...(options.program ? [] : ['run']),
        ...options.args,
      ],
      { env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    return new OperatorProcess(child, options.logger);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines the process wrote, for error messages. */
  get lastLines(): string {
    return this.recent.join('\n');
  }

  /**
   * Resolves once `port` on 127.0.0.1 accepts connections; rejects if the process exits
   * first or `timeoutMs` passes.
   */
  async waitForPort(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(
          `exited (${this.exitDescription}) before listening on port ${port}:\n${this.lastLines}`,
        );
      }
      const open = await new Promise<boolean>(resolve => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (open) return;
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error(
      `did not listen on port ${port} within ${timeoutMs} ms:\n${this.lastLines}`,
    );
  }

  /** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}
