// A pod's network namespace (its "sandbox"), made by the kubelet stand-in before the pod's first container and
// removed after its last: `eth0` with the pod's address, a veth to the cluster's bridge, `lo` up, no default route
// and no IPv6 address. Recorded in <pods>/<uid>/net.json so the partition helper (test-e2e/lib/partition.ts) finds
// it; `down` removes whatever is left by the cluster's name prefix.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCidr } from './cidr.ts';
import { ipBatch, ipJson, netnsList } from './ip-cmd.ts';
import { macFor, type NetnsNetwork, netnsName, vethName } from './plan.ts';

export interface PodNetRecord {
  /** the network namespace's name (`ip netns exec <netns> ...`); its file is /run/netns/<netns> */
  netns: string;
  /** the host-side veth, a port of the bridge */
  veth: string;
  ip: string;
}

export function podNetFile(podsDir: string, uid: string): string {
  return join(podsDir, uid, 'net.json');
}

export function readPodNet(podsDir: string, uid: string): PodNetRecord | undefined {
  try {
    return JSON.parse(readFileSync(podNetFile(podsDir, uid), 'utf8')) as PodNetRecord;
  } catch {
    return undefined;
  }
}

/** The path processes enter with `nsenter --net=<path>`. */
export const netnsPath = (rec: Pick<PodNetRecord, 'netns'>) => `/run/netns/${rec.netns}`;

async function create(net: NetnsNetwork, rec: PodNetRecord): Promise<void> {
  const bits = parseCidr(net.cidr).bits;
  await ipBatch([
    `netns add ${rec.netns}`,
    `link add ${rec.veth} type veth peer name eth0 address ${macFor(rec.ip)} netns ${rec.netns}`,
    `link set ${rec.veth} addrgenmode none`,
    `link set ${rec.veth} master ${net.bridge}`,
    `link set ${rec.veth} up`,
  ]);
  await ipBatch(
    ['link set lo up', 'link set eth0 addrgenmode none', `addr add ${rec.ip}/${bits} dev eth0`, 'link set eth0 up'],
    { netns: rec.netns },
  );
}

/**
 * Makes the namespace for the pod with address `ip` (index `index` in the range) and records it under the pod's
 * folder. A leftover of the same name (an earlier kubelet that crashed) is removed and the creation tried again.
 */
export async function createPodNetns(
  net: NetnsNetwork,
  ip: string,
  index: number,
  podDir: string,
): Promise<PodNetRecord> {
  const rec = { netns: netnsName(net.tag, ip), veth: vethName(net.tag, index), ip };
  try {
    await create(net, rec);
  } catch {
    await deletePodNetns(rec);
    await create(net, rec);
  }
  writeFileSync(join(podDir, 'net.json'), JSON.stringify(rec));
  return rec;
}

/** Removes the pod's veth (its namespace end goes with it) and the namespace; missing parts are fine. */
export async function deletePodNetns(rec: Pick<PodNetRecord, 'netns' | 'veth'>): Promise<void> {
  await ipBatch([`link del ${rec.veth}`, `netns del ${rec.netns}`], { force: true });
}

const linkNames = async (prefix: string) =>
  (await ipJson<{ ifname: string }>(['link', 'show'])).map((l) => l.ifname).filter((n) => n.startsWith(prefix));

/**
 * Removes every pod namespace of the cluster (not its bridge) in one `ip` process and returns how many. The kernel
 * then destroys each namespace with its veth pair in the background, much faster than deleting 50 veths one by one
 * (about 20 ms each); veths still there after 2 s (a process escaped its pod and keeps the namespace) are deleted.
 */
export async function removeAllPodNetns(net: Pick<NetnsNetwork, 'tag'>): Promise<number> {
  const namespaces = (await netnsList()).filter((n) => n.startsWith(`${net.tag}-`));
  await ipBatch(
    namespaces.map((n) => `netns del ${n}`),
    { force: true },
  );
  let veths = await linkNames(`${net.tag}v`);
  for (let i = 0; i < 40 && veths.length; i++) {
    await new Promise((r) => setTimeout(r, 50));
    veths = await linkNames(`${net.tag}v`);
  }
  await ipBatch(
    veths.map((v) => `link del ${v}`),
    { force: true },
  );
  return namespaces.length;
}
