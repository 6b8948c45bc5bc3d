// `kg-init doctor --runtime` through the built CLI (the pure parts: ./runtime-judge.test.ts), on recorded hosts whose
// bin/docker answers ps/exec/logs/image/manifest/compose/rm as Docker 28 and
// Compose 2.39 do (test/hosts/runtime/*; runtime.json says what an honest
// doctor concludes there). Each install is made by `kg-init --yes` on the same
// host, in a directory named knowledge-graph (the compose project the recorded
// containers belong to).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, HOSTS, TEST_CONFIG_DIR } from '../helpers/cli.js';
import { Scratch } from '../helpers/hosts.js';
import { RUNTIME_FINDING_CODES } from '../../src/doctor/runtime.js';

const RUNTIME_HOSTS = join(HOSTS, 'runtime');
const s = new Scratch();
afterAll(() => s.cleanup());

interface Expect {
  install: string[];
  env?: Record<string, string>;
  exitCode: number;
  ok: boolean;
  findings: string[];
  notFindings?: string[];
  /** Words the one runtime line must contain (the healthy case). */
  line?: string[];
  /** Text one finding's message must contain. */
  message?: string;
  /** Text the fix of a finding must contain. */
  fix?: Record<string, string>;
}

interface RuntimeJson {
  ok: boolean;
  torchOk: boolean;
  line: string;
  project: string;
  container: { name: string; image: string; state: string; foundBy: string } | null;
  pull: { needed: boolean; bytes: number | null } | null;
  torch: { torch?: string; hip?: string | null; cuda?: string | null; devices?: Array<{ name?: string }> } | null;
  findings: Array<{ code: string; severity: string; message: string; fix: string }>;
}

const hosts = readdirSync(RUNTIME_HOSTS).filter((n) => existsSync(join(RUNTIME_HOSTS, n, 'runtime.json'))).sort();

async function install(name: string, snapshot: string, flags: string[]): Promise<string> {
  const dir = s.path(name, 'knowledge-graph');
  const r = await s.cli(['--yes', '--dir', dir, ...flags], snapshot);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

it('has a recorded host for each runtime state the issue names', () => {
  expect(hosts).toEqual(expect.arrayContaining([
    'rocm-healthy', 'adr101-cuda-on-amd', 'rocm-no-device-group', 'cuda-no-nvidia-runtime',
    'container-not-running', 'exec-hangs', 'fallback-lie-logs',
  ]));
});

describe.each(hosts)('doctor --runtime on %s', (name) => {
  const snapshot = join(RUNTIME_HOSTS, name);
  const e = JSON.parse(readFileSync(join(snapshot, 'runtime.json'), 'utf8')) as Expect;

  it('gives the verdict, exit code and fix of runtime.json (--json)', async () => {
    const dir = await install(name, snapshot, e.install);
    const r = await s.cli(['doctor', '--runtime', '--dir', dir, '--json'], snapshot, e.env ?? {});
    const j = JSON.parse(r.stdout) as { healthy: boolean; runtime: RuntimeJson };
    const rt = j.runtime;
    expect(r.code, r.stderr).toBe(e.exitCode);
    expect(rt.ok).toBe(e.ok);
    expect(rt.project).toBe('knowledge-graph');
    const codes = rt.findings.map((f) => f.code);
    for (const c of e.findings) expect(codes, `finding ${c}`).toContain(c);
    for (const c of e.notFindings ?? []) expect(codes, `finding ${c} must not be reported`).not.toContain(c);
    for (const w of e.line ?? []) expect(rt.line).toContain(w);
    if (e.message) expect(rt.findings.map((f) => f.message).join('\n')).toContain(e.message);
    for (const [code, text] of Object.entries(e.fix ?? {})) {
      expect(rt.findings.find((f) => f.code === code)?.fix, code).toContain(text);
    }
    for (const f of rt.findings) {
      expect(RUNTIME_FINDING_CODES as readonly string[]).toContain(f.code);
      expect(f.fix.length, f.code).toBeGreaterThan(10);
      expect(f.message).not.toContain('\n');
    }
  });

  it('prints the same verdict as text', async () => {
    const dir = await install(`${name}-text`, snapshot, e.install);
    const r = await s.cli(['doctor', '--runtime', '--dir', dir], snapshot, e.env ?? {});
    expect(r.code, r.stderr).toBe(e.exitCode);
    const section = r.stdout.slice(r.stdout.indexOf('Runtime'));
    if (e.ok) {
      // The healthy case: ONE line with the torch build and the device.
      const ticks = section.split('\n').filter((l) => l.startsWith('✓'));
      expect(ticks).toHaveLength(1);
      for (const w of e.line ?? []) expect(ticks[0]).toContain(w);
    } else {
      expect(section).toContain('The configured GPU path is not real');
      for (const c of e.findings) expect(section).toContain(`[${c}]`);
      expect(section).toContain('fix:');
    }
  });
});

describe('the ADR-101 state', () => {
  it('is named exactly: the CUDA image on an AMD GPU', async () => {
    const snapshot = join(RUNTIME_HOSTS, 'adr101-cuda-on-amd');
    const dir = await install('adr-exact', snapshot, []);
    // Wide enough that the sentence is not wrapped (at 80 columns it is, word by word).
    const r = await s.cli(['doctor', '--runtime', '--dir', dir], snapshot, { COLUMNS: '300' });
    expect(r.stdout).toContain('kg-api runs torch 2.9.1+cu128 on an amd-host install: the CUDA image on an AMD GPU');
    // The container predates the config: recreating it is the fix, not another mode.
    expect(r.stdout).toContain('the container runs ghcr.io/aaronsb/knowledge-graph-system/kg-api:latest');
    expect(r.code).toBe(1);
  });
});

describe('doctor --runtime=run (a one-off container)', () => {
  it('says the image must be pulled and how large, shows progress, then judges the one-off container', async () => {
    const snapshot = join(RUNTIME_HOSTS, 'rocm-healthy');
    const dir = await install('run-pull', snapshot, []);
    const r = await s.cli(['doctor', '--runtime=run', '--dir', dir, '--json'], snapshot);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kg-api:rocm72-host is not on this host: pulling it \(about 4\.3 GB to download\)/);
    expect(r.stderr).toContain('Pulled');
    const rt = (JSON.parse(r.stdout) as { runtime: RuntimeJson }).runtime;
    expect(rt.pull).toEqual({ needed: true, bytes: 4300456746 });
    expect(rt.container?.foundBy).toBe('docker compose run');
    expect(rt.line).toContain('a one-off kg-api container runs torch 2.9.1+rocm7.2.3');
  });

  it('Ctrl+C while the one-off container runs removes it and exits 130', async () => {
    const snapshot = join(RUNTIME_HOSTS, 'exec-hangs');
    const dir = await install('run-cancel', snapshot, []);
    const calls = s.path('docker-calls.txt');
    writeFileSync(calls, '');
    const child = spawn(process.execPath, [BIN, 'doctor', '--runtime=run', '--dir', dir], {
      env: { ...process.env, KG_INIT_HOST_SNAPSHOT: snapshot, KG_INIT_CONFIG_DIR: TEST_CONFIG_DIR, NO_COLOR: '1', KG_TEST_DOCKER_CALLS: calls },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let pressed = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // The one-off container is starting: the person presses Ctrl+C (once).
      if (!pressed && stderr.includes('starting a one-off kg-api container')) {
        pressed = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('cancelled');
    expect(readFileSync(calls, 'utf8')).toMatch(/^rm -f kg-init-runtime-\d+$/m);
  });
});

describe('doctor --runtime without an install or with bad flags', () => {
  it('--runtime=other is a usage error; --runtime belongs to doctor', async () => {
    const snapshot = join(RUNTIME_HOSTS, 'rocm-healthy');
    let r = await s.cli(['doctor', '--runtime=exec'], snapshot);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--runtime=run');
    r = await s.cli(['--yes', '--runtime'], snapshot);
    expect(r.code).toBe(2);
  });

  it('--help for doctor describes --runtime', async () => {
    const r = await s.cli(['doctor', '--help'], join(RUNTIME_HOSTS, 'rocm-healthy'));
    expect(r.stdout).toContain('--runtime[=run]');
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/a configured GPU path that is not real inside the platform/);
  });
});
