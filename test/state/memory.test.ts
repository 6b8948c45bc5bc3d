// Re-init memory: fingerprints, the change description, and the two stores
// (the install's .kg-init/state.json and the user config directory via conf).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  STATE_FILE, describeChange, fingerprint, memoryFor, memoryStorePath, parseMemory, readMemory, recordInstall, stateFileText,
} from '../../src/state/memory.js';
import { amdReport, nvidiaReport, withReport } from '../helpers/doctor-fixtures.js';

const now = new Date('2026-03-01T10:00:00.000Z');

describe('fingerprint and describeChange', () => {
  it('fingerprints GPUs by vendor, PCI id, gfx target and UUID', () => {
    const f = fingerprint(amdReport());
    expect(f).toHaveLength(2);
    expect(f).toContainEqual(expect.objectContaining({ vendor: 'amd', pciId: '1002:744c', gfxTarget: 'gfx1100', uuid: 'GPU-5e2a81c09d1b4f13' }));
  });

  it('NVIDIA → AMD: old GPU → new GPU, old mode → new recommendation', () => {
    const prev = memoryFor('/opt/kg', nvidiaReport(), { mode: 'nvidia', imageTag: 'latest' }, { now, version: '0.1.0' });
    const d = describeChange(prev, amdReport());
    expect(d.gpuChanged).toBe(true);
    expect(d.modeChanged).toBe(true);
    expect(d.lines[0]).toBe('GPU: NVIDIA GeForce RTX 4090 (10de:2684) → AMD Radeon RX 7900 XTX (1002:744c, gfx1100) + AMD Granite Ridge iGPU (1002:13c0, gfx1036)');
    expect(d.lines[1]).toBe('mode: nvidia (kg-api:latest) → recommended amd-host (kg-api:rocm72-host)');
    expect(d.lines[2]).toContain('last configured 2026-03-01 10:00:00Z');
  });

  it('the same hardware is no change; a GPU removed is', () => {
    const prev = memoryFor('/opt/kg', amdReport(), { mode: 'amd-host', imageTag: 'rocm72-host' }, { now, version: '0.1.0' });
    expect(describeChange(prev, amdReport())).toEqual({ gpuChanged: false, modeChanged: false, lines: [] });
    const noGpu = withReport(amdReport(), { gpus: [], amdOverlay: null, recommendation: { mode: 'cpu', imageTag: 'latest', reason: 'no GPU' } });
    const d = describeChange(prev, noGpu);
    expect(d.gpuChanged).toBe(true);
    expect(d.lines[0]).toMatch(/→ no GPU$/);
    expect(d.lines[1]).toBe('mode: amd-host (kg-api:rocm72-host) → recommended cpu (kg-api:latest)');
    expect(describeChange(null, amdReport()).lines).toEqual([]);
  });

  it('state.json round-trips and rejects garbage', () => {
    const m = memoryFor('/opt/kg', amdReport(), { mode: 'amd-host', imageTag: 'rocm72-host' }, { now, version: '0.1.0' });
    expect(parseMemory(stateFileText(m))).toEqual(m);
    expect(parseMemory('{"schemaVersion":1}')).toBeNull();
    expect(parseMemory('not json')).toBeNull();
  });
});

describe('stores', () => {
  let tmp: string;
  let env: Record<string, string>;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kg-mem-'));
    env = { KG_INIT_CONFIG_DIR: join(tmp, 'config') };
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('recordInstall writes the user store keyed by realpath (dots in paths are not nesting); readMemory finds it through a symlink', async () => {
    const dir = join(tmp, 'kg.v1');
    mkdirSync(dir);
    symlinkSync(dir, join(tmp, 'link'));
    const m = memoryFor(dir, nvidiaReport(), { mode: 'nvidia', imageTag: '0.13.1' }, { now, version: '0.1.0' });
    expect(await recordInstall(m, env)).toBeNull();
    const path = await memoryStorePath(env);
    expect(path).toBe(join(tmp, 'config', 'kg-init.json'));
    const stored = JSON.parse(readFileSync(path, 'utf8'));
    expect(stored.installs[dir].mode).toBe('nvidia');
    expect(await readMemory(join(tmp, 'link'), env)).toEqual(m);
  });

  it("the install's own state.json wins over the user store", async () => {
    const dir = join(tmp, 'kg');
    mkdirSync(join(dir, '.kg-init'), { recursive: true });
    const older = memoryFor(dir, nvidiaReport(), { mode: 'nvidia', imageTag: 'latest' }, { now, version: '0.1.0' });
    await recordInstall(older, env);
    const own = memoryFor(dir, amdReport(), { mode: 'amd-host', imageTag: 'rocm72-host' }, { now, version: '0.1.0' });
    writeFileSync(join(dir, STATE_FILE), stateFileText(own));
    expect((await readMemory(dir, env))?.mode).toBe('amd-host');
  });

  it('a corrupt user store is replaced, not fatal; an unknown directory has no memory', async () => {
    mkdirSync(join(tmp, 'config'), { recursive: true });
    writeFileSync(join(tmp, 'config', 'kg-init.json'), '{ not json');
    expect(await readMemory(join(tmp, 'nowhere'), env)).toBeNull();
    const m = memoryFor(join(tmp, 'x'), amdReport(), { mode: 'amd-host', imageTag: 'rocm72-host' }, { now, version: '0.1.0' });
    expect(await recordInstall(m, env)).toBeNull();
    expect(existsSync(join(tmp, 'config', 'kg-init.json'))).toBe(true);
  });
});
