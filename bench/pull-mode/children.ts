/* The child processes of bench/pull-mode (kube-sim, the backend, the agents): tracked by role,
 * measured from /proc, and stopped in order at the end, whatever happens. */
import type { ChildProcess } from 'node:child_process';
import { cpuSecondsOf } from '../common/procStats';

/** Which children stop first at the end: the agents (so that they do not hammer a backend
 * that is shutting down), then the backend, then the clusters. */
export type Role = 'agents' | 'backend' | 'kube-sim';
const stopOrder: Role[] = ['agents', 'backend', 'kube-sim'];

/** Set once the bench stops its children: their exits and complaints are expected then. */
let stopping = false;

/** True once {@link stopChildren} was called. */
export function isStopping(): boolean {
  return stopping;
}

/** Every child process started here, by role, stopped at the end whatever happens. */
const children = new Map<ChildProcess, Role>();

/** Keeps `child` to stop at the end; resolves with its exit code. */
export function track(
  child: ChildProcess,
  role: Role,
  what: string,
): Promise<number | null> {
  children.set(child, role);
  return new Promise(resolve =>
    child.once('exit', code => {
      children.delete(child);
      if (code !== 0 && code !== null && !stopping)
        process.stderr.write(`${what} exited with ${code}\n`);
      resolve(code);
    }),
  );
}

/** Stops every tracked child, role after role (SIGTERM, SIGKILL after 10 s). */
export async function stopChildren(): Promise<void> {
  stopping = true;
  for (const role of stopOrder) {
    const group = [...children]
      .filter(([, r]) => r === role)
      .map(([child]) => child);
    const exits = group.map(
      child => new Promise(resolve => child.once('exit', resolve)),
    );
    for (const child of group) child.kill('SIGTERM');
    const timeout = setTimeout(() => {
      for (const child of group) child.kill('SIGKILL');
    }, 10_000);
    await Promise.all(exits);
    clearTimeout(timeout);
  }
}

/** CPU seconds each role's processes have used so far (the backend: the current one only). */
export function cpuByRole(): Record<Role, number> {
  const sums: Record<Role, number> = { agents: 0, backend: 0, 'kube-sim': 0 };
  for (const [child, role] of children) {
    try {
      sums[role] += cpuSecondsOf(child.pid);
    } catch {
      // exited between the listing and the read
    }
  }
  return sums;
}
