// Kubeconfig files with the certificates embedded, so they work from any working directory and can be copied.
// Written as JSON (valid YAML, read by kubectl and every client library).
import { readFileSync } from 'node:fs';

export interface KubeconfigInput {
  server: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  user: string;
  contextName?: string;
}

const b64 = (file: string) => readFileSync(file).toString('base64');

/** Renders a kubeconfig for one user of one cluster. */
export function renderKubeconfig(i: KubeconfigInput): string {
  const name = i.contextName ?? 'pbo-local';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: i.server, 'certificate-authority-data': b64(i.caFile) } }],
    users: [{ name: i.user, user: { 'client-certificate-data': b64(i.certFile), 'client-key-data': b64(i.keyFile) } }],
    contexts: [{ name, context: { cluster: name, user: i.user, namespace: 'default' } }],
    'current-context': name,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
