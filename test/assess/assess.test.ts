// The decision as a pure function of facts: recommendation order, AMD GPU
// choice and pinning, overrides and ROCm versions, all read from the catalog.
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/assess/index.js';
import { buildGpus } from '../../src/probe/gpus.js';
import type { Facts, KfdNode, PciDevice } from '../../src/probe/facts.js';
import { catalog } from '../../src/catalog.js';

const GiB = 1024 ** 3;

function facts(over: Partial<Facts> = {}): Facts {
  return {
    platform: 'linux',
    arch: 'x64',
    kernelRelease: '6.8.0-60-generic',
    identity: { user: 'alice', uid: 1000, gid: 1000, groups: [1000, 992] },
    distro: { id: 'ubuntu', name: 'Ubuntu 24.04', version: '24.04' },
    wsl: false,
    pciReadable: true,
    pci: [],
    kfd: { topology: false, nodes: [] },
    wslAmdDriver: false,
    devices: { kfd: { path: '/dev/kfd', present: false }, render: [] },
    rocm: { version: null, source: null, amdgpuModule: null },
    nvidia: { driverVersion: null, kernelModule: null, smi: 'missing', smiPath: null, smiMessage: null, smiGpus: [], procGpus: [] },
    docker: { installed: true, running: true, version: '28.3.2', runtimes: ['nvidia', 'runc'], nvidiaRuntime: true, cdiSpecs: [], desktop: false, timedOut: false },
    mac: null,
    tools: [],
    ...over,
  };
}

function amdPci(address: string, vram: number, discrete: boolean): PciDevice {
  return { address, vendorId: '0x1002', deviceId: '0x744c', classCode: '0x030000', vendor: 'amd', driver: 'amdgpu', vramBytes: vram, gttBytes: 32 * GiB, hasVramVendor: discrete, hasBoardInfo: false };
}
function node(index: number, gfx: string, minor: number, pciAddress: string, uuid: string | null = null): KfdNode {
  return { node: index + 1, index, gfxTargetVersion: 0, gfx, vendorId: 4098, deviceId: 0, renderMinor: minor, uuid, pciAddress };
}
const dev = (minor: number) => ({ path: `/dev/dri/renderD${minor}`, present: true, gid: 992, group: 'render', userAccess: true, minor });

function amdHost(gpus: Array<{ gfx: string; vram: number; discrete: boolean; uuid?: string }>, over: Partial<Facts> = {}): Facts {
  return facts({
    pci: gpus.map((g, i) => amdPci(`0000:0${i + 3}:00.0`, g.vram, g.discrete)),
    kfd: { topology: true, nodes: gpus.map((g, i) => node(i, g.gfx, 128 + i, `0000:0${i + 3}:00.0`, g.uuid ?? null)) },
    devices: { kfd: { path: '/dev/kfd', present: true, gid: 992, group: 'render', userAccess: true }, render: gpus.map((_, i) => dev(128 + i)) },
    rocm: { version: '7.2.0', source: '/opt/rocm/.info/version', amdgpuModule: null },
    ...over,
  });
}

function nvidiaFacts(vramMiB: number): Partial<Facts> {
  return {
    pci: [{ address: '0000:01:00.0', vendorId: '0x10de', deviceId: '0x2684', classCode: '0x030000', vendor: 'nvidia', driver: 'nvidia' }],
    nvidia: {
      driverVersion: '580.95.05', kernelModule: 'proprietary', smi: 'ok', smiPath: 'nvidia-smi', smiMessage: null, procGpus: ['0000:01:00.0'],
      smiGpus: [{ index: 0, name: 'NVIDIA GeForce RTX', pciAddress: '0000:01:00.0', vramBytes: vramMiB * 1024 * 1024 }],
    },
  };
}

const run = (f: Facts) => assess(f, buildGpus(f));
const status = (f: Facts, mode: string) => run(f).modes.find((m) => m.mode === mode)!.status;
const codes = (f: Facts) => run(f).findings.map((x) => x.code);

describe('recommendation', () => {
  function mixed(nvMiB: number, amdVram: number, amdOver: Partial<Facts> = {}): Facts {
    const a = amdHost([{ gfx: 'gfx1100', vram: amdVram, discrete: true }], amdOver);
    const n = nvidiaFacts(nvMiB);
    return { ...a, pci: [...n.pci!, ...a.pci], nvidia: n.nvidia! };
  }
  it('between two ready GPUs takes more VRAM, then NVIDIA on a tie', () => {
    expect(run(mixed(24 * 1024, 16 * GiB)).recommendation.mode).toBe('nvidia');
    expect(run(mixed(12 * 1024, 24 * GiB)).recommendation.mode).toBe('amd-host');
    expect(run(mixed(16 * 1024, 16 * GiB)).recommendation.mode).toBe('nvidia');
  });
  it('takes ready over degraded before comparing VRAM', () => {
    const f = mixed(12 * 1024, 24 * GiB, { rocm: { version: '6.1.2', source: 'x', amdgpuModule: null } });
    expect(status(f, 'amd-host')).toBe('degraded');
    expect(run(f).recommendation.mode).toBe('nvidia');
    expect(run(f).recommendation.reason).toContain('passed over amd-host degraded');
  });
  it('falls back to mac on macOS and cpu elsewhere', () => {
    expect(run(facts({ platform: 'darwin', arch: 'arm64', mac: { appleSilicon: true, chip: 'Apple M3', version: '15.6' } })).recommendation.mode).toBe('mac');
    expect(run(facts()).recommendation).toMatchObject({ mode: 'cpu', imageTag: catalog.variants.default!.tag });
  });
});

describe('AMD GPU choice', () => {
  it('pins the discrete GPU by index when KFD gives no unique_id', () => {
    const f = amdHost([
      { gfx: 'gfx1036', vram: 512 << 20, discrete: false },
      { gfx: 'gfx1100', vram: 24 * GiB, discrete: true },
    ]);
    const a = run(f);
    expect(a.amdOverlay).toEqual({ groupGids: [992], rocrVisibleDevices: '1', hsaOverrideGfxVersion: null });
    expect(codes(f)).toContain('AMD_IGPU_PINNED');
    expect(status(f, 'amd-host')).toBe('ready');
  });

  it('uses the integrated GPU, with its override, when the discrete one is unsupported', () => {
    const f = amdHost([
      { gfx: 'gfx803', vram: 8 * GiB, discrete: true },
      { gfx: 'gfx1035', vram: 512 << 20, discrete: false, uuid: 'GPU-00000000000000aa' },
    ]);
    const a = run(f);
    expect(a.amdOverlay).toMatchObject({ rocrVisibleDevices: 'GPU-00000000000000aa', hsaOverrideGfxVersion: catalog.variants['rocm72-host']!.rocm!.overrides.gfx1035 });
    expect(codes(f)).toContain('GFX_OVERRIDE');
    expect(codes(f)).not.toContain('AMD_IGPU_PINNED');
    expect(status(f, 'amd-host')).toBe('degraded');
  });

  it('uses every GPU when all are supported alike', () => {
    const f = amdHost([
      { gfx: 'gfx942', vram: 192 * GiB, discrete: true },
      { gfx: 'gfx942', vram: 192 * GiB, discrete: true },
    ]);
    expect(run(f).amdOverlay).toEqual({ groupGids: [992], rocrVisibleDevices: null, hsaOverrideGfxVersion: null });
  });

  it('blocks amd-host when no GPU has a supported target or override', () => {
    const f = amdHost([{ gfx: 'gfx803', vram: 8 * GiB, discrete: true }]);
    expect(codes(f)).toContain('GFX_UNSUPPORTED');
    expect(status(f, 'amd-host')).toBe('blocked');
    expect(run(f).recommendation.mode).toBe('cpu');
  });

  it('treats an older ROCm minor of the same major as fine, an older major as a warning', () => {
    const gpu = [{ gfx: 'gfx1100', vram: 24 * GiB, discrete: true }];
    expect(codes(amdHost(gpu, { rocm: { version: '7.1.1', source: 'x', amdgpuModule: null } }))).not.toContain('ROCM_HOST_OLDER');
    expect(codes(amdHost(gpu, { rocm: { version: '6.4.3', source: 'x', amdgpuModule: null } }))).toContain('ROCM_HOST_OLDER');
  });

  it('names the group to join when the user cannot open /dev/kfd', () => {
    const f = amdHost([{ gfx: 'gfx1100', vram: 24 * GiB, discrete: true }]);
    f.devices.kfd.userAccess = false;
    const x = run(f).findings.find((y) => y.code === 'KFD_NO_USER_ACCESS')!;
    expect(x.fix).toContain('sudo usermod -aG render $USER');
  });
});

describe('NVIDIA and Docker', () => {
  it('blocks nvidia without the toolkit, with the commands to fix it', () => {
    const f = facts({ ...nvidiaFacts(24 * 1024), docker: { ...facts().docker, runtimes: ['runc'], nvidiaRuntime: false } });
    const x = run(f).findings.find((y) => y.code === 'NVIDIA_TOOLKIT_MISSING')!;
    expect(x.fix).toContain('nvidia-container-toolkit');
    expect(x.fix).toContain('sudo nvidia-ctk runtime configure --runtime=docker');
    expect(status(f, 'nvidia')).toBe('blocked');
  });
  it('accepts an NVIDIA CDI spec instead of the runtime', () => {
    const f = facts({ ...nvidiaFacts(24 * 1024), docker: { ...facts().docker, runtimes: ['runc'], nvidiaRuntime: false, cdiSpecs: ['/etc/cdi/nvidia.yaml'] } });
    expect(status(f, 'nvidia')).toBe('ready');
  });
  it('degrades (not blocks) when Docker is absent: the container side cannot be checked yet', () => {
    const f = facts({ ...nvidiaFacts(24 * 1024), docker: { ...facts().docker, installed: false, running: false, runtimes: [], nvidiaRuntime: false } });
    expect(status(f, 'nvidia')).toBe('degraded');
    expect(status(f, 'cpu')).toBe('degraded');
    expect(run(f).recommendation.mode).toBe('nvidia');
  });
  it('does not mutate its input and answers the same twice', () => {
    const f = facts(nvidiaFacts(8 * 1024));
    const copy = structuredClone(f);
    expect(run(f)).toEqual(run(f));
    expect(f).toEqual(copy);
  });
});
