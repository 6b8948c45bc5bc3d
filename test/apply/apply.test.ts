// applyPlan in process, its phases and seams: faults come through ApplyOptions
// (onStep, writeFault), never the environment; after the commit a failure is a
// warning saying what changed; new files get the plan's mode; the lock judges
// its holder by boot id, pid namespace and process start time.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan } from '../../src/apply/apply.js';
import { acquireLock, foreignHolder, INIT_PIDNS, judgeLock, lockText, STALE_FOREIGN_MS, startTimeOf, thisRun } from '../../src/apply/lock.js';
import { readOwned } from '../../src/conf/index.js';
import { readInstall } from '../../src/install/read.js';
import { makePlan } from '../../src/plan/make.js';
import type { Plan } from '../../src/plan/types.js';
import { makeReport } from '../helpers/report.js';

let root: string;
let n = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-apply-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function planFor(dir: string, mode: 'cpu' | 'nvidia'): Promise<Plan> {
  const report = makeReport({ recommend: mode });
  return makePlan(report, { mode, registry: 'ghcr.io/aaronsb', force: true }, await readInstall(dir), { now: new Date(), version: '0.0.0' });
}

async function configured(mode: 'cpu' | 'nvidia' = 'cpu'): Promise<string> {
  const dir = join(root, `d${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, '.operator.conf'), '# mine\nFOO=1\n');
  await applyPlan(await planFor(dir, mode));
  return dir;
}

describe('phases', () => {
  test('a config changed between the plan and the lock, even to the same size, is not overwritten: exit 1, nothing changed', async () => {
    const dir = await configured('cpu');
    const conf = join(dir, '.operator.conf');
    const plan = await planFor(dir, 'nvidia');
    // Same length, one byte different, far into the file: caught by the comparison under the lock.
    const now = readFileSync(conf, 'utf8');
    writeFileSync(conf, now.replace('FOO=1', 'FOO=2'));
    await expect(applyPlan(plan)).rejects.toThrow(/\.operator\.conf changed while kg-init was running; nothing was changed/);
    expect(readFileSync(conf, 'utf8')).toBe(now.replace('FOO=1', 'FOO=2'));
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(false);
  });

  test('a write fault before the commit (ApplyOptions.writeFault): exit-1 error naming the file, compose files rolled back, config untouched', async () => {
    const dir = await configured('cpu');
    const before = readFileSync(join(dir, '.operator.conf'), 'utf8');
    const plan = await planFor(dir, 'nvidia');
    await expect(applyPlan(plan, { writeFault: (p) => (p.endsWith('.operator.conf') ? 'ENOSPC' : null) })).rejects.toThrow(/no space left on device writing .*\.operator\.conf/);
    expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(false);
    expect(existsSync(join(dir, '.kg-init', 'lock'))).toBe(false);
  });

  test('a failure after the commit is a warning naming what changed, not "nothing was changed"', async () => {
    const dir = await configured('cpu');
    // .kg-init/state.json cannot be replaced: a directory holds its name.
    rmSync(join(dir, '.kg-init', 'state.json'), { force: true });
    mkdirSync(join(dir, '.kg-init', 'state.json', 'x'), { recursive: true });
    const result = await applyPlan(await planFor(dir, 'nvidia'));
    expect(result.changed).toBe(true);
    expect(readOwned(readFileSync(join(dir, '.operator.conf'), 'utf8')).GPU_MODE).toBe('nvidia');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings![0]).toMatch(/^the configuration was written \(nvidia\), but recording \.kg-init\/state\.json failed: /);
  });

  test('an interruption at a step before the commit (ApplyOptions.onStep) rolls back the compose files', async () => {
    const dir = await configured('cpu');
    const plan = await planFor(dir, 'nvidia');
    await expect(
      applyPlan(plan, {
        onStep: (s) => {
          if (s === 'wrote:docker-compose.gpu-nvidia.yml') throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(false);
    expect(readOwned(readFileSync(join(dir, '.operator.conf'), 'utf8')).GPU_MODE).toBe('cpu');
  });

  test('a new file gets the mode its plan entry asks for (e.g. 0600 for a secret), whatever the umask', async () => {
    const dir = join(root, `mode-${++n}`);
    mkdirSync(dir);
    const plan = await planFor(dir, 'cpu');
    const old = process.umask(0);
    try {
      await applyPlan({ ...plan, files: [...plan.files, { path: '.env', action: 'create', before: null, after: 'X=1\n', mode: 0o600 }] });
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.operator.conf')).mode & 0o777).toBe(0o644);
  });
});

describe('the lock judges its holder by evidence', () => {
  const me = { pid: 4242, start: '1000', boot: 'boot-a', pidns: 'pid:[1]' };
  const alive = () => true;
  test('a lock from another boot is stale even if its pid runs now', () => {
    expect(judgeLock(lockText({ ...me, boot: 'boot-b' }), 10, me, alive).stale).toBe(true);
  });
  test('same boot: a live pid that started at another time is another process (pid reused): stale', () => {
    expect(judgeLock(lockText({ ...me, pid: 77, start: '5' }), 10, me, alive, () => '6').stale).toBe(true);
    expect(judgeLock(lockText({ ...me, pid: 77, start: '5' }), 10, me, alive, () => '5').stale).toBe(false);
    expect(judgeLock(lockText({ ...me, pid: 77 }), 10, me, () => false).stale).toBe(true);
  });
  test('another pid namespace /proc cannot see into: its bare pid is not checked; live while young, stale once older than any run holds it', () => {
    const foreign = lockText({ ...me, pid: 1, pidns: 'pid:[2]' });
    expect(judgeLock(foreign, 1000, me, () => false, startTimeOf, () => 'unknown').stale).toBe(false);
    expect(judgeLock(foreign, STALE_FOREIGN_MS + 1, me, alive, startTimeOf, () => 'unknown').stale).toBe(true);
  });
  test('another pid namespace /proc shows: the holder found running there holds it at any age; a run gone from there does not, however young', () => {
    const foreign = lockText({ ...me, pid: 1, pidns: 'pid:[2]' });
    expect(judgeLock(foreign, STALE_FOREIGN_MS * 10, me, alive, startTimeOf, () => 'live')).toEqual({ stale: false, why: 'held from another pid namespace (a container?), where pid 1 is running' });
    expect(judgeLock(foreign, 10, me, alive, startTimeOf, () => 'gone')).toEqual({ stale: true, why: 'its pid namespace has no run 1 any more' });
  });
  test.runIf(process.platform === 'linux')('foreignHolder reads /proc: a namespace nothing runs in is never live; gone only for root in the initial namespace', () => {
    const me = thisRun();
    const verdict = foreignHolder({ pid: 5, start: null, pidns: 'pid:[1]' }, me);
    // 'unknown' too where some process's namespace cannot be read (even root may not see a sandbox's init).
    expect(['gone', 'unknown']).toContain(verdict);
    if (me.pidns !== INIT_PIDNS || process.geteuid?.() !== 0) expect(verdict).toBe('unknown');
  });
  test('this very run, read back from its lock, is live', () => {
    expect(judgeLock(lockText(thisRun()), 10).stale).toBe(false);
  });
  test('the lock appears whole (written beside it, then linked); staged locks of ended runs go, a live or still-being-written one stays', async () => {
    const dir = await configured('cpu');
    const state = join(dir, '.kg-init');
    const ended = spawnSync(process.execPath, ['-e', '0']).pid!;
    const sleeper = spawn('sleep', ['30']);
    try {
      const staged = {
        ended: 'lock.1-00000001.new',
        live: `lock.${sleeper.pid}-00000002.new`,
        young: 'lock.3-00000003.new',
        old: 'lock.4-00000004.new',
      };
      writeFileSync(join(state, staged.ended), lockText({ ...thisRun(), pid: ended, start: '1' }), { mode: 0o600 });
      writeFileSync(join(state, staged.live), lockText({ ...thisRun(), pid: sleeper.pid!, start: startTimeOf(sleeper.pid!) }), { mode: 0o600 });
      writeFileSync(join(state, staged.young), '', { mode: 0o600 });
      writeFileSync(join(state, staged.old), '', { mode: 0o600 });
      const old = (Date.now() - 10_000) / 1000;
      utimesSync(join(state, staged.old), old, old);

      const steps: string[] = [];
      let atStaged = '';
      const lock = await acquireLock(dir, 0, undefined, (step) => {
        steps.push(step);
        // Staged: the whole text is there, and the lock's name is still free.
        const mine = readdirSync(state).filter((f) => f.startsWith(`lock.${process.pid}-`));
        atStaged = `${mine.length}:${existsSync(join(state, 'lock'))}:${readFileSync(join(state, mine[0]!), 'utf8')}`;
      });
      expect(steps).toEqual(['staged-lock']);
      expect(atStaged).toMatch(new RegExp(`^1:false:pid=${process.pid}\nstart=`));
      expect(judgeLock(readFileSync(lock.path, 'utf8'), 0).stale).toBe(false);
      expect(readFileSync(lock.path, 'utf8')).toBe(atStaged.slice('1:false:'.length));
      // Only the lock's own name is left of this run; the ended run's and the old empty staged files are gone.
      expect(readdirSync(state).filter((f) => f.startsWith('lock')).sort()).toEqual(['lock', staged.live, staged.young].sort());
      expect(statSync(lock.path).nlink).toBe(1);
      await lock.release();
      expect(existsSync(lock.path)).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
