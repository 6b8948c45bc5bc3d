// dist/execa.cjs is execa as the build patches it (scripts/execa-patches.mjs):
// work moved from load time to first use. These run the built file the way
// kg-init does and check that execa still does what it did: describes the
// signal that ended a command, writes its verbose log with its symbols, and
// that loading it no longer builds what kg-init does not use.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';

const EXECA = join(REPO, 'dist', 'execa.cjs');

/** Runs `code` in a fresh Node with `execa` bound to the bundled file; returns its stdout. */
function node(code: string): string {
  const r = spawnSync(process.execPath, ['-e', `const { execa } = require(${JSON.stringify(EXECA)});\n${code}`], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('the bundled execa', () => {
  test('a command ended by a signal is described by name and meaning', () => {
    const out = node(`
      (async () => {
        for (const sig of ['KILL', 'TERM']) {
          const e = await execa('sh', ['-c', 'kill -' + sig + ' $$']).catch((e) => e);
          console.log(JSON.stringify([e.signal, e.signalDescription, e.shortMessage]));
        }
      })();`);
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      ['SIGKILL', 'Forced termination', "Command was killed with SIGKILL (Forced termination): sh -c 'kill -KILL $$'"],
      ['SIGTERM', 'Termination', "Command was killed with SIGTERM (Termination): sh -c 'kill -TERM $$'"],
    ]);
  });

  test('its verbose log still draws its symbols: the command, then a failure marked as one', () => {
    const out = node(`
      (async () => {
        const lines = [];
        await execa('sh', ['-c', 'exit 3'], { reject: false, verbose: (line) => { lines.push(line); } });
        console.log(JSON.stringify(lines));
      })();`);
    const lines = (JSON.parse(out) as string[]).map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    expect(lines[0]).toMatch(/\$ .*sh -c 'exit 3'/);
    // figures' warning sign (⚠, or ‼ where the terminal has no Unicode) for a failure that does not reject.
    expect(lines.some((l) => /[⚠‼].*Command failed with exit code 3/.test(l))).toBe(true);
  });

  test('loading it builds no signal table, asks nothing of the terminal and loads no node:v8; first use does', () => {
    // Counts the signal tables built (human-signals makes its by-name table with Object.fromEntries of signal
    // records) and reads of TERM (figures asking whether the terminal has Unicode).
    const out = spawnSync(
      process.execPath,
      [
        '-e',
        `const reads = { signals: 0, TERM: 0 };
        const fromEntries = Object.fromEntries;
        Object.fromEntries = (entries) => { const all = [...entries]; if (all[0]?.[1]?.description !== undefined) reads.signals++; return fromEntries(all); };
        const env = process.env;
        process.env = new Proxy(env, { get(t, k) { if (k === 'TERM') reads.TERM++; return t[k]; } });
        const { execa } = require(${JSON.stringify(EXECA)});
        const atLoad = { ...reads, v8: process.moduleLoadList.includes('NativeModule v8') };
        (async () => {
          await execa('sh', ['-c', 'kill -TERM $$']).catch((e) => e.signalDescription);
          await execa('true', [], { verbose: () => {} });
          console.log(JSON.stringify({ atLoad, afterUse: reads }));
        })();`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(out.status, out.stderr).toBe(0);
    const { atLoad, afterUse } = JSON.parse(out.stdout) as { atLoad: Record<string, unknown>; afterUse: Record<string, number> };
    expect(atLoad).toEqual({ signals: 0, TERM: 0, v8: false });
    expect(afterUse.signals).toBeGreaterThan(0);
    expect(afterUse.TERM).toBeGreaterThan(0);
  });
});
