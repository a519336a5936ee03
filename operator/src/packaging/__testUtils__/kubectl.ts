import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureKubeTools } from './kubeTools';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The exit code of a finished child process: 0 without an error, 1 when the error carries none. */
function exitCode(err: Error | null): number {
  if (!err) return 0;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : 1;
}

/**
 * Real kubectl against a kubeconfig, with its own discovery cache. Asynchronous on purpose: a
 * kube-sim cluster serving in the same process could not answer a blocked event loop.
 */
export class Kubectl {
  private readonly dir: string;
  private readonly kubeconfigPath: string;

  constructor(kubeconfig: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-operator-kubectl-'));
    this.kubeconfigPath = path.join(this.dir, 'kubeconfig');
    writeFileSync(this.kubeconfigPath, kubeconfig, { mode: 0o600 });
  }

  run(args: string[], stdin?: string): Promise<KubectlResult> {
    const { kubectl } = ensureKubeTools();
    const fullArgs = ['--kubeconfig', this.kubeconfigPath, '--cache-dir', path.join(this.dir, 'cache'), ...args];
    return new Promise(resolve => {
      const child = execFile(kubectl, fullArgs, { maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH, HOME: this.dir } }, (err, stdout, stderr) => {
        resolve({ code: exitCode(err), stdout, stderr });
      });
      child.stdin?.end(stdin ?? '');
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
