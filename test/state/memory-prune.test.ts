// The per-user re-init memory stays small however many directories a user has
// configured: entries for directories that no longer exist are dropped, and at
// most MAX_REMEMBERED (the most recent) are kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REMEMBERED, memoryFor, memoryStorePath, pruneInstalls, readMemory, recordInstall } from '../../src/state/memory.js';
import { nvidiaReport } from '../helpers/doctor-fixtures.js';

const entry = (dir: string, at: string) => ({
  schemaVersion: 1, dir, gpus: [], mode: 'cpu', imageTag: 'latest', at, kgInitVersion: '0.1.0',
});

describe('user store pruning', () => {
  let tmp: string;
  let env: Record<string, string>;
  let store: string;
  beforeEach(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kg-prune-'));
    env = { KG_INIT_CONFIG_DIR: join(tmp, 'config') };
    store = await memoryStorePath(env);
    mkdirSync(join(tmp, 'config'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('20,000 entries for directories that are gone: the next install leaves only the directories that exist', async () => {
    const installs: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) installs[join(tmp, 'gone', String(i))] = entry(join(tmp, 'gone', String(i)), '2025-01-01T00:00:00.000Z');
    const kept = join(tmp, 'kept');
    mkdirSync(kept);
    installs[kept] = entry(kept, '2024-01-01T00:00:00.000Z');
    writeFileSync(store, JSON.stringify({ installs }));

    const dir = join(tmp, 'new');
    mkdirSync(dir);
    expect(await recordInstall(memoryFor(dir, nvidiaReport(), { mode: 'nvidia', imageTag: 'latest' }, { now: new Date(), version: '0.1.0' }), env)).toBeNull();
    const after = JSON.parse(readFileSync(store, 'utf8')).installs;
    expect(Object.keys(after).sort()).toEqual([dir, kept].sort());
    expect((await readMemory(kept, env))?.at).toBe('2024-01-01T00:00:00.000Z');
    expect(statSync(store).mode & 0o777).toBe(0o600);
  });

  it(`at most ${MAX_REMEMBERED} kept: the most recently configured, and always the install just made`, async () => {
    const installs: Record<string, unknown> = {};
    for (let i = 0; i < 1200; i++) {
      const d = join(tmp, 'd', String(i));
      mkdirSync(d, { recursive: true });
      // Written in no particular order of time.
      const minute = (i * 7) % 1200;
      installs[d] = entry(d, new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString());
    }
    writeFileSync(store, JSON.stringify({ installs }));
    const dir = join(tmp, 'now');
    mkdirSync(dir);
    // An install whose clock is behind every entry is still the one kept.
    await recordInstall(memoryFor(dir, nvidiaReport(), { mode: 'nvidia', imageTag: 'latest' }, { now: new Date('2020-01-01T00:00:00Z'), version: '0.1.0' }), env);
    const after = JSON.parse(readFileSync(store, 'utf8')).installs as Record<string, { at: string }>;
    expect(Object.keys(after)).toHaveLength(MAX_REMEMBERED);
    expect(after[dir]).toBeDefined();
    const oldestKept = Object.values(after).filter((e) => e.at > '2021').map((e) => e.at).sort()[0];
    // The 999 newest of the 1,200: minutes 201..1199.
    expect(oldestKept).toBe(new Date(Date.UTC(2026, 0, 1, 0, 201)).toISOString());
  });

  it('pruneInstalls keeps what exists, newest first', () => {
    const exists = (d: string) => !d.includes('gone');
    const r = pruneInstalls({ '/a': entry('/a', '2026-01-01'), '/gone': entry('/gone', '2027-01-01'), '/b': entry('/b', '2026-06-01'), '/c': { junk: true } }, 2, exists);
    expect(Object.keys(r)).toEqual(['/b', '/a']);
  });
});
