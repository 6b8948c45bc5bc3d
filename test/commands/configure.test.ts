// Headless `kg-init --yes` as a user runs it (the built bin), with the probe
// report given by KG_INIT_REPORT so that each case controls the host.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  chmodSync, closeSync, constants, existsSync, openSync, writeSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync,
  rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cliForAnyUser, runCli } from '../helpers/cli.js';
import { amdReport, makeReport } from '../helpers/report.js';
import type { Report } from '../../src/report.js';

let root: string;
const reports: Record<string, string> = {};

function reportFile(name: string, r: Report): string {
  const p = join(root, `${name}.report.json`);
  writeFileSync(p, JSON.stringify(r));
  return p;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-configure-'));
  reports.amd = reportFile('amd', amdReport());
  reports.cpu = reportFile('cpu', makeReport({ recommend: 'cpu' }));
  reports.nvidia = reportFile('nvidia', makeReport({ recommend: 'nvidia' }));
  reports.noToolkit = reportFile(
    'no-toolkit',
    makeReport({
      recommend: 'cpu',
      modeFindings: { nvidia: [{ code: 'NVIDIA_TOOLKIT_MISSING', severity: 'error', message: 'Docker has no nvidia runtime', fix: 'Install nvidia-container-toolkit and restart Docker.', mode: 'nvidia' }] },
    }),
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const newDir = () => join(root, `install-${++n}`);
const kg = (args: string[], report: string, env: Record<string, string> = {}) => runCli(['--yes', ...args], { env: { KG_INIT_REPORT: report, ...env }, cwd: root });
const read = (p: string) => readFileSync(p, 'utf8');
const snapshot = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => !f.startsWith('.kg-init') && statSync(join(dir, f)).isFile())
      .map((f) => [f, { text: read(join(dir, f)), mtime: statSync(join(dir, f)).mtimeMs }]),
  );

describe('kg-init --yes', () => {
  test('-C creates the directory and writes the config and compose files; the summary says what happened', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir], reports.amd!);
    expect(r.code, r.stderr).toBe(0);
    // An empty directory gets the platform's files too (from KG_INIT_PLATFORM_SOURCE, the test fixture).
    expect(readdirSync(dir).sort()).toEqual([
      '.env', '.kg-init', '.operator.conf', 'config', 'docker-compose.ghcr.yml', 'docker-compose.gpu-amd-host.yml',
      'docker-compose.standalone.yml', 'docker-compose.yml', 'operator', 'operator.sh', 'schema',
    ]);
    expect(read(join(dir, '.operator.conf'))).toMatch(/^GPU_MODE=amd-host$/m);
    expect(r.stdout).toContain(`Configured ${dir} for amd-host.`);
    expect(r.stdout).toContain('image    ghcr.io/aaronsb/knowledge-graph-system/kg-api:rocm72-host');
    expect(r.stdout).toMatch(/created\s+.*\.operator\.conf, docker-compose\.ghcr\.yml, docker-compose\.gpu-amd-host\.yml/);
    expect(r.stdout).toContain('[GFX_OVERRIDE]');
    expect(r.stdout).toContain(`Next: cd ${dir} && ./operator.sh start`);
    expect(r.stderr).toBe('');
  });

  test('idempotent: a second identical run changes no byte and no mtime and reports changed: false', async () => {
    const dir = newDir();
    expect((await kg(['-C', dir], reports.amd!)).code).toBe(0);
    const before = snapshot(dir);
    const r = await kg(['-C', dir, '--json'], reports.amd!);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ changed: false, mode: 'amd-host', imageTag: 'rocm72-host', backups: [] });
    expect(j.files).toEqual([
      { path: '.operator.conf', action: 'unchanged' },
      { path: 'docker-compose.ghcr.yml', action: 'unchanged' },
      { path: 'docker-compose.gpu-amd-host.yml', action: 'unchanged' },
    ]);
    expect(snapshot(dir)).toEqual(before);
    const plain = await kg(['-C', dir], reports.amd!);
    expect(plain.stdout).toContain('is already configured for amd-host; nothing changed.');
  });

  test('--dry-run prints unified diffs and writes nothing', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--dry-run'], reports.nvidia!);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('--- /dev/null\n+++ b/.operator.conf\n');
    expect(r.stdout).toContain('+GPU_MODE=nvidia');
    expect(r.stdout).toContain('+++ b/docker-compose.gpu-nvidia.yml');
    expect(r.stdout).toContain('Dry run: nothing was written');
    expect(existsSync(dir)).toBe(false);

    mkdirSync(dir);
    writeFileSync(join(dir, '.operator.conf'), 'GPU_MODE=cpu\n');
    const d = await kg(['-C', dir, '--dry-run'], reports.nvidia!);
    expect(d.stdout).toContain('-GPU_MODE=cpu\n+GPU_MODE=nvidia\n');
    expect(readdirSync(dir)).toEqual(['.operator.conf']);
    expect(read(join(dir, '.operator.conf'))).toBe('GPU_MODE=cpu\n');
  });

  test('a blocked mode exits 3 and writes nothing; --force writes it', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--gpu', 'nvidia'], reports.noToolkit!);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/GPU mode nvidia is blocked on this host.*Nothing was written/);
    expect(r.stderr).toContain('Install nvidia-container-toolkit');
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(existsSync(dir)).toBe(false);
    const f = await kg(['-C', dir, '--gpu', 'nvidia', '--force', '--json'], reports.noToolkit!);
    expect(f.code, f.stderr).toBe(0);
    const j = JSON.parse(f.stdout);
    expect(j).toMatchObject({ changed: true, mode: 'nvidia', status: 'blocked' });
    expect(j.findings.map((x: { code: string }) => x.code)).toContain('NVIDIA_TOOLKIT_MISSING');
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(true);
    // The summary says what still blocks it and the one next step that works: the fix, then the start.
    const again = await kg(['-C', newDir(), '--gpu', 'nvidia', '--force'], reports.noToolkit!);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nvidia is blocked on this host: the stack will not start until this is fixed\n  ✗ Docker has no nvidia runtime [NVIDIA_TOOLKIT_MISSING]');
    expect(again.stdout).toMatch(/^Next: fix what blocks nvidia \(above\)\nThen: cd \S+ && \.\/operator\.sh start$/m);
  });

  test('--force of a mode that cannot run on this host at all (nvidia without an NVIDIA GPU): written, exit 0; the summary says it cannot run here and the next step configures the mode that can', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--gpu', 'nvidia', '--force'], reports.amd!);
    expect(r.code, r.stderr).toBe(0);
    expect(read(join(dir, '.operator.conf'))).toMatch(/^GPU_MODE=nvidia$/m);
    expect(r.stdout).toMatch(/nvidia cannot run on this host: the stack will not start here\n {2}✗ .*\[MODE_NOT_APPLICABLE\]/);
    expect(r.stdout).not.toContain('fix what blocks');
    expect(r.stdout).toContain(`Next: kg-init --yes --gpu=amd-host --dir ${dir}\nThen: cd ${dir} && ./operator.sh start`);
  });

  test('--image-tag of another mode (latest under amd-host, the ADR-101 bug) exits 3 and writes nothing; --force writes it; a custom tag is taken as is', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--gpu', 'amd-host', '--image-tag', 'latest'], reports.amd!);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--image-tag latest is the image of another mode; amd-host needs rocm72-host. Nothing was written.');
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(existsSync(dir)).toBe(false);
    const pinned = await kg(['-C', dir, '--gpu', 'amd-host', '--image-tag', '0.13.1'], reports.amd!);
    expect(pinned.code).toBe(3);
    expect(pinned.stderr).toContain('amd-host needs 0.13.1-rocm72-host');
    const forced = await kg(['-C', dir, '--gpu', 'amd-host', '--image-tag', 'latest', '--force', '--json'], reports.amd!);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).findings.map((x: { code: string }) => x.code)).toContain('IMAGE_TAG_MISMATCH');
    const custom = await kg(['-C', newDir(), '--gpu', 'amd-host', '--image-tag', 'my-rocm-build', '--json'], reports.amd!);
    expect(custom.code, custom.stderr).toBe(0);
    expect(JSON.parse(custom.stdout).imageTag).toBe('my-rocm-build');
  });

  test('--gpu amd is the deprecated alias: amd-host is written, with a warning', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--gpu', 'amd', '--json'], reports.amd!);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.mode).toBe('amd-host');
    expect(j.findings.map((x: { code: string }) => x.code)).toContain('DEPRECATED_GPU_MODE');
    expect(read(join(dir, '.operator.conf'))).toMatch(/^GPU_MODE=amd-host$/m);
  });

  test.each([
    ['cpu', '0.13.1'],
    ['amd', '0.13.1-rocm72-host'],
  ])('--release 0.13.1 pins the %s tag to %s', async (which, tag) => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--release', '0.13.1', '--json'], reports[which]!);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).imageTag).toBe(tag);
    expect(read(join(dir, '.operator.conf'))).toContain(`KG_API_IMAGE_TAG=${tag}\n`);
    expect(read(join(dir, 'docker-compose.ghcr.yml'))).toContain(`kg-api:\${KG_API_IMAGE_TAG:-${tag}}`);
    expect(read(join(dir, 'docker-compose.ghcr.yml'))).toContain('kg-web:0.13.1\n');
  });

  test('switching mode: foreign lines kept, old files backed up, generated overlay of the old mode removed, foreign files untouched', async () => {
    const dir = newDir();
    expect((await kg(['-C', dir], reports.amd!)).code).toBe(0);
    const conf = join(dir, '.operator.conf');
    const mine = `# my settings\r\nexport POSTGRES_PORT='5433' # keep\r\n${read(conf).replace(/\n/g, '\r\n')}if [ -n "$X" ]; then echo hi; fi\r\n`;
    writeFileSync(conf, mine);
    writeFileSync(join(dir, 'docker-compose.override.mac.yml'), 'services: {}\n'); // not ours
    const oldOverlay = read(join(dir, 'docker-compose.gpu-amd-host.yml'));
    const r = await kg(['-C', dir, '--gpu', 'cpu', '--json'], reports.amd!);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.files).toContainEqual({ path: 'docker-compose.gpu-amd-host.yml', action: 'remove' });
    // The old config matched this host's recommendation: not a GPU change.
    expect(j.findings.map((x: { code: string }) => x.code)).not.toContain('GPU_CHANGED');
    const after = read(conf);
    expect(after.startsWith("# my settings\r\nexport POSTGRES_PORT='5433' # keep\r\n# Knowledge Graph platform settings")).toBe(true);
    // Rewritten in place; the platform derives the tag from GPU_MODE (its image-tag.sh is there): no KG_API_IMAGE_TAG.
    expect(after).toContain('\r\nGPU_MODE=cpu\nIMAGE_SOURCE=ghcr\n');
    expect(after).not.toMatch(/^KG_API_IMAGE_TAG=/m);
    expect(after).toContain('if [ -n "$X" ]; then echo hi; fi\r\n');
    expect(existsSync(join(dir, 'docker-compose.gpu-amd-host.yml'))).toBe(false);
    expect(read(join(dir, 'docker-compose.override.mac.yml'))).toBe('services: {}\n');
    expect(j.backups).toHaveLength(3);
    for (const b of j.backups) expect(b).toMatch(/^\.kg-init\/backups\/[0-9T:.Z-]+\//);
    const backupConf = j.backups.find((b: string) => b.endsWith('/.operator.conf'));
    expect(read(join(dir, backupConf))).toBe(mine);
    expect(read(join(dir, j.backups.find((b: string) => b.endsWith('amd-host.yml'))))).toBe(oldOverlay);
  });

  test('a config symlinked to a file in the install directory is updated at its target and the link is kept; a link out of the directory is refused', async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'operator.conf.local'), 'FOO=1\n');
    symlinkSync('operator.conf.local', join(dir, '.operator.conf'));
    const r = await kg(['-C', dir], reports.cpu!);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, '.operator.conf')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, '.operator.conf'))).toBe('operator.conf.local');
    expect(read(join(dir, 'operator.conf.local'))).toMatch(/^FOO=1\nGPU_MODE=cpu\n/);

    const out = newDir();
    mkdirSync(out);
    const target = join(root, `shared-${n}.conf`);
    writeFileSync(target, 'FOO=1\n');
    symlinkSync(target, join(out, '.operator.conf'));
    const refused = await kg(['-C', out], reports.cpu!);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${join(out, '.operator.conf')} is a symbolic link to ${target}`);
    expect(read(target)).toBe('FOO=1\n');
    expect(readdirSync(out).sort()).toEqual(['.operator.conf']);
  });

  test('a config with $(...) is never executed', async () => {
    const dir = newDir();
    mkdirSync(dir);
    const marker = join(root, `pwned-${n}`);
    writeFileSync(join(dir, '.operator.conf'), `X=$(touch ${marker})\nGPU_MODE=\`touch ${marker}\`\n`);
    const r = await kg(['-C', dir], reports.cpu!);
    // GPU_MODE computed by the shell: refused naming the line, never run, never overwritten.
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/line 2: GPU_MODE is computed by the shell/);
    expect(existsSync(marker)).toBe(false);
    writeFileSync(join(dir, '.operator.conf'), `X=$(touch ${marker})\n`);
    expect((await kg(['-C', dir], reports.cpu!)).code).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('bad input', () => {
  test.skipIf(process.platform !== 'linux')('a --dir that cannot be created (under /proc) exits 1 naming it, instead of hanging', async () => {
    const r = await kg(['-C', '/proc/kg-init-no-such-dir/x'], reports.cpu!);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/proc/kg-init-no-such-dir/x');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test.each([
    ['NUL bytes', Buffer.from('GPU_MODE=cpu\n\0\0binary'), /not a text file/],
    ['invalid UTF-8', Buffer.from([0x47, 0x50, 0x55, 0x3d, 0xc3, 0x28, 0x0a]), /not valid UTF-8/],
  ])('a config with %s is refused with exit 1 and left untouched', async (_what, bytes, msg) => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, '.operator.conf'), bytes);
    const mtime = statSync(join(dir, '.operator.conf')).mtimeMs;
    const r = await kg(['-C', dir], reports.cpu!);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toContain(join(dir, '.operator.conf'));
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(readFileSync(join(dir, '.operator.conf')).equals(bytes)).toBe(true);
    expect(statSync(join(dir, '.operator.conf')).mtimeMs).toBe(mtime);
    expect(readdirSync(dir)).toEqual(['.operator.conf']);
  });

  test('a config that is a directory: exit 1 naming the path', async () => {
    const dir = newDir();
    mkdirSync(join(dir, '.operator.conf'), { recursive: true });
    const r = await kg(['-C', dir], reports.cpu!);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, '.operator.conf')} is a directory`);
    expect(r.stderr).not.toMatch(/at .*\.js/);
  });

  test('--dir naming a file: exit 1', async () => {
    const file = join(root, `file-${++n}`);
    writeFileSync(file, 'x');
    const r = await kg(['-C', file], reports.cpu!);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file} is not a directory`);
  });

  test('a read-only install directory: exit 1, nothing written', async () => {
    const dir = newDir();
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    chmodSync(root, 0o755);
    const asRoot = process.getuid?.() === 0;
    // root ignores permission bits: run as nobody where we are root (from a copy nobody can read).
    const anyUser = asRoot ? cliForAnyUser() : null;
    const r = anyUser
      ? await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const c = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, anyUser.bin, '--yes', '-C', dir], {
            env: { PATH: process.env.PATH, KG_INIT_REPORT: reports.cpu!, KG_INIT_PLATFORM_SOURCE: anyUser.platform },
            cwd: '/',
          });
          let stderr = '';
          c.stderr.on('data', (d) => (stderr += d));
          c.on('close', (code) => resolve({ code, stderr }));
        })
      : await kg(['-C', dir], reports.cpu!);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/permission denied|read-only/);
    expect(r.stderr).toContain(dir);
    expect(readdirSync(dir)).toEqual([]);
    chmodSync(dir, 0o755);
  });

  test('another kg-init holding the lock: exit 1 naming its pid; a lock of a dead process is recovered', async () => {
    const dir = newDir();
    mkdirSync(join(dir, '.kg-init'), { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, '.kg-init', 'lock'), `pid=${holder.pid}\nstarted=2026-01-01T00:00:00Z\n`);
      const r = await kg(['-C', dir], reports.cpu!);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`another kg-init is running in ${dir} (pid ${holder.pid})`);
      expect(existsSync(join(dir, '.operator.conf'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, '.kg-init', 'lock'), `pid=${dead}\nstarted=2026-01-01T00:00:00Z\n`);
    const ok = await kg(['-C', dir], reports.cpu!);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(dir, '.kg-init', 'lock'))).toBe(false);
  });

  test.each([
    [['--image-tag', 'a b'], /invalid --image-tag/],
    [['--registry', 'HTTPS://ghcr.io/x'], /invalid --registry/],
    [['--release', 'latest'], /invalid --release/],
    [['--gpu', 'rocm'], /invalid --gpu/],
  ])('%j is a usage error (exit 2)', async (args, msg) => {
    const r = await kg(args, reports.cpu!);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});

describe('Ctrl-C', () => {
  test.skipIf(process.platform !== 'linux')('SIGINT while a probe tool hangs: exit 130 at once, and the hung tool is killed, not left behind', async () => {
    const snap = join(root, `hangs-${++n}`);
    cpSync('test/hosts/nvidia-smi-hangs', snap, { recursive: true });
    const pidFile = join(snap, 'tool.pid');
    writeFileSync(join(snap, 'bin', 'nvidia-smi'), `#!/bin/sh\necho $$ > '${pidFile}'\nexec /bin/sleep 600\n`);
    const child = spawn(process.execPath, [BIN, '--yes', '-C', newDir()], { env: { ...process.env, KG_INIT_HOST_SNAPSHOT: snap }, stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 10));
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    // Gone, or a zombie waiting for init to reap it: either way not running.
    const running = () => {
      try {
        return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && running(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(running()).toBe(false);
  });

  test('SIGINT while waiting for another run\'s lock: exit 130, nothing written', async () => {
    const dir = newDir();
    mkdirSync(join(dir, '.kg-init'), { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    writeFileSync(join(dir, '.kg-init', 'lock'), `pid=${holder.pid}\n`);
    const fifo = join(root, `report-${n}.fifo`);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [BIN, '--yes', '-C', dir], { env: { ...process.env, KG_INIT_REPORT: fifo }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // A writer opens a FIFO without blocking only once its reader has it open:
      // then kg-init is reading the report, its Ctrl-C handler already in place.
      let fd: number | undefined;
      while (fd === undefined) {
        try {
          fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        } catch {
          await new Promise((r) => setImmediate(r));
        }
      }
      writeSync(fd, JSON.stringify(makeReport({ recommend: 'cpu' })));
      closeSync(fd);
      // It cannot write anything while the live holder keeps the lock.
      child.kill('SIGINT');
      expect(await closed).toBe(130);
    } finally {
      holder.kill('SIGKILL');
    }
    expect(stderr).toContain('cancelled');
    expect(readdirSync(dir)).toEqual(['.kg-init']);
  });
});
