// The presentation module: one symbol set, quoting, sizes, GPU names, the cd
// and npx prefixes, and wrapping that never breaks a command or a URL.
import { afterEach, describe, expect, it } from 'vitest';
import { makeStyle } from '../../src/cli/color.js';
import { formatBytes } from '../../src/present/bytes.js';
import { gpuIdLabel, gpuLabel, gpuName } from '../../src/present/gpu.js';
import { cdPrefix, inDir, kgInit, setCommandName, shellQuote, startedByNpx, suggest } from '../../src/present/shell.js';
import { findingText, mark } from '../../src/present/symbols.js';
import { atoms, outputWidth, wrap } from '../../src/present/wrap.js';

describe('symbols', () => {
  it('one glyph per level, words when plain, colour only when enabled', () => {
    expect(['ok', 'warning', 'error', 'info'].map((l) => mark(l as 'ok'))).toEqual(['✓', '!', '✗', 'i']);
    expect(mark('warning', undefined, true)).toBe('warning:');
    expect(mark('error', makeStyle(true))).toBe('\u001b[31m✗\u001b[39m');
    expect(mark('error', makeStyle(false))).toBe('✗');
    expect(findingText({ code: 'NO_GPU', message: 'no GPU found' })).toBe('no GPU found [NO_GPU]');
  });
});

describe('shell', () => {
  afterEach(() => setCommandName({}, '/usr/bin/kg-init'));
  it('quotes only what needs it', () => {
    expect(shellQuote('/opt/kg')).toBe('/opt/kg');
    expect(shellQuote('/home/me/my kg')).toBe("'/home/me/my kg'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
  it('cd only when elsewhere, quoted', () => {
    expect(cdPrefix('/opt/kg', '/opt/kg/')).toBe('');
    expect(inDir('docker compose up -d', '/tmp/a b', '/')).toBe("cd '/tmp/a b' && docker compose up -d");
  });
  it('npx is detected from what npm sets, and suggestions follow it', () => {
    expect(startedByNpx({ npm_command: 'exec', npm_lifecycle_event: 'npx', npm_lifecycle_script: "'kg-init'" }, '/x/node_modules/.bin/kg-init')).toBe(true);
    // Started by a tool that npx ran (npx vitest → kg-init): not npx kg-init.
    expect(startedByNpx({ npm_command: 'exec', npm_lifecycle_event: 'npx', npm_lifecycle_script: 'vitest run' }, '/usr/local/bin/kg-init')).toBe(false);
    expect(startedByNpx({}, '/root/.npm/_npx/1a2b/node_modules/.bin/kg-init')).toBe(true);
    expect(startedByNpx({}, '/usr/local/bin/kg-init')).toBe(false);
    expect(startedByNpx({ npm_command: 'run-script' }, '/usr/local/bin/kg-init')).toBe(false);
    setCommandName({ npm_lifecycle_event: 'npx', npm_lifecycle_script: "'kg-init' --yes" }, '/x/.bin/kg-init');
    expect(kgInit()).toBe('npx kg-init');
    expect(suggest('run kg-init --yes --gpu=cpu, or `kg-init doctor`; kg-init-like stays')).toBe('run npx kg-init --yes --gpu=cpu, or `npx kg-init doctor`; kg-init-like stays');
    setCommandName({}, '/usr/bin/kg-init');
    expect(suggest('kg-init --yes')).toBe('kg-init --yes');
  });
});

describe('sizes and GPU names', () => {
  it('bytes', () => {
    expect(formatBytes(24 * 1024 ** 3)).toBe('24 GiB');
    expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB');
    expect(formatBytes(undefined)).toBe('');
  });
  it('GPU names', () => {
    expect(gpuName({ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090' })).toBe('NVIDIA GeForce RTX 4090');
    expect(gpuName({ vendor: 'amd', name: 'Radeon RX 7900 XTX' })).toBe('AMD Radeon RX 7900 XTX');
    expect(gpuName({ vendor: 'amd', gfxTarget: 'gfx1100' })).toBe('AMD gfx1100');
    expect(gpuName({ vendor: 'nvidia', vendorId: '0x10de', deviceId: '0x2684' })).toBe('NVIDIA 10de:2684');
    expect(gpuLabel({ vendor: 'amd', name: 'AMD Radeon RX 7900 XTX', gfxTarget: 'gfx1100' })).toBe('AMD Radeon RX 7900 XTX (gfx1100)');
    expect(gpuIdLabel({ vendor: 'amd', name: 'AMD Radeon RX 7900 XTX', pciId: '1002:744c', gfxTarget: 'gfx1100' })).toBe('AMD Radeon RX 7900 XTX (1002:744c, gfx1100)');
    expect(gpuIdLabel({ vendor: 'amd', pciId: '1002:7480' })).toBe('AMD GPU (1002:7480)');
  });
});

describe('wrap', () => {
  it('keeps commands, spans and URLs whole', () => {
    expect(atoms('sudo usermod -aG render,video $USER  (then log out and back in)')[0]).toBe('sudo usermod -aG render,video $USER');
    expect(atoms('reboot, then check with: nvidia-smi').at(-1)).toBe('nvidia-smi');
    expect(atoms('Check `sudo dmesg | grep -i nvrm`; a reboot usually clears it.')[1]).toBe('`sudo dmesg | grep -i nvrm`;');
    const url = 'https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html';
    const rows = wrap(`Install the NVIDIA Container Toolkit: ${url} then restart docker`, 40, { indent: 2 });
    expect(rows).toContain(`  ${url}`);
    expect(rows.join(' ').replace(/\s+/g, ' ')).toBe(`Install the NVIDIA Container Toolkit: ${url} then restart docker`);
    for (const r of rows) if (!r.includes('https')) expect(r.length).toBeLessThanOrEqual(40);
  });
  it('hard mode splits what is wider than a row, losing nothing', () => {
    const rows = wrap('a'.repeat(25), 10, { hard: true });
    expect(rows).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
  });
  it('width: the terminal, else COLUMNS, else 80', () => {
    expect(outputWidth({ isTTY: true, columns: 100 }, { COLUMNS: '60' })).toBe(100);
    expect(outputWidth({ isTTY: false }, { COLUMNS: '60' })).toBe(60);
    expect(outputWidth({}, {})).toBe(80);
  });
});
