// The agent-to-agent messages, HTTP+JSON on the remoting port (the port Pekko's Artery would use; agents and real
// Pekko nodes never share a cluster). Every message says who sends it; every answer carries the answerer's
// identity, so a sender learns when it talks to a new incarnation.
//   POST /agent/v1/join    {from, roles}  -> 200 {from, view} (admitted) | 409 {from, leader} (ask the leader)
//   POST /agent/v1/gossip  {from, view}   -> 200 {from, view} | 409 {from, error: not-member | other-cluster}
//   POST /agent/v1/leave   {from}         -> 200 {from} | 409 {from, leader}
import { parseNodeAddress } from '../../core/protocol/address.ts';
import type { HttpClient } from '../ports.ts';
import { type MemberId, readMemberId, readView, type View } from './view.ts';

export const PATHS = { join: '/agent/v1/join', gossip: '/agent/v1/gossip', leave: '/agent/v1/leave' } as const;
/** Requests and answers larger than this are refused. */
export const MAX_MESSAGE_CHARS = 256 * 1024;

export interface PeerAnswer {
  status: number;
  from: MemberId | undefined;
  view: View | undefined;
  /** The leader's address, in a 409 to join or leave. */
  leader: string | undefined;
  error: string | undefined;
}

/** POSTs a message to the peer at `node`'s host and port. Rejects on transport errors and unreadable answers. */
export async function send(http: HttpClient, node: string, path: string, message: object, timeoutMs: number) {
  const a = parseNodeAddress(node);
  if (!a.ok) throw new Error(a.error);
  const reply = await http.request({
    method: 'POST',
    host: a.value.host,
    port: a.value.port,
    path,
    body: JSON.stringify(message),
    timeoutMs,
  });
  if (reply.body.length > MAX_MESSAGE_CHARS) throw new Error(`answer from ${node} is too large`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(reply.body) as Record<string, unknown>;
  } catch {
    throw new Error(`answer from ${node} to ${path} is not JSON (status ${reply.status})`);
  }
  if (typeof json !== 'object' || json === null) throw new Error(`answer from ${node} is not an object`);
  const answer: PeerAnswer = {
    status: reply.status,
    from: readMemberId(json.from),
    view: json.view === undefined ? undefined : readView(json.view),
    leader: typeof json.leader === 'string' ? json.leader : undefined,
    error: typeof json.error === 'string' ? json.error : undefined,
  };
  if (json.view !== undefined && answer.view === undefined) throw new Error(`malformed view from ${node}`);
  return answer;
}

/** Parses a request body; undefined when it is not a JSON object with a valid `from`. */
export function readMessage(body: string): { from: MemberId; json: Record<string, unknown> } | undefined {
  if (body.length > MAX_MESSAGE_CHARS) return undefined;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const from = readMemberId(json?.from);
    return from ? { from, json } : undefined;
  } catch {
    return undefined;
  }
}
