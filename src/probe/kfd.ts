// AMD GPUs as ROCm sees them: the KFD topology under /sys/class/kfd.
import type { Host } from '../host/types.js';
import type { KfdNode } from './facts.js';

/** `key value` lines of a KFD properties file; malformed lines are skipped. Values stay strings (unique_id exceeds 2^53). */
export function parseKfdProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_][a-z0-9_]*)\s+(-?\d+)\s*$/.exec(line.trim());
    if (m) props.set(m[1]!, m[2]!);
  }
  return props;
}

/** gfx_target_version → gfx name: 110000 → gfx1100, 90010 → gfx90a, 100301 → gfx1031. */
export function decodeGfxTarget(v: number): string | null {
  if (!Number.isInteger(v) || v <= 0) return null;
  const major = Math.floor(v / 10000);
  const minor = Math.floor(v / 100) % 100;
  const stepping = v % 100;
  if (minor > 15 || stepping > 15) return null;
  return `gfx${major}${minor.toString(16)}${stepping.toString(16)}`;
}

/** KFD unique_id (decimal u64) → ROCm UUID GPU-<16 hex>; null for 0 or garbage. */
export function kfdUuid(uniqueId: string | undefined): string | null {
  if (!uniqueId || !/^\d{1,20}$/.test(uniqueId)) return null;
  const n = BigInt(uniqueId);
  if (n === 0n || n >= 1n << 64n) return null;
  return `GPU-${n.toString(16).padStart(16, '0')}`;
}

function num(props: Map<string, string>, key: string): number | null {
  const v = props.get(key);
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : null;
}

/** A GPU node from its properties; null for CPU nodes and unusable input. */
export function kfdNodeFrom(node: number, text: string): Omit<KfdNode, 'index' | 'pciAddress'> | null {
  const props = parseKfdProperties(text);
  const gtv = num(props, 'gfx_target_version');
  if (gtv === null || gtv === 0) return null;
  const gfx = decodeGfxTarget(gtv);
  if (!gfx) return null;
  const minor = num(props, 'drm_render_minor');
  return {
    node,
    gfxTargetVersion: gtv,
    gfx,
    vendorId: num(props, 'vendor_id') ?? 0,
    deviceId: num(props, 'device_id') ?? 0,
    renderMinor: minor !== null && minor > 0 ? minor : null,
    uuid: kfdUuid(props.get('unique_id')),
  };
}

export async function readKfd(host: Host): Promise<{ topology: boolean; nodes: KfdNode[] }> {
  const base = '/sys/class/kfd/kfd/topology/nodes';
  const entries = await host.list(base);
  if (entries === null) return { topology: false, nodes: [] };
  const ids = entries.filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  const parsed = await Promise.all(
    ids.map(async (id) => {
      const text = await host.readText(`${base}/${id}/properties`);
      return text === null ? null : kfdNodeFrom(id, text);
    }),
  );
  const gpus = parsed.filter((n): n is NonNullable<typeof n> => n !== null);
  const nodes = await Promise.all(
    gpus.map(async (n, index): Promise<KfdNode> => {
      let pciAddress: string | null = null;
      if (n.renderMinor !== null) {
        const link = await host.readLink(`/sys/class/drm/renderD${n.renderMinor}/device`);
        const last = link?.trim().split('/').filter(Boolean).pop();
        if (last && /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(last)) pciAddress = last.toLowerCase();
      }
      return { ...n, index, pciAddress };
    }),
  );
  return { topology: true, nodes };
}
