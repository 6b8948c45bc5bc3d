// `kg-init probe` as a user sees it, and the check events the wizard streams.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { HOSTS, runCli } from '../helpers/cli.js';
import { openSnapshot } from '../../src/host/index.js';
import type { CheckEvent } from '../../src/probe/index.js';
import { probeReport as probe } from '../../src/assess/report.js';
import { reportSchema } from '../../src/report.js';

const host = (n: string) => ({ KG_INIT_HOST_SNAPSHOT: path.join(HOSTS, n) });

describe('kg-init probe (readable)', () => {
  it('shows GPUs, drivers, ROCm, Docker, every mode with its reason, and fixes', async () => {
    const r = await runCli(['probe'], { env: host('amd-7800xt-user-not-in-render') });
    expect(r.code).toBe(0);
    for (const s of ['GPUs', 'Drivers', 'ROCm', 'Docker', 'Modes', 'Findings', 'Recommendation: amd-host → kg-api:rocm72-host']) {
      expect(r.stdout).toContain(s);
    }
    for (const m of ['nvidia', 'amd-host', 'mac', 'cpu']) expect(r.stdout).toMatch(new RegExp(`^  . ${m}\\s+(ready|degraded|blocked)`, 'm'));
    expect(r.stdout).toContain('KFD_NO_USER_ACCESS');
    expect(r.stdout).toContain('sudo usermod -aG render $USER');
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('refuses a snapshot directory that is not there, in one or two lines', async () => {
    const r = await runCli(['probe'], { env: host('no-such-host') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has no host.json');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('colours only when asked, and honours NO_COLOR and --no-color', async () => {
    const forced = await runCli(['probe'], { env: { ...host('nvidia-4090-toolkit'), FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[/);
    const noColor = await runCli(['probe'], { env: { ...host('nvidia-4090-toolkit'), FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toMatch(/\u001b\[/);
    const flag = await runCli(['probe', '--no-color'], { env: { ...host('nvidia-4090-toolkit'), FORCE_COLOR: '1' } });
    expect(flag.stdout).not.toMatch(/\u001b\[/);
  });

  it('--json prints a Report that validates, with every finding carrying a fix', async () => {
    const r = await runCli(['probe', '--json'], { env: host('amd-6700xt-ubuntu-rocm61') });
    expect(r.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.rocm).toMatchObject({ version: '6.1.2', amdgpuModule: '6.7.0' });
    expect(report.gpus).toEqual([
      expect.objectContaining({ vendor: 'amd', gfxTarget: 'gfx1031', integrated: false, renderNode: '/dev/dri/renderD128', uuid: 'GPU-21ac7b60c3a4f0e1' }),
    ]);
    const amd = report.modes.find((m) => m.mode === 'amd-host')!;
    expect(amd.requirements.length).toBeGreaterThan(0);
    expect(amd.requirements.every((q) => q.label && ['met', 'missing', 'unverified'].includes(q.state))).toBe(true);
  });

  it('says which tool timed out', async () => {
    const r = await runCli(['probe', '--json'], { env: host('nvidia-smi-hangs') });
    const report = reportSchema.parse(JSON.parse(r.stdout));
    const t = report.findings.find((f) => f.code === 'PROBE_TIMEOUT')!;
    expect(t.message).toContain('nvidia-smi');
    expect(report.tools.find((x) => x.command === 'nvidia-smi')?.status).toBe('timeout');
    expect(report.nvidia.smi).toBe('timeout');
    expect(report.modes.find((m) => m.mode === 'nvidia')!.reason).toContain('nvidia-smi');
  });
});

describe('check events', () => {
  it('each check goes running → one final state with a one-line detail', async () => {
    const events: CheckEvent[] = [];
    await probe(await openSnapshot(path.join(HOSTS, 'nvidia-smi-hangs')), { onCheck: (e) => events.push(e) });
    const ids = [...new Set(events.map((e) => e.id))];
    expect(ids).toEqual(expect.arrayContaining(['platform', 'gpus', 'kfd', 'rocm', 'nvidia', 'docker']));
    for (const id of ids) {
      const mine = events.filter((e) => e.id === id);
      expect(mine.map((e) => e.state)[0]).toBe('running');
      expect(mine).toHaveLength(2);
      expect(mine[1]!.state).not.toBe('running');
      expect(mine[1]!.detail).toBeTruthy();
      expect(mine[1]!.detail).not.toContain('\n');
    }
    expect(events.find((e) => e.id === 'nvidia' && e.state !== 'running')).toMatchObject({ state: 'fail' });
    expect(events.find((e) => e.id === 'kfd' && e.state !== 'running')).toMatchObject({ state: 'skip' });
  });

  it('macOS checks the Mac instead of sysfs', async () => {
    const events: CheckEvent[] = [];
    const r = await probe(await openSnapshot(path.join(HOSTS, 'macos-m3')), { onCheck: (e) => events.push(e) });
    expect(events.map((e) => e.id)).toContain('mac');
    expect(events.map((e) => e.id)).not.toContain('kfd');
    expect(r.mac).toEqual({ appleSilicon: true, chip: 'Apple M3 Pro', version: '15.6.1' });
    expect(r.gpus).toEqual([expect.objectContaining({ vendor: 'apple' })]);
  });

  it('runs every tool within the per-command bound even when two hang', async () => {
    const r = await probe(await openSnapshot(path.join(HOSTS, 'docker-info-hangs')));
    expect(r.tools.find((t) => t.command === 'docker')?.status).toBe('timeout');
    expect(r.findings.find((f) => f.code === 'PROBE_TIMEOUT')?.message).toContain('docker');
  });
});
