// Merges PCI devices, KFD nodes and nvidia-smi rows into the report's GPU list.
import type { Gpu } from '../report.js';
import type { Facts } from './facts.js';
import { APU_ONLY_GFX, amdIntegrated } from './pci.js';
import { gpuNameFrom, type NameInput } from './names.js';

type GpuInput = Pick<Facts, 'pci' | 'kfd' | 'nvidia' | 'mac' | 'devices' | 'pciIds'>;

const OTHER_NAMES: Record<string, string> = {
  '0x1234': 'QEMU/Bochs standard VGA',
  '0x1a03': 'ASPEED BMC display',
  '0x15ad': 'VMware SVGA',
  '0x1af4': 'virtio GPU',
  '0x1414': 'Microsoft Hyper-V display',
};

export function buildGpus(f: GpuInput): Gpu[] {
  const named = (g: Gpu, driverName?: string | null): Gpu => {
    const input: NameInput = { vendor: g.vendor, vendorId: g.vendorId, deviceId: g.deviceId, gfxTarget: g.gfxTarget, driverName };
    const n = gpuNameFrom(input, f.pciIds);
    g.name = n.name;
    g.nameSource = n.source;
    return g;
  };
  const gpus: Gpu[] = [];
  const smiByBus = new Map(f.nvidia.smiGpus.filter((g) => g.pciAddress).map((g) => [g.pciAddress!, g]));
  const usedSmi = new Set<object>();
  const kfdByBus = new Map(f.kfd.nodes.filter((n) => n.pciAddress).map((n) => [n.pciAddress!, n]));
  const usedKfd = new Set<object>();

  for (const d of f.pci) {
    const g: Gpu = {
      vendor: d.vendor,
      pciAddress: d.address,
      vendorId: d.vendorId,
      deviceId: d.deviceId,
      pciClass: d.classCode,
      driver: d.driver,
    };
    let driverName: string | undefined;
    if (d.vendor === 'other') driverName = OTHER_NAMES[d.vendorId];
    if (d.vendor === 'amd') driverName = d.productName;
    if (d.vendor === 'amd') {
      const n = kfdByBus.get(d.address);
      const integrated = amdIntegrated(d, n?.gfx);
      if (integrated !== undefined) g.integrated = integrated;
      if (d.vramBytes !== undefined) g.vramBytes = d.vramBytes;
      if (n) {
        usedKfd.add(n);
        g.gfxTarget = n.gfx;
        g.kfdIndex = n.index;
        if (n.uuid) g.uuid = n.uuid;
        if (n.renderMinor !== null) g.renderNode = `/dev/dri/renderD${n.renderMinor}`;
      }
    }
    if (d.vendor === 'nvidia') {
      const s = smiByBus.get(d.address);
      const model = f.nvidia.procModels?.[d.address];
      if (model) driverName = model;
      if (s) {
        usedSmi.add(s);
        driverName = s.name;
        if (s.uuid) g.uuid = s.uuid;
        if (s.vramBytes !== undefined) g.vramBytes = s.vramBytes;
      }
    }
    if (d.vendor === 'intel') g.integrated = d.bootVga !== false && /^0000:00:/.test(d.address);
    gpus.push(named(g, driverName));
  }
  // KFD nodes the PCI scan did not show (no /sys/bus/pci in a container).
  for (const n of f.kfd.nodes) {
    if (usedKfd.has(n)) continue;
    const g: Gpu = { vendor: 'amd', gfxTarget: n.gfx, kfdIndex: n.index, deviceId: `0x${n.deviceId.toString(16).padStart(4, '0')}` };
    if (n.vendorId) g.vendorId = `0x${n.vendorId.toString(16).padStart(4, '0')}`;
    if (APU_ONLY_GFX.has(n.gfx)) g.integrated = true;
    if (n.uuid) g.uuid = n.uuid;
    if (n.pciAddress) g.pciAddress = n.pciAddress;
    if (n.renderMinor !== null) g.renderNode = `/dev/dri/renderD${n.renderMinor}`;
    gpus.push(named(g));
  }
  // NVIDIA GPUs nvidia-smi reports without a PCI device here (WSL2 has no PCI bus).
  for (const s of f.nvidia.smiGpus) {
    if (usedSmi.has(s)) continue;
    const g: Gpu = { vendor: 'nvidia' };
    if (s.uuid) g.uuid = s.uuid;
    if (s.vramBytes !== undefined) g.vramBytes = s.vramBytes;
    gpus.push(named(g, s.name));
  }
  if (f.mac?.appleSilicon) gpus.push({ vendor: 'apple', name: f.mac.chip ?? 'Apple Silicon', nameSource: 'driver', integrated: true });
  return gpus;
}
