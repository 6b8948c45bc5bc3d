// kill -9 at random moments of many headless runs into one directory. Unlike
// test/apply/crash.test.ts (a kill at each named step), the moment here is drawn
// from a seeded PRNG, so kills land anywhere: during start-up, the probe, the
// lock, a backup, a half-written temp file, between renames, at exit. After
// every kill: the config is whole (the old text or the new), every foreign line
// is kept, config and overlays agree, and the next normal run succeeds.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mode } from '../../src/catalog.js';
import { HOSTS } from '../helpers/cli.js';
import { amdReport, makeReport } from '../helpers/report.js';
import { configAndOverlayAgree, isOldOrNew, keepsLinesInOrder, lockHeld, prng, SEED, startCli, tempFiles } from './support.js';

const RUNS = 44;

// Foreign lines around the owned keys: a shadowed owned key, shell logic,
// export with a comment, CRLF-free but otherwise as odd as real files get.
const FOREIGN_HEAD = [
  '# my platform settings',
  'GPU_MODE=nvidia   # an old value: the last assignment is the one that counts',
  'export POSTGRES_PORT=5433 # keep me',
  'if [ -n "$KG_DEBUG" ]; then',
  '  LOG_LEVEL=debug',
  'fi',
  "WEB_TITLE='Knowledge Graph (lab)'",
];
const FOREIGN_TAIL = ['', '# after the owned keys', 'EXTRA_ARGS="--a --b"'];
const INITIAL = [...FOREIGN_HEAD, 'export GPU_MODE=cpu # chosen by hand', ...FOREIGN_TAIL, ''].join('\n');
const FOREIGN = [...FOREIGN_HEAD, ...FOREIGN_TAIL];

let root: string;
const variants: Array<{ name: string; args: string[]; env: Record<string, string>; mode: Mode }> = [];
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-kill-'));
  const report = (name: string, r: unknown) => {
    const p = join(root, `${name}.json`);
    writeFileSync(p, JSON.stringify(r));
    return { KG_INIT_REPORT: p };
  };
  const amd = report('amd', amdReport());
  const nvidia = report('nvidia', makeReport({ recommend: 'nvidia' }));
  const cpu = report('cpu', makeReport({ recommend: 'cpu' }));
  // A replayed host on which both GPU modes are ready: the probe runs too.
  const both = { KG_INIT_HOST_SNAPSHOT: join(HOSTS, 'nvidia-3060-plus-amd-7900xtx') };
  variants.push(
    { name: 'amd report, auto', args: [], env: amd, mode: 'amd-host' },
    { name: 'nvidia report, auto', args: [], env: nvidia, mode: 'nvidia' },
    { name: 'amd report, --gpu cpu', args: ['--gpu', 'cpu'], env: amd, mode: 'cpu' },
    { name: 'cpu report, --gpu nvidia --force', args: ['--gpu', 'nvidia', '--force'], env: cpu, mode: 'nvidia' },
    { name: 'replayed host, --gpu amd-host', args: ['--gpu', 'amd-host'], env: both, mode: 'amd-host' },
    { name: 'nvidia report, --gpu amd-host --force', args: ['--gpu', 'amd-host', '--force'], env: nvidia, mode: 'amd-host' },
    { name: 'replayed host, --gpu nvidia', args: ['--gpu', 'nvidia'], env: both, mode: 'nvidia' },
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kill -9 at random moments', () => {
  test(`${RUNS} headless runs into one directory, each SIGKILLed after a random delay`, { timeout: 240_000 }, async () => {
    const rand = prng(SEED);
    const dir = join(root, 'install');
    mkdirSync(dir);
    writeFileSync(join(dir, '.operator.conf'), INITIAL);
    const outcomes = { killed: 0, finished: 0, old: 0, new: 0 };
    // A configured directory to start from (the hand-written one names no tag).
    expect((await startCli(['--yes', '-C', dir, '--gpu', 'cpu'], variants[0]!.env).done).code).toBe(0);

    for (let i = 0; i < RUNS; i++) {
      const v = variants[Math.floor(rand() * variants.length)]!;
      const delay = 10 + Math.floor(rand() * 260);
      const at = `seed ${SEED}, run ${i}: ${v.name}, killed after ${delay} ms`;
      const before = readFileSync(join(dir, '.operator.conf'), 'utf8');

      const run = startCli(['--yes', '-C', dir, ...v.args], v.env);
      const timer = setTimeout(() => run.child.kill('SIGKILL'), delay);
      const r = await run.done;
      clearTimeout(timer);
      if (r.signal === 'SIGKILL') outcomes.killed++;
      else {
        outcomes.finished++;
        expect(r.code, `${at}\n${r.stderr}`).toBe(0);
      }

      const now = readFileSync(join(dir, '.operator.conf'), 'utf8');
      outcomes[isOldOrNew(now, before, v.mode)]++;
      expect(keepsLinesInOrder(now, FOREIGN), at).toBe(true);
      configAndOverlayAgree(dir);

      // The next normal run (another mode) recovers whatever the kill left.
      const next = variants[(variants.indexOf(v) + 1) % variants.length]!;
      const n = await startCli(['--yes', '-C', dir, ...next.args], next.env).done;
      expect(n.code, `${at}; then ${next.name}: ${n.stderr}`).toBe(0);
      expect(n.stderr).not.toMatch(/another kg-init/);
      expect(configAndOverlayAgree(dir), at).toBe(next.mode);
      expect(lockHeld(dir), at).toBe(false);
      expect(tempFiles(dir), at).toEqual([]);
      expect(keepsLinesInOrder(readFileSync(join(dir, '.operator.conf'), 'utf8'), FOREIGN), at).toBe(true);
    }
    // Not a timing assertion: delays start at 10 ms, well before any run can end.
    expect(outcomes.killed).toBeGreaterThan(0);
    console.log(`kill -9 at random moments (seed ${SEED}): ${JSON.stringify(outcomes)}`);
  });
});
