// /dev/kfd and /dev/dri/renderD*: present, owning group, and whether this user
// can open them read-write (decided from metadata, as the kernel would).
import type { Host, Identity } from '../host/types.js';
import { canReadWrite } from '../host/access.js';
import type { DevNodeFact } from './facts.js';

/** /etc/group → gid → name; malformed lines are skipped. */
export function parseGroupFile(text: string | null): Map<number, string> {
  const map = new Map<number, string>();
  if (!text) return map;
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !f[0] || line.startsWith('#')) continue;
    if (!/^\d+$/.test(f[2]!)) continue;
    const gid = Number(f[2]);
    if (!map.has(gid)) map.set(gid, f[0]);
  }
  return map;
}

async function node(host: Host, path: string, who: Identity, groups: Map<number, string>): Promise<DevNodeFact> {
  const st = await host.stat(path);
  if (!st) return { path, present: false };
  const f: DevNodeFact = { path, present: true, gid: st.gid, userAccess: canReadWrite(st, who) };
  const name = groups.get(st.gid);
  if (name) f.group = name;
  return f;
}

export async function readDevNodes(host: Host): Promise<{ kfd: DevNodeFact; render: DevNodeFact[] }> {
  const [groupText, dri] = await Promise.all([host.readText('/etc/group'), host.list('/dev/dri')]);
  const groups = parseGroupFile(groupText);
  const renders = (dri ?? [])
    .map((n) => /^renderD(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[0], minor: Number(m[1]) }))
    .sort((a, b) => a.minor - b.minor);
  const [kfd, ...render] = await Promise.all([
    node(host, '/dev/kfd', host.identity, groups),
    ...renders.map(async (r) => ({ ...(await node(host, `/dev/dri/${r.name}`, host.identity, groups)), minor: r.minor })),
  ]);
  return { kfd: kfd!, render };
}
