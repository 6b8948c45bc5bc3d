// One name per GPU: probe, the wizard's probe screen and doctor print the same
// string for the same device, on every recorded host; where that name comes
// from (pci.ids, the driver, the ids); and integrated GPUs told from discrete
// ones by more than VRAM size.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HOSTS, replayedHosts } from '../helpers/cli.js';
import { healthyAmd, healthyNvidia } from '../helpers/doctor-fixtures.js';
import { probeReport } from '../../src/assess/report.js';
import { openSnapshot } from '../../src/host/index.js';
import type { CheckEvent } from '../../src/probe/index.js';
import { formatReport } from '../../src/commands/probe.js';
import { makeStyle } from '../../src/cli/color.js';
import { diagnose } from '../../src/doctor/checks.js';
import { renderText } from '../../src/doctor/render.js';
import { amdIntegrated } from '../../src/probe/pci.js';
import { gpuNameFrom, marketingPart, parsePciIds } from '../../src/probe/names.js';
import { idSections } from '../../src/host/ids.js';
import { RecordingHost, writeSnapshot } from '../../src/host/record.js';
import type { PciDevice } from '../../src/probe/facts.js';

const plain = makeStyle(false);
// Hosts whose tools hang cost the full time bound; their names are covered by the others.
const hosts = replayedHosts().filter(([n]) => !/hang/.test(n));

describe('the same GPU name in probe, the wizard and doctor', () => {
  it.each(hosts)('%s', async (_name, dir) => {
    const events: CheckEvent[] = [];
    const report = await probeReport(await openSnapshot(dir), { onCheck: (e) => events.push(e) });
    const probeText = formatReport(report, plain, 10_000);
    const wizardLines = events.filter((e) => e.state !== 'running').map((e) => e.detail ?? '');
    for (const g of report.gpus) {
      expect(g.name, `${g.vendor} ${g.pciAddress ?? ''} has a name`).toBeTruthy();
      expect(probeText, 'probe').toContain(g.name!);
      if (g.vendor !== 'nvidia' && g.vendor !== 'amd') continue;
      // The wizard's probe screen prints each check's detail line as it is.
      if (g.pciAddress || g.vendor === 'nvidia') expect(wizardLines.join('\n'), 'wizard probe screen').toContain(g.name!);
      // doctor on an install of that vendor's mode.
      const install = g.vendor === 'amd' ? healthyAmd() : healthyNvidia();
      // doctor --verbose lists every check, the passed ones with the GPU they found.
      const doctorText = renderText(diagnose(install, report), plain, { verbose: true, width: 10_000 });
      expect(doctorText, 'doctor').toContain(g.name!);
    }
  });
});

describe('where the name comes from', () => {
  it('pci.ids when the host has it (the bracketed marketing part), with the PCI id kept', async () => {
    const r = await probeReport(await openSnapshot(path.join(HOSTS, 'amd-9070xt-rdna4')));
    expect(r.gpus).toEqual([expect.objectContaining({ name: 'AMD Radeon RX 9070/9070 XT/9070 GRE', nameSource: 'pci.ids', vendorId: '0x1002', deviceId: '0x7550', gfxTarget: 'gfx1201', integrated: false })]);
  });

  it('vendor, gfx target and PCI id on a host without pci.ids and without a marketing name', async () => {
    const r = await probeReport(await openSnapshot(path.join(HOSTS, 'amd-7900xtx-rootless-no-render')));
    expect(r.gpus[0]).toMatchObject({ name: 'AMD gfx1100 [1002:744c]', nameSource: 'ids' });
  });

  it("the driver's name without pci.ids", async () => {
    const r = await probeReport(await openSnapshot(path.join(HOSTS, 'nvidia-4070-podman-no-cdi')));
    expect(r.gpus[0]).toMatchObject({ name: 'NVIDIA GeForce RTX 4070 SUPER', nameSource: 'driver' });
  });

  it('the order: pci.ids, then the driver, then the ids', () => {
    const ids = { path: '/usr/share/hwdata/pci.ids', ...parsePciIds('10de  NVIDIA Corporation\n\t2684  AD102 [GeForce RTX 4090]\n\t\t10de 167c  GeForce RTX 4090 Founders Edition\n1af4  Red Hat, Inc.\n\t1050  Virtio 1.0 GPU\n') };
    expect(gpuNameFrom({ vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2684', driverName: 'NVIDIA GeForce RTX 4090 D' }, ids)).toEqual({ name: 'NVIDIA GeForce RTX 4090', source: 'pci.ids' });
    expect(gpuNameFrom({ vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2b85', driverName: 'NVIDIA GeForce RTX 5090' }, ids)).toEqual({ name: 'NVIDIA GeForce RTX 5090', source: 'driver' });
    expect(gpuNameFrom({ vendor: 'amd', vendorId: '0x1002', deviceId: '0x150e', gfxTarget: 'gfx1150' }, ids)).toEqual({ name: 'AMD gfx1150 [1002:150e]', source: 'ids' });
    expect(gpuNameFrom({ vendor: 'other', vendorId: '0x1af4', deviceId: '0x1050' }, ids).name).toBe('Virtio 1.0 GPU');
    expect(marketingPart('Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]')).toBe('Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M');
  });
});

describe('pci.ids is read by vendor section only', () => {
  const file = [
    '# comment',
    '0e11  Compaq Computer Corporation',
    '\t0001  PCI to EISA Bridge',
    '1002  Advanced Micro Devices, Inc. [AMD/ATI]',
    '\t744c  Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]',
    '\t\t1002 0e3b  RX 7900 GRE',
    '1022  Advanced Micro Devices, Inc. [AMD]',
    '\t1480  Starship/Matisse Root Complex',
    '10de  NVIDIA Corporation',
    '\t2684  AD102 [GeForce RTX 4090]',
    'ffff  Illegal Vendor ID',
    'C 00  Unclassified device',
    '\t00  Non-VGA unclassified device',
    '',
  ].join('\n');

  it('keeps only the sections asked for, as a valid file of the same format', () => {
    const ex = idSections(file, ['1002', '10de']);
    expect(ex).toBe('1002  Advanced Micro Devices, Inc. [AMD/ATI]\n\t744c  Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]\n\t\t1002 0e3b  RX 7900 GRE\n10de  NVIDIA Corporation\n\t2684  AD102 [GeForce RTX 4090]\n');
    expect(idSections(ex, ['1002'])).toBe('1002  Advanced Micro Devices, Inc. [AMD/ATI]\n\t744c  Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]\n\t\t1002 0e3b  RX 7900 GRE\n');
    expect(idSections(file, ['abcd'])).toBe('');
  });

  it('a recorded host carries only the excerpt, and replays the same names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-pciids-'));
    try {
      const src = path.join(dir, 'src');
      // A host with a full-size pci.ids: the AMD host of test/hosts plus a large file.
      const base = path.join(HOSTS, 'amd-9070xt-rdna4');
      const { cpSync } = await import('node:fs');
      cpSync(base, src, { recursive: true });
      const big = ['# a large pci.ids', ...Array.from({ length: 20000 }, (_, i) => `${(0x2000 + i).toString(16).padStart(4, '0')}  Vendor ${i}\n\t0001  Device`), ''].join('\n');
      const excerpt = readFileSync(path.join(base, 'root/usr/share/misc/pci.ids'), 'utf8');
      mkdirSync(path.join(src, 'root/usr/share/misc'), { recursive: true });
      writeFileSync(path.join(src, 'root/usr/share/misc/pci.ids'), `${excerpt}${big}`);
      const rec = new RecordingHost(await openSnapshot(src));
      const first = await probeReport(rec);
      const out = path.join(dir, 'out');
      mkdirSync(out);
      await writeSnapshot(rec, out, first);
      const recorded = readFileSync(path.join(out, 'root/usr/share/misc/pci.ids'), 'utf8');
      expect(recorded.length).toBeLessThan(1000);
      expect(recorded).toContain('7550  Navi 48');
      const again = await probeReport(await openSnapshot(out));
      expect(again.gpus.map((g) => g.name)).toEqual(first.gpus.map((g) => g.name));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('integrated or discrete, by more than VRAM size', () => {
  const GiB = 1024 ** 3;
  const apu = (over: Partial<PciDevice>): PciDevice => ({ address: '0000:c5:00.0', vendorId: '0x1002', deviceId: '0x1586', classCode: '0x030000', vendor: 'amd', driver: 'amdgpu', hasVramVendor: false, hasBoardInfo: false, ...over });

  it('a 96 GiB carve-out of an APU-only gfx target is integrated', () => {
    expect(amdIntegrated(apu({ vramBytes: 96 * GiB, gttBytes: 16 * GiB }), 'gfx1151')).toBe(true);
    // Without the target to go by, the size alone would have called it discrete.
    expect(amdIntegrated(apu({ vramBytes: 96 * GiB, gttBytes: 16 * GiB }))).toBe(false);
  });

  it('VRAM chips of its own (mem_info_vram_vendor) make a board discrete, however small its VRAM', () => {
    expect(amdIntegrated(apu({ vramBytes: 2 * GiB, gttBytes: 16 * GiB, hasVramVendor: true }), 'gfx1030')).toBe(false);
  });

  it('the APU-only host is used and called integrated', async () => {
    const r = await probeReport(await openSnapshot(path.join(HOSTS, 'amd-strix-halo-apu-96g')));
    expect(r.gpus).toEqual([expect.objectContaining({ gfxTarget: 'gfx1151', integrated: true, vramBytes: 96 * GiB, nameSource: 'pci.ids' })]);
    expect(r.recommendation.mode).toBe('amd-host');
    expect(r.recommendation.reason).toContain('integrated');
    expect(r.amdOverlay).toMatchObject({ rocrVisibleDevices: null, hsaOverrideGfxVersion: null });
  });
});
