// The host's ROCm userspace (informational: the image brings its own).
import type { Facts } from '../facts.js';
import { parseAmdSmiVersion, parseModuleVersion, parseRocmInfoVersion, parseRocmVersionHeader } from '../rocm.js';
import type { Check } from './types.js';

export const rocmCheck: Check<Facts['rocm']> = {
  id: 'rocm',
  label: 'ROCm userspace',
  applies: (ctx) => ctx.linux,
  absent: { version: null, source: null, amdgpuModule: null },
  async gather(ctx) {
    const { host } = ctx;
    const [info, header, module] = await Promise.all([
      host.readText('/opt/rocm/.info/version'),
      host.readText('/opt/rocm/include/rocm-core/rocm_version.h'),
      host.readText('/sys/module/amdgpu/version'),
    ]);
    let version = parseRocmInfoVersion(info);
    let source: string | null = version ? '/opt/rocm/.info/version' : null;
    if (!version) {
      version = parseRocmVersionHeader(header);
      if (version) source = '/opt/rocm/include/rocm-core/rocm_version.h';
    }
    if (!version) {
      // amd-smi only when an AMD GPU is there: it is slow and pointless otherwise.
      const [pci, kfd] = await Promise.all([ctx.pci(), ctx.kfd()]);
      if (kfd.nodes.length > 0 || pci.devices.some((d) => d.vendor === 'amd')) {
        const r = await ctx.run('amd-smi', ['version']);
        if (r.status === 'ok') {
          version = parseAmdSmiVersion(r.stdout);
          if (version) source = 'amd-smi version';
        }
      }
    }
    return { version, source, amdgpuModule: parseModuleVersion(module) };
  },
  judge: (v) =>
    v.version
      ? { state: 'ok', detail: `ROCm ${v.version} (${v.source})` }
      : { state: 'skip', detail: 'no ROCm userspace on the host (the image brings its own)' },
};
