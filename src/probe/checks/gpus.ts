// GPUs: PCI display and accelerator devices, the KFD topology, and (WSL2, no
// PCI bus) AMD driver packages in the WSL driver store.
import type { Gpu } from '../../report.js';
import type { PciIdNames } from '../facts.js';
import { buildGpus } from '../gpus.js';
import { nvidiaCheck } from './nvidia.js';
import type { Check, KfdScan, PciScan } from './types.js';

export interface GpusFacts {
  pci: PciScan;
  kfd: KfdScan;
  wslAmdDriver: boolean;
  pciIds: PciIdNames;
  /** The PCI GPUs as the report will name them (for the one-line verdict). */
  named: Gpu[];
}

export const gpusCheck: Check<GpusFacts> = {
  id: 'gpus',
  label: 'GPUs',
  applies: (ctx) => ctx.linux,
  absent: { pci: { readable: false, devices: [] }, kfd: { topology: false, nodes: [] }, wslAmdDriver: false, pciIds: { path: null, vendors: {}, devices: {} }, named: [] },
  async gather(ctx) {
    const wslAmd = ctx.platform().then(async (p) => {
      if (!p.wsl) return false;
      const entries = (await ctx.host.list('/usr/lib/wsl/drivers')) ?? [];
      // AMD driver packages are u0xxxxxx.inf_amd64_*; `_amd64_` is the architecture, not the vendor.
      return entries.some((e) => /^u\d{6,}\.inf/i.test(e) || /(amd|radeon|ati)/i.test(e.replace(/_amd64_/gi, '_')));
    });
    const [pci, kfd, wslAmdDriver, pciIds] = await Promise.all([ctx.pci(), ctx.kfd(), wslAmd, ctx.pciIds()]);
    // Named exactly as the report names them: an NVIDIA GPU pci.ids does not
    // know is named by its driver, so then the driver's answer is awaited.
    const unnamed = pci.devices.some((d) => d.vendor === 'nvidia' && !pciIds.devices[`${d.vendorId.slice(2)}:${d.deviceId.slice(2)}`]);
    const nvidia = unnamed ? await ctx.nvidia() : nvidiaCheck.absent;
    const named = buildGpus({ pci: pci.devices, kfd, nvidia, mac: null, devices: { kfd: { path: '/dev/kfd', present: false }, render: [] }, pciIds }).filter((g) => g.pciAddress);
    return { pci, kfd, wslAmdDriver, pciIds, named };
  },
  judge({ pci, kfd, named }) {
    if (!pci.readable && kfd.nodes.length === 0) return { state: 'warn', detail: '/sys/bus/pci is not readable: GPUs cannot be listed' };
    const compute = pci.devices.filter((d) => d.vendor === 'nvidia' || d.vendor === 'amd');
    if (compute.length === 0 && kfd.nodes.length === 0) {
      return { state: 'skip', detail: pci.devices.length ? `no NVIDIA or AMD GPU (${pci.devices.length} display device${pci.devices.length > 1 ? 's' : ''})` : 'no GPU on the PCI bus' };
    }
    return {
      state: 'ok',
      detail:
        compute
          .map((d) => `${named.find((g) => g.pciAddress === d.address)?.name ?? `${d.vendor.toUpperCase()} ${d.deviceId}`} at ${d.address} (${d.driver ?? 'no driver'})`)
          .join(', ') || `${kfd.nodes.length} KFD GPU node(s)`,
    };
  },
};
