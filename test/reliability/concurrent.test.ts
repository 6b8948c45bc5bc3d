// Six kg-init runs at once into one directory, mixed modes. One lock per
// directory: each run either succeeds in turn or exits 1 with a clear message;
// at the end the directory holds one whole, consistent outcome, never a torn
// file, no temp file and no lock.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mode } from '../../src/catalog.js';
import { amdReport, makeReport } from '../helpers/report.js';
import { configAndOverlayAgree, isOldOrNew, keepsLinesInOrder, lockHeld, startCli, tempFiles } from './support.js';

const FOREIGN = ['# shared by six runs', 'export POSTGRES_PORT=5433 # keep', 'case "$X" in a) Y=1;; esac'];

let root: string;
let reports: Record<'amd' | 'nvidia' | 'cpu', string>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-race-'));
  const write = (name: string, r: unknown) => {
    const p = join(root, `${name}.json`);
    writeFileSync(p, JSON.stringify(r));
    return p;
  };
  reports = { amd: write('amd', amdReport()), nvidia: write('nvidia', makeReport({ recommend: 'nvidia' })), cpu: write('cpu', makeReport({ recommend: 'cpu' })) };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RUNNERS: Array<{ args: string[]; report: keyof typeof reports; mode: Mode }> = [
  { args: [], report: 'amd', mode: 'amd-host' },
  { args: [], report: 'nvidia', mode: 'nvidia' },
  { args: ['--gpu', 'cpu'], report: 'amd', mode: 'cpu' },
  { args: ['--gpu', 'nvidia', '--force'], report: 'cpu', mode: 'nvidia' },
  { args: ['--gpu', 'amd-host', '--json'], report: 'amd', mode: 'amd-host' },
  { args: [], report: 'cpu', mode: 'cpu' },
];

describe('six runs at once into one directory', () => {
  test.each([1, 2, 3])('round %i: one whole, consistent outcome; the others succeed in turn or exit 1 saying why', { timeout: 60_000 }, async (round) => {
    const dir = join(root, `round-${round}`);
    mkdirSync(dir);
    const initial = `${FOREIGN.join('\n')}\n`;
    writeFileSync(join(dir, '.operator.conf'), initial);
    // Rotate who starts first from round to round.
    const order = RUNNERS.map((_, i) => RUNNERS[(i + round) % RUNNERS.length]!);
    const results = await Promise.all(order.map((r) => startCli(['--yes', '-C', dir, ...r.args], { KG_INIT_REPORT: reports[r.report] }).done));

    const winners: Mode[] = [];
    results.forEach((r, i) => {
      expect([0, 1], r.stderr).toContain(r.code);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      if (r.code === 0) winners.push(order[i]!.mode);
      else expect(r.stderr).toMatch(/another kg-init is running in .*\n.*Wait for it to finish/);
    });
    expect(winners.length).toBeGreaterThan(0);

    const conf = readFileSync(join(dir, '.operator.conf'), 'utf8');
    const mode = configAndOverlayAgree(dir);
    expect(winners).toContain(mode);
    expect(isOldOrNew(conf, initial.replace(/\n$/, '\n'), mode)).toBe('new');
    expect(keepsLinesInOrder(conf, FOREIGN)).toBe(true);
    expect(tempFiles(dir)).toEqual([]);
    expect(lockHeld(dir)).toBe(false);
  });
});
