// Parsers of every fact source, on real-format samples and on malformed input
// (truncated files, [N/A] fields, garbage, non-zero exits).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { HOSTS } from '../helpers/cli.js';
import { decodeGfxTarget, kfdNodeFrom, kfdUuid, parseKfdProperties } from '../../src/probe/kfd.js';
import { amdIntegrated, driverName, isGpuClass, parseBytes, parseHexId, vendorOf } from '../../src/probe/pci.js';
import { parseGroupFile } from '../../src/probe/devnodes.js';
import { majorMinor, parseAmdSmiVersion, parseModuleVersion, parseRocmInfoVersion, parseRocmVersionHeader } from '../../src/probe/rocm.js';
import { normalizeBusId, parseNvidiaProcVersion, parseNvidiaSmiQuery, smiFailureLine } from '../../src/probe/nvidia.js';
import { isNvidiaCdiSpec, parseDockerInfo } from '../../src/probe/docker.js';
import { isWslKernel, parseOsRelease } from '../../src/probe/platform.js';
import { isAppleSilicon, parseMacChip, parseMacVersion } from '../../src/probe/mac.js';
import { canReadWrite } from '../../src/host/access.js';

const shared = (p: string) => readFileSync(`${HOSTS}/${p}`, 'utf8');
const XTX = 'amd-7900xtx-igpu-arch/root/sys/class/kfd/kfd/topology/nodes';

describe('KFD topology', () => {
  it('decodes gfx_target_version as ROCm does', () => {
    expect(decodeGfxTarget(110000)).toBe('gfx1100');
    expect(decodeGfxTarget(90010)).toBe('gfx90a');
    expect(decodeGfxTarget(100301)).toBe('gfx1031');
    expect(decodeGfxTarget(90402)).toBe('gfx942');
    expect(decodeGfxTarget(110003)).toBe('gfx1103');
    expect(decodeGfxTarget(120001)).toBe('gfx1201');
    expect(decodeGfxTarget(0)).toBeNull();
    expect(decodeGfxTarget(-5)).toBeNull();
    expect(decodeGfxTarget(101700)).toBeNull(); // minor 17 is not a hex digit
  });

  it('turns the decimal unique_id into GPU-<16 hex>, beyond 2^53', () => {
    expect(kfdUuid('6785378452856590099')).toBe('GPU-5e2a81c09d1b4f13');
    expect(kfdUuid('255')).toBe('GPU-00000000000000ff');
    expect(kfdUuid('0')).toBeNull();
    expect(kfdUuid('18446744073709551616')).toBeNull(); // 2^64
    expect(kfdUuid('12ab')).toBeNull();
    expect(kfdUuid(undefined)).toBeNull();
  });

  it('reads a real GPU node and skips the CPU node', () => {
    expect(kfdNodeFrom(0, shared(`${XTX}/0/properties`))).toBeNull();
    expect(kfdNodeFrom(1, shared(`${XTX}/1/properties`))).toEqual({
      node: 1, gfxTargetVersion: 110000, gfx: 'gfx1100', vendorId: 4098, deviceId: 29772, renderMinor: 128, uuid: 'GPU-5e2a81c09d1b4f13',
    });
    expect(kfdNodeFrom(2, shared(`${XTX}/2/properties`))).toMatchObject({ gfx: 'gfx1036', uuid: null, renderMinor: 129 });
  });

  it('survives truncated and garbage properties', () => {
    const full = shared(`${XTX}/1/properties`);
    const cut = full.slice(0, full.indexOf('gfx_target_version') + 'gfx_target_vers'.length);
    expect(kfdNodeFrom(1, cut)).toBeNull(); // truncated before the gfx target: not a usable GPU
    const noMinor = full.slice(0, full.indexOf('drm_render_minor'));
    expect(kfdNodeFrom(1, noMinor)).toMatchObject({ gfx: 'gfx1100', renderMinor: null, uuid: null });
    expect(kfdNodeFrom(1, '\u0000\u0001garbage\nx y z\n')).toBeNull();
    expect(parseKfdProperties('gfx_target_version 110000\nbad line here\nvendor_id abc\n')).toEqual(new Map([['gfx_target_version', '110000']]));
  });
});

describe('PCI', () => {
  it('parses sysfs ids and classes', () => {
    expect(parseHexId('0x10DE\n')).toBe('0x10de');
    expect(parseHexId('0x030200\n', 6)).toBe('0x030200');
    expect(parseHexId('garbage')).toBeNull();
    expect(parseHexId(null)).toBeNull();
    expect(parseHexId('0x1234567')).toBeNull();
    expect(isGpuClass('0x030000')).toBe(true);
    expect(isGpuClass('0x030200')).toBe(true);
    expect(isGpuClass('0x038000')).toBe(true);
    expect(isGpuClass('0x120000')).toBe(true);
    expect(isGpuClass('0x040300')).toBe(false); // the HDMI audio function
    expect(vendorOf('0x1002')).toBe('amd');
    expect(vendorOf('0x1022')).toBe('other');
    expect(driverName('../../drivers/amdgpu')).toBe('amdgpu');
    expect(driverName('../../../../bus/pci/drivers/vfio-pci\n')).toBe('vfio-pci');
    expect(driverName(null)).toBeNull();
    expect(parseBytes('25769803776\n')).toBe(25769803776);
    expect(parseBytes('-1')).toBeUndefined();
    expect(parseBytes('12 GB')).toBeUndefined();
  });

  it('tells integrated from discrete AMD GPUs', () => {
    const base = { address: '0000:03:00.0', vendorId: '0x1002', deviceId: '0x744c', classCode: '0x030000', vendor: 'amd' as const, driver: 'amdgpu' };
    expect(amdIntegrated({ ...base, hasVramVendor: true, vramBytes: 512 << 20 })).toBe(false);
    expect(amdIntegrated({ ...base, hasBoardInfo: true })).toBe(false);
    expect(amdIntegrated({ ...base, vramBytes: 512 << 20, gttBytes: 32 * 1024 ** 3 })).toBe(true);
    expect(amdIntegrated({ ...base, vramBytes: 16 * 1024 ** 3, gttBytes: 32 * 1024 ** 3 })).toBe(false);
    expect(amdIntegrated(base)).toBeUndefined();
  });
});

describe('device nodes', () => {
  it('reads /etc/group, skipping malformed lines', () => {
    const g = parseGroupFile(shared('amd-7900xtx-igpu-arch/root/etc/group') + 'broken\n#c:x:5:\nx:x:notanumber:\n');
    expect(g.get(989)).toBe('render');
    expect(g.get(985)).toBe('video');
    expect(g.size).toBe(5);
    expect(parseGroupFile(null).size).toBe(0);
  });

  it('decides access like the kernel: owner, then group, then other', () => {
    const who = { user: 'alice', uid: 1000, gid: 1000, groups: [1000, 44] };
    expect(canReadWrite({ type: 'char', mode: 0o660, uid: 0, gid: 992 }, who)).toBe(false);
    expect(canReadWrite({ type: 'char', mode: 0o660, uid: 0, gid: 44 }, who)).toBe(true);
    expect(canReadWrite({ type: 'char', mode: 0o666, uid: 0, gid: 0 }, who)).toBe(true);
    expect(canReadWrite({ type: 'char', mode: 0o640, uid: 0, gid: 44 }, who)).toBe(false); // group read-only
    // Owner bits apply to the owner even when the group bits would allow more.
    expect(canReadWrite({ type: 'char', mode: 0o460, uid: 1000, gid: 44 }, who)).toBe(false);
    expect(canReadWrite({ type: 'char', mode: 0o600, uid: 0, gid: 0 }, { ...who, uid: 0 })).toBe(true);
  });
});

describe('ROCm version', () => {
  it('reads the userspace version from its three sources', () => {
    expect(parseRocmInfoVersion('7.2.3-1\n')).toBe('7.2.3');
    expect(parseRocmInfoVersion('6.1.2-119\n')).toBe('6.1.2');
    expect(parseRocmInfoVersion('garbage')).toBeNull();
    expect(parseRocmVersionHeader(shared('amd-6700xt-ubuntu-rocm61/root/opt/rocm/include/rocm-core/rocm_version.h'))).toBe('6.1.2');
    expect(parseRocmVersionHeader('#define ROCM_VERSION_MAJOR 7\n')).toBeNull(); // truncated
    const amdSmi = 'AMDSMI Tool: 26.2.1+5b1a4c3 | AMDSMI Library version: 26.2.1 | ROCm version: 7.2.3 | amdgpu version: 6.17.8 | hsmp version: N/A';
    expect(parseAmdSmiVersion(amdSmi)).toBe('7.2.3');
    expect(parseAmdSmiVersion('AMDSMI Tool: 26.2.1 | ROCm version: N/A | amdgpu version: 6.17.8')).toBeNull();
    expect(parseAmdSmiVersion('\u001b[31m\u0001\u0002garbage\nTraceback (most recent call last):')).toBeNull();
  });

  it('never takes a kernel-driver version for a ROCm version', () => {
    // rocminfo's first line and the amdgpu version inside amd-smi's output are kernel-driver versions.
    expect(parseAmdSmiVersion('ROCk module version 6.17.8 is loaded')).toBeNull();
    expect(parseAmdSmiVersion('AMDSMI Tool: 26.2.1 | amdgpu version: 6.17.8')).toBeNull();
    expect(parseModuleVersion('6.7.0\n')).toBe('6.7.0');
    expect(parseModuleVersion('\u0000\u0001')).toBeNull();
    expect(majorMinor('7.2.3')).toEqual([7, 2]);
    expect(majorMinor('x')).toBeNull();
  });
});

describe('NVIDIA', () => {
  it('reads both kernel module flavours from /proc/driver/nvidia/version', () => {
    expect(parseNvidiaProcVersion(shared('nvidia-4090-toolkit/root/proc/driver/nvidia/version'))).toEqual({ version: '580.95.05', kernelModule: 'proprietary' });
    expect(parseNvidiaProcVersion(shared('nvidia-h100-3d-controller/root/proc/driver/nvidia/version'))).toEqual({ version: '575.57.08', kernelModule: 'open' });
    expect(parseNvidiaProcVersion('NVRM version: NVIDIA UNIX x86_64 Kernel Mod')).toBeNull(); // truncated
    expect(parseNvidiaProcVersion('garbage')).toBeNull();
  });

  it('parses nvidia-smi CSV rows, skipping [N/A] and malformed ones', () => {
    const out = [
      '0, NVIDIA GeForce RTX 4090, GPU-5a4f3c1e-9d2b-4e7a-8c61-0f3b2a1d9e88, 00000000:01:00.0, 580.95.05, 24564',
      '1, NVIDIA GeForce RTX 3090, [N/A], 00000000:02:00.0, 580.95.05, [N/A]',
      '2, [N/A], [N/A], [N/A], [N/A], [N/A]',
      '3, NVIDIA A100, GPU-x',
      'garbage line',
    ].join('\n');
    expect(parseNvidiaSmiQuery(out)).toEqual([
      { index: 0, name: 'NVIDIA GeForce RTX 4090', uuid: 'GPU-5a4f3c1e-9d2b-4e7a-8c61-0f3b2a1d9e88', pciAddress: '0000:01:00.0', driverVersion: '580.95.05', vramBytes: 24564 * 1024 * 1024 },
      { index: 1, name: 'NVIDIA GeForce RTX 3090', pciAddress: '0000:02:00.0', driverVersion: '580.95.05' },
    ]);
    // The shared hosts' fake prints units; accept them.
    expect(parseNvidiaSmiQuery('0, NVIDIA H100 80GB HBM3, GPU-0b7c2a91-3f44-5d6e-9a10-4c2e8f71b3d5, 00000000:19:00.0, 575.57.08, 81559 MiB\n')[0]?.vramBytes).toBe(81559 * 1024 * 1024);
    expect(parseNvidiaSmiQuery('')).toEqual([]);
    expect(normalizeBusId('00000000:41:00.0')).toBe('0000:41:00.0');
    expect(normalizeBusId('nope')).toBeUndefined();
  });

  it('says why nvidia-smi failed in one line', () => {
    const msg = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n";
    expect(smiFailureLine(msg, '')).toBe("nvidia-smi couldn't communicate with the NVIDIA driver");
    expect(smiFailureLine('', 'No devices were found\n')).toBe('nvidia-smi found no devices');
    expect(smiFailureLine('', '')).toBe('nvidia-smi gave no usable answer');
    expect(smiFailureLine('x'.repeat(500), '').length).toBeLessThan(200);
  });
});

describe('Docker', () => {
  it('reads a running daemon with its runtimes', () => {
    const json = '{"ServerVersion":"28.3.2","Name":"box","Runtimes":{"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}},"OperatingSystem":"Ubuntu 24.04.2 LTS"}';
    expect(parseDockerInfo(json, 0)).toEqual({ running: true, version: '28.3.2', clientVersion: null, runtimes: ['nvidia', 'runc'], desktop: false, rootless: false, podman: false });
  });

  it('reads a stopped daemon (exit 1, empty server fields) as not running', () => {
    const json = '{"ID":"","ServerVersion":"","Runtimes":null,"ClientInfo":{"Version":"28.2.2"}}';
    const r = parseDockerInfo(json, 1);
    expect(r).toMatchObject({ running: false, version: null, clientVersion: '28.2.2', runtimes: [] });
    expect(parseDockerInfo('{"ServerVersion":"1","ServerErrors":["permission denied"]}', 0).running).toBe(false);
  });

  it('reads garbage as not running and spots Docker Desktop', () => {
    expect(parseDockerInfo('\u0000garbage{', 0)).toMatchObject({ running: false, version: null });
    expect(parseDockerInfo('[1,2]', 0).running).toBe(false);
    expect(parseDockerInfo('{"ServerVersion":"28.4.0","Runtimes":{},"OperatingSystem":"Docker Desktop"}', 0).desktop).toBe(true);
    expect(isNvidiaCdiSpec('nvidia.yaml', 'cdiVersion: 0.5.0\nkind: nvidia.com/gpu\n')).toBe(true);
    expect(isNvidiaCdiSpec('other.yaml', 'kind: vendor.com/fpga\n')).toBe(false);
    expect(isNvidiaCdiSpec('nvidia.txt', 'kind: nvidia.com/gpu')).toBe(false);
  });
});

describe('platform and macOS', () => {
  it('reads /etc/os-release with quotes and junk', () => {
    expect(parseOsRelease(shared('nvidia-3060-nouveau/root/etc/os-release'))).toEqual({ id: 'linuxmint', name: 'Linux Mint 22', version: '22' });
    expect(parseOsRelease('NAME="Fedora Linux"\nID=fedora\nVERSION_ID=42\nnot a line\n')).toEqual({ id: 'fedora', name: 'Fedora Linux', version: '42' });
    expect(parseOsRelease('garbage')).toBeNull();
    expect(parseOsRelease(null)).toBeNull();
    expect(isWslKernel('6.6.87.2-microsoft-standard-WSL2')).toBe(true);
    expect(isWslKernel('6.8.0-52-generic')).toBe(false);
  });

  it('reads the Mac chip and release', () => {
    expect(parseMacChip('Apple M3 Pro\n')).toBe('Apple M3 Pro');
    expect(parseMacChip('\u0000\u0001')).toBeNull();
    expect(isAppleSilicon('arm64', null)).toBe(true);
    expect(isAppleSilicon('x64', 'Intel(R) Core(TM) i9-9980HK CPU @ 2.40GHz')).toBe(false);
    expect(parseMacVersion('15.6.1\n')).toBe('15.6.1');
    expect(parseMacVersion('ProductName: macOS')).toBeNull();
  });
});

describe('parseNvidiaProcModel', () => {
  it('reads the driver\'s model line, which is there even when nvidia-smi hangs', async () => {
    const { parseNvidiaProcModel } = await import('../../src/probe/nvidia.js');
    expect(parseNvidiaProcModel('Model: \t\t NVIDIA RTX A6000\nIRQ:   \t\t 180\n')).toBe('NVIDIA RTX A6000');
    expect(parseNvidiaProcModel('IRQ: 180\n')).toBeNull();
    expect(parseNvidiaProcModel('Model: \u0000\u0001garbage\n')).toBeNull();
    expect(parseNvidiaProcModel(null)).toBeNull();
  });
});
