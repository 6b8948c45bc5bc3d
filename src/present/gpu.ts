// GPU names, the same everywhere: probe, doctor, the wizard and the re-init
// memory name a GPU the way `kg-init probe` does.

export interface GpuLike {
  vendor: 'nvidia' | 'amd' | 'intel' | 'apple' | 'other';
  /** Display name from the probe (pci.ids, the driver, amd-smi…). */
  name?: string | undefined;
  vendorId?: string | undefined;
  deviceId?: string | undefined;
  /** vendorId:deviceId (the re-init memory's form). */
  pciId?: string | undefined;
  gfxTarget?: string | undefined;
}

export const VENDOR_NAME = { nvidia: 'NVIDIA', amd: 'AMD', intel: 'Intel', apple: 'Apple', other: 'GPU' } as const;

const hex = (id: string | undefined) => id?.toLowerCase().replace(/^0x/, '');

function pciId(g: GpuLike): string | undefined {
  if (g.pciId) return g.pciId;
  const v = hex(g.vendorId);
  const d = hex(g.deviceId);
  return v && d ? `${v}:${d}` : d;
}

/** The GPU's name as probe prints it: its display name, else vendor and what identifies it. */
export function gpuName(g: GpuLike): string {
  if (g.name) {
    const vendor = VENDOR_NAME[g.vendor];
    return g.vendor === 'other' || g.name.toLowerCase().startsWith(vendor.toLowerCase()) ? g.name : `${vendor} ${g.name}`;
  }
  if (g.gfxTarget) return `${VENDOR_NAME[g.vendor]} ${g.gfxTarget}`;
  const id = pciId(g);
  return id ? `${VENDOR_NAME[g.vendor]} ${id}` : `${VENDOR_NAME[g.vendor]} GPU`;
}

/** The name with the gfx target when the name does not already carry it: "AMD Radeon RX 7900 XTX (gfx1100)". */
export function gpuLabel(g: GpuLike): string {
  const name = gpuName(g);
  return g.gfxTarget && !name.includes(g.gfxTarget) ? `${name} (${g.gfxTarget})` : name;
}

/** The label with the PCI id first, to tell a swapped card of the same name: "AMD Radeon RX 7900 XTX (1002:744c, gfx1100)". */
export function gpuIdLabel(g: GpuLike): string {
  const name = g.name ? gpuName(g) : `${VENDOR_NAME[g.vendor]} GPU`;
  const id = pciId(g);
  // A name made from the ids ("AMD gfx1100 [1002:744c]") already carries them.
  const extra = [id && !name.includes(id) ? id : undefined, g.gfxTarget && !name.includes(g.gfxTarget) ? g.gfxTarget : undefined].filter(Boolean);
  return extra.length ? `${name} (${extra.join(', ')})` : name;
}
