import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const operatorBin = path.join(path.dirname(require.resolve('@vworkspace/fleet-operator/package.json')), 'bin/fleet-operator');

/** One JSON log line of the operator. */
export type OperatorLogLine = { level: string; msg: string } & Record<string, unknown>;

/** How the operator process ended. */
export interface OperatorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `fleet-operator` process, as a Deployment runs it. */
export interface OperatorProcess {
  readonly child: ChildProcess;
  /** Log lines written so far (stderr, parsed; lines that are not JSON come as `{ level: 'raw' }`). */
  readonly logs: OperatorLogLine[];
  /** Settles when the process has ended. */
  readonly exited: Promise<OperatorExit>;
  /** Whether the process still runs. */
  running(): boolean;
  /** Resolves with the first log line (past or future) `match` accepts; rejects if the process ends first. */
  waitForLog(match: (line: OperatorLogLine) => boolean, what: string, timeoutMs?: number): Promise<OperatorLogLine>;
  /** SIGTERM, then the exit (SIGKILL if it does not end within 30 s). */
  stop(): Promise<OperatorExit>;
}

/**
 * Starts the operator binary (`operator/bin/fleet-operator run`) against the cluster of
 * `kubeConfig` (kubeconfig YAML), with `args` appended. Listeners are off unless `args` set them.
 */
export function startOperatorProcess(kubeConfig: string, args: string[] = []): OperatorProcess {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-operator-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeConfig, { mode: 0o600 });
  const defaults = ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--webhook-bind-address=0'];
  const child = spawn(process.execPath, [operatorBin, 'run', `--kubeconfig=${kubeconfigPath}`, ...defaults, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: OperatorLogLine[] = [];
  const listeners = new Set<() => void>();
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as OperatorLogLine);
      } catch {
        logs.push({ level: 'raw', msg: line });
      }
    }
    for (const l of listeners) l();
  };
  child.stderr!.on('data', onData);
  child.stdout!.on('data', onData);
  let ended = false;
  const exited = new Promise<OperatorExit>(resolve => {
    child.on('exit', (code, signal) => {
      ended = true;
      rmSync(dir, { recursive: true, force: true });
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });

  const waitForLog = (match: (line: OperatorLogLine) => boolean, what: string, timeoutMs = 60_000) =>
    new Promise<OperatorLogLine>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out waiting for log: ${what}`)), timeoutMs);
      const check = () => {
        const found = logs.find(match);
        if (found) finish(undefined, found);
        else if (ended) finish(new Error(`operator exited before logging: ${what}\n${logs.map(l => JSON.stringify(l)).join('\n')}`));
      };
      function finish(err?: Error, line?: OperatorLogLine) {
        clearTimeout(timer);
        listeners.delete(check);
        if (err) reject(err);
        else resolve(line!);
      }
      listeners.add(check);
      check();
    });

  return {
    child,
    logs,
    exited,
    running: () => !ended,
    waitForLog,
    async stop() {
      if (ended) return exited;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const result = await exited;
      clearTimeout(kill);
      return result;
    },
  };
}
