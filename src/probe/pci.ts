// PCI display and accelerator devices from /sys/bus/pci/devices/*.
import type { Host } from '../host/types.js';
import type { GpuVendor } from '../catalog.js';
import type { PciDevice } from './facts.js';

const VENDORS: Record<string, GpuVendor> = { '0x10de': 'nvidia', '0x1002': 'amd', '0x8086': 'intel' };

/** Parses a sysfs hex id ("0x10de\n") to its canonical lower-case form, or null. */
export function parseHexId(text: string | null, digits = 4): string | null {
  if (text === null) return null;
  const m = /^\s*0x([0-9a-fA-F]+)\s*$/.exec(text);
  if (!m || m[1]!.length > digits) return null;
  return `0x${m[1]!.toLowerCase().padStart(digits, '0')}`;
}

/** 0x03xxxx (display: VGA, 3D, other) and 0x12xxxx (processing accelerators, e.g. Instinct MI300). */
export function isGpuClass(classCode: string): boolean {
  return classCode.startsWith('0x03') || classCode.startsWith('0x12');
}

export function vendorOf(vendorId: string): GpuVendor {
  return VENDORS[vendorId] ?? 'other';
}

/** A decimal byte count from sysfs, or undefined for anything else. */
export function parseBytes(text: string | null): number | undefined {
  if (text === null) return undefined;
  const t = text.trim();
  if (!/^\d{1,20}$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function driverName(link: string | null): string | null {
  if (!link) return null;
  const name = link.trim().split('/').filter(Boolean).pop();
  return name ?? null;
}

const PCI_ADDR = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

export async function readPci(host: Host): Promise<{ readable: boolean; devices: PciDevice[] }> {
  const base = '/sys/bus/pci/devices';
  const entries = await host.list(base);
  if (entries === null) return { readable: false, devices: [] };
  const found = await Promise.all(
    entries.filter((e) => PCI_ADDR.test(e)).map(async (address): Promise<PciDevice | null> => {
      const dir = `${base}/${address}`;
      const [cls, ven] = await Promise.all([host.readText(`${dir}/class`), host.readText(`${dir}/vendor`)]);
      const classCode = parseHexId(cls, 6);
      const vendorId = parseHexId(ven);
      if (!classCode || !vendorId || !isGpuClass(classCode)) return null;
      // 0x1022 is AMD's chipset/CPU vendor id: never a GPU.
      if (vendorId === '0x1022') return null;
      const vendor = vendorOf(vendorId);
      const [dev, drv, boot] = await Promise.all([
        host.readText(`${dir}/device`),
        host.readLink(`${dir}/driver`),
        host.readText(`${dir}/boot_vga`),
      ]);
      const d: PciDevice = {
        address: address.toLowerCase(),
        vendorId,
        deviceId: parseHexId(dev) ?? 'unknown',
        classCode,
        vendor,
        driver: driverName(drv),
      };
      if (boot !== null) d.bootVga = boot.trim() === '1';
      if (vendor === 'amd') {
        const [vram, gtt, vv, bi, pn] = await Promise.all([
          host.readText(`${dir}/mem_info_vram_total`),
          host.readText(`${dir}/mem_info_gtt_total`),
          host.readText(`${dir}/mem_info_vram_vendor`),
          host.readText(`${dir}/board_info`),
          host.readText(`${dir}/product_name`),
        ]);
        const product = pn?.trim();
        if (product && /^[\x20-\x7e]{1,100}$/.test(product)) d.productName = product;
        const v = parseBytes(vram);
        const g = parseBytes(gtt);
        if (v !== undefined) d.vramBytes = v;
        if (g !== undefined) d.gttBytes = g;
        d.hasVramVendor = vv !== null && vv.trim() !== '';
        d.hasBoardInfo = bi !== null && bi.trim() !== '';
      }
      return d;
    }),
  );
  return { readable: true, devices: found.filter((d): d is PciDevice => d !== null) };
}

/**
 * gfx targets that exist only as APUs (integrated GPUs), from the dGPU/APU
 * column of LLVM's AMDGPU processor table (llvm/docs/AMDGPUUsage.rst):
 * Raven, Renoir, Van Gogh, Rembrandt, Raphael, Mendocino, Phoenix, and the
 * RDNA 3.5 Strix Point / Strix Halo / Krackan parts. gfx942 is not here: it
 * is both the MI300X (discrete) and the MI300A (APU).
 */
export const APU_ONLY_GFX: ReadonlySet<string> = new Set([
  'gfx801', 'gfx810', 'gfx902', 'gfx909', 'gfx90c',
  'gfx1013', 'gfx1033', 'gfx1035', 'gfx1036', 'gfx1037',
  'gfx1103', 'gfx1150', 'gfx1151', 'gfx1152', 'gfx1153',
]);

/**
 * Integrated vs discrete for an AMD device, by evidence other than VRAM size
 * first (an APU's carve-out can be 96 GiB):
 *   1. a gfx target that only exists as an APU → integrated;
 *   2. amdgpu's mem_info_vram_vendor or board_info, which it exposes only for
 *      discrete boards (an APU has no VRAM chips of its own) → discrete;
 *   3. otherwise a VRAM carve-out small against GTT (or ≤ 2 GiB) → integrated.
 * Undefined when nothing tells.
 */
export function amdIntegrated(d: PciDevice, gfx?: string): boolean | undefined {
  if (gfx !== undefined && APU_ONLY_GFX.has(gfx)) return true;
  if (d.hasVramVendor || d.hasBoardInfo) return false;
  if (d.vramBytes === undefined) return undefined;
  if (d.gttBytes !== undefined && d.vramBytes * 4 <= d.gttBytes) return true;
  return d.vramBytes <= 2 * 1024 ** 3 ? true : false;
}
