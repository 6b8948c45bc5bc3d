// /dev/kfd and the render nodes: present, owning group, access for this user.
import type { Facts } from '../facts.js';
import type { Check, KfdScan } from './types.js';

export interface KfdFacts {
  devices: Facts['devices'];
  kfd: KfdScan;
  /** An AMD device on the PCI bus. */
  amdPci: boolean;
}

export const kfdCheck: Check<KfdFacts> = {
  id: 'kfd',
  label: 'AMD ROCm kernel driver (/dev/kfd)',
  applies: (ctx) => ctx.linux,
  absent: { devices: { kfd: { path: '/dev/kfd', present: false }, render: [] }, kfd: { topology: false, nodes: [] }, amdPci: false },
  async gather(ctx) {
    const [pci, kfd, devices] = await Promise.all([ctx.pci(), ctx.kfd(), ctx.devices()]);
    return { devices, kfd, amdPci: pci.devices.some((d) => d.vendor === 'amd') };
  },
  judge({ devices: dev, kfd, amdPci }, { host }) {
    if (!amdPci && kfd.nodes.length === 0) return { state: 'skip', detail: 'no AMD GPU' };
    if (!dev.kfd.present || !kfd.topology) return { state: 'fail', detail: '/dev/kfd or the KFD topology is missing' };
    const gfx = kfd.nodes.map((n) => n.gfx).join(', ') || 'no GPU nodes';
    if (dev.kfd.userAccess === false) return { state: 'warn', detail: `${gfx}; /dev/kfd is not read-writable by ${host.identity.user}` };
    return { state: 'ok', detail: `${gfx}; /dev/kfd accessible` };
  },
};
