// What --help and the suggested commands look like to a person: lines that fit
// the terminal, usage errors for help of nothing, and `npx kg-init` in every
// suggestion when kg-init was started through npx.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS, runCli } from '../helpers/cli.js';

// What npm sets for `npx kg-init` (libnpmexec runs the bin as the "npx" event's script).
const NPX = { npm_lifecycle_event: 'npx', npm_lifecycle_script: "'kg-init'", npm_command: 'exec' };
const NOT_NPX = { npm_lifecycle_event: undefined, npm_lifecycle_script: undefined, npm_command: undefined };

describe('help', () => {
  it.each([80, 60, 100])('COLUMNS=%i: no line of --help, help probe or help doctor runs over', async (cols) => {
    for (const argv of [['--help'], ['help', 'probe'], ['help', 'doctor']]) {
      const r = await runCli(argv, { env: { COLUMNS: String(cols) } });
      expect(r.code).toBe(0);
      const over = r.stdout.split('\n').filter((l) => l.length > cols && l.trim().includes(' ') && !/^ {2}(npx )?kg-init /.test(l));
      expect(over, argv.join(' ')).toEqual([]);
    }
  });

  it('COLUMNS=80 --help: no line over 80 at all, nothing broken mid-word', async () => {
    const r = await runCli(['--help'], { env: { COLUMNS: '80' } });
    expect(r.stdout.split('\n').filter((l) => l.length > 80)).toEqual([]);
    expect(r.stdout).toContain('ghcr.io/aaronsb/knowledge-graph-system');
  });

  it('help of a command that does not exist is a usage error (exit 2) naming the commands', async () => {
    const r = await runCli(['help', 'nothing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no help for "nothing".*probe, doctor/);
    expect((await runCli(['help', 'doctr'])).stderr).toContain("Did you mean 'kg-init help doctor'?");
  });

  it('help doctor says --dir is only read, not created', async () => {
    const r = await runCli(['help', 'doctor'], { env: { COLUMNS: '200' } });
    expect(r.stdout).toMatch(/--dir DIR +The install directory to check \(read only\)/);
    expect(r.stdout).not.toMatch(/created/);
    expect(r.stdout).toContain('--verbose');
  });
});

describe('suggested commands name kg-init the way it was started', () => {
  it('through npx: npx kg-init in help, probe, doctor and errors; otherwise kg-init', async () => {
    const host = { KG_INIT_HOST_SNAPSHOT: join(HOSTS, 'amd-7900xtx-igpu-arch') };
    const help = await runCli(['--help'], { env: NPX });
    expect(help.stdout).toContain('  npx kg-init --yes --gpu=amd-host --dir /opt/kg');
    const probe = await runCli(['probe'], { env: { ...NPX, ...host } });
    expect(probe.stdout).toContain('  npx kg-init --yes --gpu=amd-host\n');
    const dir = mkdtempSync(join(tmpdir(), 'kg-npx-'));
    try {
      const doctor = await runCli(['doctor', '--dir', dir], { env: { ...NPX, ...host } });
      expect(doctor.code).toBe(1);
      expect(doctor.stderr).toContain(`To install: npx kg-init --yes --dir ${dir}`);
      const usage = await runCli(['prbe'], { env: NPX });
      expect(usage.stderr).toContain("Did you mean 'npx kg-init probe'?");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const plain = await runCli(['probe'], { env: { ...NOT_NPX, ...host } });
    expect(plain.stdout).toContain('  kg-init --yes --gpu=amd-host\n');
    expect(plain.stdout).not.toContain('npx kg-init');
  });
});
