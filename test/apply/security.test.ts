// Issue #12 as an attacker on a shared host would try it: another account
// prepares the install directory (links, FIFOs, odd modes), root runs kg-init.
// Each test shows the target untouched, the file refused with its name, or the
// owner and mode kept. Runs as root (CI); the attacker is an account made with
// useradd for this file and removed after it. Skipped only when not root and
// KG_INIT_REQUIRE_TOOLS is unset.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, toolsRequired } from '../helpers/cli.js';
import { makeReport } from '../helpers/report.js';

const asRoot = process.getuid?.() === 0;
if (!asRoot && toolsRequired()) throw new Error('test/apply/security.test.ts must run as root in CI');

let root: string;
let cpu: string;
let nvidia: string;
const user = `kgatk${process.pid % 100000}`;
let uid = -1;
let gid = -1;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-sec-'));
  chownSync(root, 0, 0);
  spawnSync('chmod', ['755', root]);
  cpu = join(root, 'cpu.json');
  nvidia = join(root, 'nvidia.json');
  writeFileSync(cpu, JSON.stringify(makeReport({ recommend: 'cpu' })));
  writeFileSync(nvidia, JSON.stringify(makeReport({ recommend: 'nvidia' })));
  if (!asRoot) return;
  const made = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', user], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`useradd ${user}: ${made.stderr}`);
  uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
});
afterAll(() => {
  if (asRoot) spawnSync('userdel', [user]);
  rmSync(root, { recursive: true, force: true });
});

/** Runs a shell command as the attacker. */
function asAttacker(cmd: string): void {
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'sh', '-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`as ${user}: ${cmd}: ${r.stderr}`);
}

/** An install directory prepared by the attacker. */
function attackerDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  chownSync(dir, uid, gid);
  return dir;
}

function kg(args: string[], report: string, opts: { umask?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const line = `umask ${opts.umask ?? '022'}; exec "$0" "$@"`;
    const c = spawn('sh', ['-c', line, process.execPath, BIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', KG_INIT_REPORT: report, KG_INIT_CONFIG_DIR: join(root, 'user-config'), KG_INIT_PLATFORM_SOURCE: process.env.KG_INIT_PLATFORM_SOURCE, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => c.kill('SIGKILL'), 20_000);
    c.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

const mode = (p: string) => statSync(p).mode & 0o7777;

describe.runIf(asRoot || toolsRequired())('as root in a directory another account prepared', () => {
  test('a compose file planted as a symlink to a file outside: refused naming it, the target untouched, nothing written', async () => {
    const dir = attackerDir('link-out');
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    asAttacker(`ln -s ${victim} ${dir}/docker-compose.ghcr.yml`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/docker-compose.ghcr.yml is a symbolic link`);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(dir).sort()).toEqual(['docker-compose.ghcr.yml']);
  });

  test('a symlinked .kg-init/ (lock, backups, state sent elsewhere): refused naming it, nothing written there', async () => {
    const dir = attackerDir('kg-link');
    const elsewhere = attackerDir('elsewhere');
    asAttacker(`ln -s ${elsewhere} ${dir}/.kg-init`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/.kg-init is a symbolic link`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(dir, '.operator.conf'))).toBe(false);
  });

  test('a .operator.conf linked to a secret outside the directory: refused for root, the secret neither written nor backed up', async () => {
    const dir = attackerDir('conf-link');
    const secret = join(root, 'shadow-like');
    writeFileSync(secret, 'GPU_MODE=cpu\nSECRET=1\n', { mode: 0o600 });
    asAttacker(`ln -s ${secret} ${dir}/.operator.conf`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/.operator.conf is a symbolic link to ${secret}`);
    expect(readFileSync(secret, 'utf8')).toBe('GPU_MODE=cpu\nSECRET=1\n');
    expect(existsSync(join(dir, '.kg-init'))).toBe(false);
  });

  test('a FIFO named like an overlay and a link to /dev/zero: refused naming them, no hang, no memory blow-up', async () => {
    const dir = attackerDir('fifo');
    asAttacker(`mkfifo ${dir}/docker-compose.gpu-nvidia.yml`);
    const r = await kg(['--yes', '-C', dir], nvidia);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/docker-compose.gpu-nvidia.yml is a FIFO`);
    const dir2 = attackerDir('zero');
    asAttacker(`ln -s /dev/zero ${dir2}/docker-compose.gpu-nvidia.yml`);
    const r2 = await kg(['--yes', '-C', dir2], nvidia);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${dir2}/docker-compose.gpu-nvidia.yml is a symbolic link`);
    const dir3 = attackerDir('zero-conf');
    asAttacker(`ln -s /dev/zero ${dir3}/.operator.conf`);
    const r3 = await kg(['--yes', '-C', dir3], cpu);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain(`${dir3}/.operator.conf is a symbolic link to /dev/zero`);
  });

  test('owner, group and mode of replaced files are kept: a private 0600 config and a group-shared 0664 overlay', async () => {
    const dir = attackerDir('owner');
    asAttacker(`printf 'MINE=1\\n' > ${dir}/.operator.conf && chmod 600 ${dir}/.operator.conf`);
    expect((await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], nvidia)).code).toBe(0);
    // The generated overlay, handed to the attacker's group and shared.
    chownSync(join(dir, 'docker-compose.gpu-nvidia.yml'), uid, gid);
    spawnSync('chmod', ['664', join(dir, 'docker-compose.gpu-nvidia.yml')]);
    const conf = lstatSync(join(dir, '.operator.conf'));
    expect([conf.uid, conf.gid, conf.mode & 0o7777]).toEqual([uid, gid, 0o600]);
    const r = await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force', '--registry', 'ghcr.io/other'], nvidia);
    expect(r.code, r.stderr).toBe(0);
    const after = lstatSync(join(dir, '.operator.conf'));
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([uid, gid, 0o600]);
    const overlay = lstatSync(join(dir, 'docker-compose.gpu-nvidia.yml'));
    expect([overlay.uid, overlay.gid, overlay.mode & 0o7777]).toEqual([uid, gid, 0o664]);
    expect(readFileSync(join(dir, 'docker-compose.ghcr.yml'), 'utf8')).toContain('ghcr.io/other');
    // The backup of a private file is private.
    const backups = join(dir, '.kg-init', 'backups');
    for (const b of readdirSync(backups)) {
      expect(mode(join(backups, b))).toBe(0o700);
      for (const f of readdirSync(join(backups, b))) expect(mode(join(backups, b, f))).toBe(0o600);
    }
  });

  test('under umask 000 nothing kg-init creates is group- or world-writable; .kg-init and backups are private', async () => {
    const dir = join(root, 'umask', 'new', 'install');
    const first = await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], nvidia, { umask: '000' });
    expect(first.code, first.stderr).toBe(0);
    expect((await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu, { umask: '000' })).code).toBe(0);
    for (const d of [join(root, 'umask'), join(root, 'umask', 'new'), dir]) expect(mode(d)).toBe(0o755);
    expect(mode(join(dir, '.operator.conf'))).toBe(0o644);
    expect(mode(join(dir, 'docker-compose.ghcr.yml'))).toBe(0o644);
    expect(mode(join(dir, '.kg-init'))).toBe(0o700);
    expect(mode(join(dir, '.kg-init', 'state.json'))).toBe(0o600);
    const walk = (p: string): void => {
      const st = lstatSync(p);
      expect(st.mode & 0o022, `${p} is group- or world-writable`).toBe(0);
      if (p.includes('.kg-init')) expect(st.mode & 0o077, `${p} is not private`).toBe(0);
      if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    };
    walk(dir);
  });

  test('a .kg-init/ another account owns is refused (its owner could swap what kg-init writes there)', async () => {
    const dir = attackerDir('kg-owned');
    asAttacker(`mkdir -m 777 ${dir}/.kg-init`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/.kg-init belongs to uid ${uid}`);
    expect(readdirSync(join(dir, '.kg-init'))).toEqual([]);
  });

  test('backups: the newest KG_INIT_KEEP_BACKUPS (default 10) are kept, older ones pruned', async () => {
    const dir = join(root, 'prune');
    for (let i = 0; i < 5; i++) {
      const r = await kg(['--yes', '-C', dir, '--gpu', i % 2 ? 'cpu' : 'nvidia', '--force'], nvidia, { env: { KG_INIT_KEEP_BACKUPS: '2' } });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readdirSync(join(dir, '.kg-init', 'backups'))).toHaveLength(2);
    const bad = await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu, { env: { KG_INIT_KEEP_BACKUPS: 'lots' } });
    expect(bad.code).toBe(2);
  });
});
