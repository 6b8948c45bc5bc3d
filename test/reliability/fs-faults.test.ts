// File-system faults while configuring an install that already works: a
// read-only directory, a full disk (a real 128 KiB tmpfs where this test may
// mount one, and always a write error injected half-way into each file),
// permission denied, the config replaced by a directory. Each ends with exit 1
// and a message naming the path; every file is as it was, no temp file, no
// half-written backup, no lock.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cliForAnyUser } from '../helpers/cli.js';
import { amdReport, makeReport } from '../helpers/report.js';
import { lockHeld, startCli, tempFiles } from './support.js';
import { runWithFault } from '../helpers/fault-cli.js';

const asRoot = process.getuid?.() === 0;
let root: string;
let amd: string;
let nvidia: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-fsfault-'));
  chmodSync(root, 0o755); // reachable by the unprivileged user below
  amd = join(root, 'amd.json');
  nvidia = join(root, 'nvidia.json');
  writeFileSync(amd, JSON.stringify(amdReport()));
  writeFileSync(nvidia, JSON.stringify(makeReport({ recommend: 'nvidia' })));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FOREIGN = '# mine\nexport POSTGRES_PORT=5433 # keep\n';

/** Every file under dir (backups included) with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'latin1');
    }
  };
  walk(dir);
  return out;
}

/** An install configured for amd-host, as a user would have it. */
async function configured(dir: string, extra = ''): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.operator.conf'), FOREIGN + extra);
  const r = await startCli(['--yes', '-C', dir], { KG_INIT_REPORT: amd }).done;
  expect(r.code, r.stderr).toBe(0);
}

/** kg-init --yes as uid/gid 65534 (root ignores permission bits), from a copy of the CLI that account can read. */
function runAsNobody(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliForAnyUser().bin, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env },
      cwd: '/',
    });
    let stderr = '';
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, stderr }));
  });
}

/**
 * The tree without the backups, after checking that every backup the failed
 * run made is a whole copy of the file as it was (a cut-short copy must not
 * pass for a backup).
 */
function withoutNewBackups(after: Record<string, string>, before: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, text] of Object.entries(after)) {
    const m = /^\.kg-init\/backups\/[^/]+\/(.+)$/.exec(p);
    if (m && !(p in before)) expect(text, `backup ${p}`).toBe(before[m[1]!]);
    else out[p] = text;
  }
  return out;
}

function expectCleanFailure(r: { code: number | null; stderr: string }, dir: string, before: Record<string, string>, path: RegExp | string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  if (typeof path === 'string') expect(r.stderr).toContain(path);
  else expect(r.stderr).toMatch(path);
  expect(withoutNewBackups(tree(dir), before)).toEqual(before);
  expect(tempFiles(dir)).toEqual([]);
  expect(lockHeld(dir)).toBe(false);
}

let n = 0;
const newDir = () => join(root, `install-${++n}`);

describe('a write fails half-way (injected through ApplyOptions.writeFault)', () => {
  test.each([
    ['ENOSPC', 'docker-compose.ghcr.yml', /no space left on device writing .*docker-compose\.ghcr\.yml/],
    ['ENOSPC', 'docker-compose.gpu-nvidia.yml', /no space left on device writing .*docker-compose\.gpu-nvidia\.yml/],
    ['ENOSPC', '.operator.conf', /no space left on device writing .*\.operator\.conf/],
    ['EDQUOT', '.operator.conf', /disk quota exceeded writing .*\.operator\.conf/],
    ['EIO', 'docker-compose.gpu-nvidia.yml', /EIO.*docker-compose\.gpu-nvidia\.yml/],
  ])('%s writing %s: exit 1 naming it; what was written before is rolled back', async (code, file, msg) => {
    const dir = newDir();
    await configured(dir);
    const before = tree(dir);
    const r = await runWithFault({ write: { code, file } }, ['--yes', '-C', dir], { KG_INIT_REPORT: nvidia });
    // The backups taken before the writes stay (whole copies); everything else is as it was.
    expectCleanFailure(r, dir, before, msg);
    // And once the fault is gone, the same run goes through.
    expect((await startCli(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia }).done).code).toBe(0);
  });
});

describe('disk full on a real file system', () => {
  const mnt = join(tmpdir(), `kg-tmpfs-${process.pid}`);
  let mounted = false;
  beforeAll(() => {
    mkdirSync(mnt, { recursive: true });
    mounted = asRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mnt]).status === 0;
  });
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  test('a 128 KiB tmpfs that fills up during the run: exit 1 naming the path, nothing half-written, no partial backup', async (ctx) => {
    if (!mounted) ctx.skip(); // no permission to mount here: the injected faults above cover it
    const dir = join(mnt, 'install');
    // A config big enough that its backup and its new copy cannot both fit.
    await configured(dir, Array.from({ length: 250 }, (_, i) => `EXTRA_${i}="a value long enough to take room ${i}"\n`).join(''));
    const used = Object.values(tree(dir)).reduce((a, t) => a + t.length, 0);
    const free = () => Number(spawnSync('df', ['-B1', '--output=avail', mnt], { encoding: 'utf8' }).stdout.trim().split('\n')[1]);
    // Leave less room than one more copy of the config needs.
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free() - 8 * 1024)));
    expect(used).toBeGreaterThan(8 * 1024);
    const before = tree(dir);
    const r = await startCli(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia }).done;
    expectCleanFailure(r, dir, before, /no space left on device writing \/.*kg-tmpfs/);
    rmSync(join(mnt, 'filler'));
    expect((await startCli(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia }).done).code).toBe(0);
  });
});

describe.runIf(asRoot)('permissions (as an unprivileged user)', () => {
  test('a read-only install directory that holds a working install: exit 1 naming the path, nothing touched', async () => {
    const dir = newDir();
    await configured(dir);
    chmodSync(dir, 0o555);
    chmodSync(join(dir, '.kg-init'), 0o555);
    const before = tree(dir);
    const r = await runAsNobody(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia });
    // .kg-init belongs to root: refused before anything (its owner could change what kg-init writes there).
    expectCleanFailure(r, dir, before, new RegExp(`permission denied: ${dir}|${dir}/\\.kg-init belongs to uid 0`));
  });

  test('a config the user may not read: exit 1 naming it, nothing touched', async () => {
    const dir = newDir();
    await configured(dir);
    chmodSync(join(dir, '.operator.conf'), 0o600);
    for (const d of [dir, join(dir, '.kg-init')]) chmodSync(d, 0o777);
    const before = tree(dir);
    const r = await runAsNobody(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia });
    expectCleanFailure(r, dir, before, `permission denied: ${join(dir, '.operator.conf')}`);
  });
});

describe('the install directory is not what kg-init expects', () => {
  test('the config replaced by a directory in a working install: exit 1 naming it, compose files untouched', async () => {
    const dir = newDir();
    await configured(dir);
    rmSync(join(dir, '.operator.conf'));
    mkdirSync(join(dir, '.operator.conf'));
    writeFileSync(join(dir, '.operator.conf', 'inside'), 'x');
    const before = tree(dir);
    const r = await startCli(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia }).done;
    expectCleanFailure(r, dir, before, `${join(dir, '.operator.conf')} is a directory`);
  });

  test('.kg-init is a file: exit 1 naming the path, nothing written', async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, '.operator.conf'), FOREIGN);
    writeFileSync(join(dir, '.kg-init'), 'not a directory');
    const before = tree(dir);
    const r = await startCli(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia }).done;
    expectCleanFailure(r, dir, before, join(dir, '.kg-init'));
    expect(existsSync(join(dir, 'docker-compose.ghcr.yml'))).toBe(false);
  });

  test('a compose file kg-init would write is a directory: exit 1 naming it, nothing touched', async () => {
    const dir = newDir();
    await configured(dir);
    mkdirSync(join(dir, 'docker-compose.gpu-nvidia.yml'));
    const before = tree(dir);
    const r = await startCli(['--yes', '-C', dir], { KG_INIT_REPORT: nvidia }).done;
    expectCleanFailure(r, dir, before, join(dir, 'docker-compose.gpu-nvidia.yml'));
  });
});

