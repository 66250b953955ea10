// kubectl (the version built with the cluster, from state.json's binaries folder) against the shared cluster.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { clusterLayout, clusterState } from './cluster.ts';

export class KubectlError extends Error {
  readonly code = 'KUBECTL_FAILED';
  readonly result: KubectlResult;
  constructor(args: readonly string[], result: KubectlResult) {
    super(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'KubectlError';
    this.result = result;
  }
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** written to stdin (for `apply -f -`) */
  input?: string;
  /** adds `-n <namespace>` */
  namespace?: string;
  /** reject with KubectlError on a non-zero exit (default true) */
  check?: boolean;
}

/** The kubectl binary that matches the cluster's version. */
export function kubectlPath(): string {
  return join(clusterState().assets, 'kubectl');
}

/** Runs kubectl with the cluster's admin kubeconfig. */
export function kubectl(args: readonly string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  const full = ['--kubeconfig', clusterLayout().kubeconfig, ...(opts.namespace ? ['-n', opts.namespace] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(), full, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const result = { code: code ?? 1, stdout, stderr };
      if (result.code !== 0 && opts.check !== false) reject(new KubectlError(args, result));
      else resolve(result);
    });
    child.stdin.end(opts.input ?? '');
  });
}
