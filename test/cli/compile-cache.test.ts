// The V8 code cache of dist/cli.cjs and the files it requires (src/boot.ts),
// through the built CLI: written once to this user's cache directory, used by
// the next run, never read or written where someone else could have put the
// bytecode, and never a reason for a run to fail or change its output.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS, runCli } from '../helpers/cli.js';
import { cacheDirFor } from '../../src/boot.js';

const HOST = join(HOSTS, 'amd-7900xtx-igpu-arch');
let base: string;
let xdg: string;
let cache: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'kg-cc-'));
  xdg = join(base, 'xdg-cache');
  cache = join(xdg, 'kg-init');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const probe = (env: Record<string, string | undefined> = {}) =>
  runCli(['probe', '--json'], { env: { KG_INIT_HOST_SNAPSHOT: HOST, XDG_CACHE_HOME: xdg, KG_INIT_DEBUG: '1', ...env } });
/** The compile cache's lines on stderr (KG_INIT_DEBUG), without the `kg-init: ` prefix. */
const said = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('kg-init: compile cache')).map((l) => l.slice(9));
/** probe --json without its timings (ms, durationMs), which differ from run to run. */
const report = (stdout: string) => JSON.parse(stdout, (k, v) => (k === 'ms' || k === 'durationMs' ? undefined : v));
const files = () => (existsSync(cache) ? readdirSync(cache).sort() : []);

describe('compile cache', () => {
  it('the first run writes it (a 0700 folder, 0600 files, one per bundle); the next run uses it and prints the same', async () => {
    const first = await probe();
    expect(first.code).toBe(0);
    expect(said(first.stderr)).toEqual([
      'compile cache cli.cjs: none',
      'compile cache execa.cjs: none',
      'compile cache cli.cjs: written',
      'compile cache execa.cjs: written',
    ]);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(xdg).mode & 0o777).toBe(0o700);
    const names = files();
    expect(names).toHaveLength(2);
    for (const n of names) {
      expect(n).toMatch(new RegExp(`^(cli|execa)\\.cjs-[0-9a-f]{16}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`));
      expect(statSync(join(cache, n)).mode & 0o777).toBe(0o600);
    }

    const second = await probe();
    expect(second.code).toBe(0);
    expect(said(second.stderr)).toEqual(['compile cache cli.cjs: used', 'compile cache execa.cjs: used']);
    expect(report(second.stdout)).toEqual(report(first.stdout));
    expect(files()).toEqual(names);
  });

  it('a corrupt cache is rejected and written again; the caches of other kg-init versions go', async () => {
    await probe();
    const cli = files().find((n) => n.startsWith('cli.cjs-'))!;
    writeFileSync(join(cache, cli), Buffer.alloc(4096, 0x41), { mode: 0o600 });
    const other = cli.replace(/-[0-9a-f]{16}-/, '-0123456789abcdef-');
    writeFileSync(join(cache, other), 'old', { mode: 0o600 });
    const r = await probe();
    expect(r.code).toBe(0);
    expect(said(r.stderr)).toContain('compile cache cli.cjs: rejected');
    expect(said(r.stderr)).toContain('compile cache cli.cjs: written');
    expect(files()).not.toContain(other);
    expect(said((await probe()).stderr)).toContain('compile cache cli.cjs: used');
  });

  it('a folder or file others can write, or a symbolic link, is neither read nor written, and the run is the same', async () => {
    const clean = await probe({ KG_INIT_NO_COMPILE_CACHE: '1' });
    await probe();
    // The folder writable by its group: nothing is read from it or written to it.
    chmodSync(cache, 0o770);
    const r = await probe();
    expect(r.code).toBe(0);
    expect(said(r.stderr)).toEqual([
      'compile cache cli.cjs: none',
      'compile cache execa.cjs: none',
      expect.stringMatching(/^compile cache: not written \(.* is not a directory of this user's, writable by no one else\)$/),
    ]);
    expect(report(r.stdout)).toEqual(report(clean.stdout));
    // A file writable by others: not read; the run replaces it with its own.
    chmodSync(cache, 0o700);
    const cli = files().find((n) => n.startsWith('cli.cjs-'))!;
    chmodSync(join(cache, cli), 0o666);
    const r2 = await probe();
    expect(said(r2.stderr)).toContain('compile cache cli.cjs: none');
    expect(statSync(join(cache, cli)).mode & 0o777).toBe(0o600);
    // The folder a link to another: not followed, nothing written through it.
    rmSync(cache, { recursive: true });
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, cache);
    const r3 = await probe();
    expect(r3.code).toBe(0);
    expect(said(r3.stderr)).toContain('compile cache cli.cjs: none');
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(lstatSync(cache).isSymbolicLink()).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)('as root, a cache folder owned by another account is neither read nor written', async () => {
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    chownSync(cache, 65534, 65534);
    const r = await probe();
    expect(r.code).toBe(0);
    expect(said(r.stderr)).toContain('compile cache cli.cjs: none');
    expect(readdirSync(cache)).toEqual([]);
    // Nor is a missing folder made under a parent another account owns.
    rmSync(xdg, { recursive: true });
    mkdirSync(xdg, { mode: 0o755 });
    chownSync(xdg, 65534, 65534);
    await probe();
    expect(existsSync(cache)).toBe(false);
  });

  it('KG_INIT_NO_COMPILE_CACHE=1 or NODE_DISABLE_COMPILE_CACHE=1: no cache folder is made', async () => {
    for (const env of [{ KG_INIT_NO_COMPILE_CACHE: '1' }, { NODE_DISABLE_COMPILE_CACHE: '1' }]) {
      const r = await probe(env);
      expect(r.code).toBe(0);
      expect(said(r.stderr)).toEqual(['compile cache cli.cjs: off', 'compile cache execa.cjs: off']);
      expect(existsSync(xdg)).toBe(false);
    }
  });

  it('where the cache lives', () => {
    const home = '/home/u';
    expect(cacheDirFor({}, home, 'linux')).toBe('/home/u/.cache/kg-init');
    expect(cacheDirFor({}, home, 'darwin')).toBe('/home/u/Library/Caches/kg-init');
    expect(cacheDirFor({ XDG_CACHE_HOME: '/x/cache' }, home, 'linux')).toBe('/x/cache/kg-init');
    // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
    expect(cacheDirFor({ XDG_CACHE_HOME: 'cache' }, home, 'linux')).toBe('/home/u/.cache/kg-init');
    expect(cacheDirFor({}, '', 'linux')).toBeNull();
    expect(cacheDirFor({ KG_INIT_NO_COMPILE_CACHE: '1' }, home, 'linux')).toBeNull();
  });
});
