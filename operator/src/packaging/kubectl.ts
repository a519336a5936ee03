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
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      child.stdin?.end(stdin ?? '');
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
