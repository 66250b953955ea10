// Counting one namespace's requests on the shared API server. apiserver_request_total has no namespace or user
// label, so a figure read from it counts every suite's requests (and the agents of a namespace still being deleted).
// API Priority and Fairness does: a FlowSchema that matches only the namespace's ServiceAccounts and some verbs gets
// its own apiserver_flowcontrol_dispatched_requests_total series. The schemas take precedence over the built-in ones
// (matchingPrecedence 500 < 9000), use the built-in priority level workload-low, and are deleted by remove().
import { kubectl } from './kubectl.ts';

export interface FlowRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
}

export interface RequestFlows {
  /** Requests dispatched so far in each flow, by the name given to `requestFlows` (0 before the first). */
  counts(): Promise<Record<string, number>>;
  remove(): Promise<void>;
}

const SCHEMA_PREFIX = 'e2e-flow';

/**
 * One FlowSchema per entry of `flows`, each matching the requests of every ServiceAccount of `namespace` on the
 * given resources in that namespace. Waits until the API server has taken the schemas in.
 */
export async function requestFlows(namespace: string, flows: Record<string, FlowRule>): Promise<RequestFlows> {
  const nameOf = (flow: string) => `${SCHEMA_PREFIX}-${namespace}-${flow}`;
  const items = Object.entries(flows).map(([flow, rule]) => ({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: nameOf(flow), labels: { 'e2e.pekko-operator.dev/namespace': namespace } },
    spec: {
      matchingPrecedence: 500,
      priorityLevelConfiguration: { name: 'workload-low' },
      rules: [
        {
          subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace, name: '*' } }],
          resourceRules: [{ ...rule, namespaces: [namespace] }],
        },
      ],
    },
  }));
  await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  // The API server's APF controller marks a schema it has taken in with the condition Dangling=False.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { stdout } = await kubectl([
      'get',
      'flowschemas',
      '-l',
      `e2e.pekko-operator.dev/namespace=${namespace}`,
      '-o',
      'json',
    ]);
    const got = (JSON.parse(stdout) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] })
      .items;
    const taken = got.filter((s) => s.status?.conditions?.some((c) => c.type === 'Dangling' && c.status === 'False'));
    if (taken.length === items.length) break;
    if (Date.now() > deadline)
      throw new Error(`FlowSchemas of ${namespace} not taken in by the API server within 30 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    async counts() {
      const { stdout } = await kubectl(['get', '--raw', '/metrics']);
      const out: Record<string, number> = Object.fromEntries(Object.keys(flows).map((f) => [f, 0]));
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('apiserver_flowcontrol_dispatched_requests_total{')) continue;
        const schema = /flow_schema="([^"]+)"/.exec(line)?.[1];
        const flow = Object.keys(flows).find((f) => nameOf(f) === schema);
        if (flow) out[flow] = (out[flow] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return out;
    },
    async remove() {
      await kubectl(['delete', 'flowschemas', '-l', `e2e.pekko-operator.dev/namespace=${namespace}`, '--wait=false'], {
        check: false,
      });
    },
  };
}
