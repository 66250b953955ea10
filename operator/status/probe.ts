// One probe of one pod: GET /bootstrap/seed-nodes, then /cluster/members where the node serves it, each parsed by
// core/protocol (the same parser for real Pekko nodes and the agent). Never throws: whatever the pod answers (wrong
// types, an HTML error page, a huge or slow body) becomes an error message.
import { parseClusterMembers, parseSeedNodes } from '../../core/protocol/index.ts';
import type { NodeAnswer } from './compute.ts';
import type { HttpGet } from './probe-http.ts';

export interface ProbeResult {
  answer?: NodeAnswer;
  error?: string;
}

function describeStatus(status: number, contentType: string, body: string): string {
  const kind = contentType.split(';')[0]?.trim() || 'no content type';
  const text = kind.startsWith('text/plain') ? `: ${body.slice(0, 120).trim()}` : ` (${kind})`;
  return `HTTP ${status}${text}`;
}

export async function probeNode(
  get: HttpGet,
  host: string,
  port: number,
  limits: { timeoutMs: number; maxBytes: number },
): Promise<ProbeResult> {
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let seeds: NodeAnswer;
  try {
    const res = await get(`${base}/bootstrap/seed-nodes`, limits);
    if (res.status !== 200)
      return { error: `/bootstrap/seed-nodes: ${describeStatus(res.status, res.contentType, res.body)}` };
    const parsed = parseSeedNodes(res.body);
    if (!parsed.ok) return { error: `/bootstrap/seed-nodes: ${parsed.error}` };
    seeds = { selfNode: parsed.value.selfNode, seedNodes: parsed.value.seedNodes.map((m) => m.node) };
  } catch (err) {
    return { error: `/bootstrap/seed-nodes: ${(err as Error).message}` };
  }
  try {
    const res = await get(`${base}/cluster/members`, limits);
    // 404: the node has no cluster-http routes; seed-nodes alone is still an answer.
    if (res.status !== 200) return { answer: seeds };
    const parsed = parseClusterMembers(res.body);
    if (!parsed.ok) return { answer: seeds, error: `/cluster/members: ${parsed.error}` };
    const m = parsed.value;
    return {
      answer: {
        ...seeds,
        members: {
          list: m.members.map((x) => ({ node: x.node, status: x.status })),
          unreachable: m.unreachable.map((u) => u.node),
          ...(m.oldest ? { oldest: m.oldest } : {}),
          ...(m.leader ? { leader: m.leader } : {}),
        },
      },
    };
  } catch (err) {
    return { answer: seeds, error: `/cluster/members: ${(err as Error).message}` };
  }
}
