// One name per GPU, as people know it, and the same everywhere (probe, the
// wizard, doctor). In order:
//   1. the host's PCI ID database (pci.ids, the file lspci reads), with the
//      marketing part in brackets when the entry has one:
//      "Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]" → "AMD Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M";
//   2. the driver's or tool's marketing name (nvidia-smi, /proc/driver/nvidia,
//      amdgpu's product_name, macOS's chip);
//   3. vendor, gfx target and PCI id, as lspci -nn writes ids: "AMD gfx1100 [1002:744c]".
import type { Host } from '../host/types.js';
import type { GpuVendor } from '../catalog.js';
import type { PciIdNames } from './facts.js';

/** Where distributions put pci.ids (hwdata, pciutils' own, and the older path). */
export const PCI_IDS_PATHS = ['/usr/share/hwdata/pci.ids', '/usr/share/misc/pci.ids', '/usr/share/pci.ids'];

export const VENDOR_LABEL: Record<GpuVendor, string> = { nvidia: 'NVIDIA', amd: 'AMD', intel: 'Intel', apple: 'Apple', other: 'GPU' };

const hex4 = (id: string | undefined) => (id ?? '').toLowerCase().replace(/^0x/, '');

/** Vendor and device names from pci.ids text (sections of it are enough); subsystem lines are skipped. */
export function parsePciIds(text: string): Pick<PciIdNames, 'vendors' | 'devices'> {
  const vendors: Record<string, string> = {};
  const devices: Record<string, string> = {};
  let vendor: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#') || line.trim() === '') continue;
    const v = /^([0-9a-f]{4})\s+(\S.*?)\s*$/.exec(line);
    if (v) {
      vendor = v[1]!;
      vendors[vendor] = v[2]!;
      continue;
    }
    const d = /^\t([0-9a-f]{4})\s+(\S.*?)\s*$/.exec(line);
    if (d && vendor) {
      devices[`${vendor}:${d[1]}`] = d[2]!;
      continue;
    }
    if (!line.startsWith('\t')) vendor = null;
  }
  return { vendors, devices };
}

/** Reads the sections of the first pci.ids the host has, for these vendor ids (0x10de or 10de). */
export async function readPciIds(host: Host, vendorIds: string[]): Promise<PciIdNames> {
  const keys = [...new Set(vendorIds.map(hex4).filter((k) => /^[0-9a-f]{4}$/.test(k)))];
  if (keys.length === 0) return { path: null, vendors: {}, devices: {} };
  for (const path of PCI_IDS_PATHS) {
    const text = await host.readIdSections(path, keys);
    if (text !== null) return { path, ...parsePciIds(text) };
  }
  return { path: null, vendors: {}, devices: {} };
}

const printable = (s: string | undefined | null): s is string => !!s && /^[\x20-\x7e]{1,120}$/.test(s);

/** "Navi 31 [Radeon RX 7900 XT/7900 XTX]" → "Radeon RX 7900 XT/7900 XTX"; a name without brackets stays. */
export function marketingPart(pciIdsName: string): string {
  const m = /\[([^\]]+)\]\s*$/.exec(pciIdsName);
  return (m ? m[1]! : pciIdsName).trim();
}

function withVendor(vendor: GpuVendor, name: string): string {
  if (vendor === 'other') return name;
  const label = VENDOR_LABEL[vendor];
  return name.toLowerCase().startsWith(label.toLowerCase()) ? name : `${label} ${name}`;
}

export interface NameInput {
  vendor: GpuVendor;
  vendorId?: string | undefined;
  deviceId?: string | undefined;
  gfxTarget?: string | undefined;
  /** The driver's or tool's own name for it, when one answered. */
  driverName?: string | undefined | null;
}

export type NameSource = 'pci.ids' | 'driver' | 'ids';

export function gpuNameFrom(g: NameInput, ids: PciIdNames | undefined): { name: string; source: NameSource } {
  const v = hex4(g.vendorId);
  const d = hex4(g.deviceId);
  const entry = ids?.devices[`${v}:${d}`];
  if (printable(entry)) return { name: withVendor(g.vendor, marketingPart(entry)), source: 'pci.ids' };
  if (printable(g.driverName)) return { name: withVendor(g.vendor, g.driverName.trim()), source: 'driver' };
  const id = v && d && d !== 'unknown' ? `${v}:${d}` : null;
  const label = g.vendor === 'other' ? (printable(ids?.vendors[v]) ? ids!.vendors[v]! : 'display device') : VENDOR_LABEL[g.vendor];
  const what = g.gfxTarget ?? (g.vendor === 'other' ? null : 'GPU');
  return { name: [label, what, id ? `[${id}]` : null].filter(Boolean).join(' '), source: 'ids' };
}
