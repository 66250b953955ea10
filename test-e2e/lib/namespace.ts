// A fresh namespace per test: created, ready for pods (its `default` ServiceAccount exists), handed to the test,
// dumped when the test fails, and deleted afterwards without waiting for the deletion to finish.
import { randomBytes } from 'node:crypto';
import { clients } from './cluster.ts';
import { type DumpOptions, dumpNamespace } from './dump.ts';
import { e2eEnv } from './env.ts';
import { waitFor } from './wait.ts';

export interface NamespaceOptions {
  /** name prefix (default 'e2e'); a random suffix follows */
  prefix?: string;
  labels?: Record<string, string>;
  /** what to print when the test fails */
  dump?: DumpOptions;
}

export const E2E_LABEL = 'e2e.pekko-operator.dev/test';

/** Creates a namespace, runs `fn(name)`, dumps diagnostics if it throws, deletes the namespace (no wait). */
export async function withNamespace<T>(fn: (ns: string) => Promise<T>, opts: NamespaceOptions = {}): Promise<T> {
  const { core } = clients();
  const name = `${opts.prefix ?? 'e2e'}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: { [E2E_LABEL]: 'true', ...opts.labels } } } });
  let failed = false;
  try {
    await waitFor(() => core.readNamespacedServiceAccount({ name: 'default', namespace: name }), {
      what: `the default ServiceAccount in ${name}`,
      timeoutMs: 30000,
    });
    return await fn(name);
  } catch (err) {
    failed = true;
    await dumpNamespace(name, opts.dump);
    throw err;
  } finally {
    if (failed && e2eEnv.keepFailedNamespaces) process.stderr.write(`kept namespace ${name} (E2E_KEEP_NAMESPACES=1)\n`);
    else await core.deleteNamespace({ name }).catch(() => undefined);
  }
}
