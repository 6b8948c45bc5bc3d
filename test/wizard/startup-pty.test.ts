// The wizard's start-up in a real pseudo-terminal (built CLI, replayed AMD
// host): the probe screen is painted by hand before Ink loads (the first
// frame, the checks, the recommendation), and Ink takes it over. What a person
// notices: Ctrl+C at any moment of that start-up leaves one clean "cancelled"
// line (no half frame, no ^C, the cursor back, the terminal out of raw mode,
// exit 130, nothing written); a frame is not erased only to be drawn again the
// same (a flicker in tmux); the recommendation is there before Ink is; and no
// key typed meanwhile is lost.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolsRequired } from '../helpers/cli.js';
import { KEY, PTY_AVAILABLE, spawnPty, type PtyRun } from '../helpers/pty.js';
import { waitFor } from '../helpers/wait.js';

const HOST = 'test/hosts/amd-7900xtx-igpu-arch';
/** Erase in line or in display, in any of their forms. */
const ERASE = /\u001b\[[0-2]?[JK]/;
/** Escape sequences (CSI, with private modes) and charset switches. */
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]/g;
/** The line a cancelled start-up leaves, whichever part of kg-init took the Ctrl+C. */
const CANCELLED = 'kg-init: cancelled; nothing was written.';

let dir: string;
let runs: PtyRun[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-startup-'));
});
afterEach(() => {
  for (const r of runs) r.kill();
  runs = [];
  rmSync(dir, { recursive: true, force: true });
});

function wizard(args: string[] = [], env: Record<string, string | undefined> = {}, size: { cols?: number; rows?: number } = {}): PtyRun {
  const r = spawnPty(['--dir', dir, ...args], { env: { KG_INIT_HOST_SNAPSHOT: HOST, ...env }, ...size });
  runs.push(r);
  return r;
}

const strip = (s: string) => s.replace(ESCAPES, '');
const count = (s: string, what: string) => s.split(what).length - 1;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The hand-painted frame is on screen (and the terminal is raw: it is put so before painting). */
const framePainted = (r: PtyRun) => r.until('Ctrl+C cancel');
/** The probe's first result is on screen (painted by hand, or by Ink). */
const checksShown = (r: PtyRun) => r.until('Operating system');
/**
 * Ink is up: it answers a key, which only it does (a key typed before is held
 * for it). `?` opens the key list, any other key of the wizard closes it again.
 */
async function inkUp(r: PtyRun) {
  await r.until('Recommended:');
  r.write('?');
  await r.until('these keys; any key closes them');
  r.write('j');
  await r.until('Recommended:');
}

/**
 * After Ctrl+C or SIGINT: exit 130, nothing written, and on screen one line
 * that says so and nothing else: no row of the frame, no ^C, the cursor shown,
 * no synchronized update left open. `raw`: the terminal was raw when the key
 * came, so the terminal never echoed ^C at all.
 */
async function expectCleanCancel(r: PtyRun, opts: { raw: boolean }) {
  expect(await r.exit()).toBe(130);
  expect(readdirSync(dir)).toEqual([]);
  const rows = r.screen().filter((l) => l.trim() !== '');
  expect(rows, r.text()).toHaveLength(1);
  expect(rows[0]).toBe(CANCELLED);
  const raw = r.raw();
  if (opts.raw) expect(raw).not.toContain('^C');
  expect(count(raw, '\u001b[?2026h')).toBe(count(raw, '\u001b[?2026l'));
  expect(raw.lastIndexOf('\u001b[?25h')).toBeGreaterThan(raw.lastIndexOf('\u001b[?25l'));
  // The cancelled line comes last: nothing is drawn after it.
  expect(strip(raw.slice(raw.lastIndexOf(CANCELLED))).trim()).toBe(CANCELLED);
}

describe.skipIf(!PTY_AVAILABLE && !toolsRequired())('Ctrl+C while the wizard starts (built CLI, pseudo-terminal)', () => {
  it('as soon as the process runs (Node still starting): one clean line, or (before any kg-init code ran) nothing of kg-init at all', async () => {
    const r = wizard();
    // Written before the child has the terminal, the key would reach no process at all: wait for the exec.
    await waitFor(() => {
      try {
        return readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').includes('kg-init.js');
      } catch {
        return !existsSync('/proc/self');
      }
    });
    r.write(KEY.ctrlC);
    expect(await r.exit()).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
    if (!r.raw().includes('cancelled')) {
      // Killed by the signal before any kg-init code ran: the terminal's own echo is all there is, no frame.
      expect(strip(r.raw()).replace(/\^C|\s/g, '')).toBe('');
      return;
    }
    const rows = r.screen().filter((l) => l.trim() !== '');
    expect(rows, r.text()).toHaveLength(1);
    expect(rows[0]).toBe(CANCELLED);
  });

  const points: Array<[string, (r: PtyRun) => Promise<void>]> = [
    ['as soon as the first frame is on screen (Ink not loaded)', framePainted],
    ...[30, 100, 250].map((ms): [string, (r: PtyRun) => Promise<void>] => [`${ms} ms after the first frame (probing, or Ink loading)`, async (r) => {
      await framePainted(r);
      await pause(ms);
    }]),
    ['once the checks are on screen', checksShown],
    ['once Ink is up (it has answered a key)', inkUp],
  ];
  for (const [when, reach] of points) {
    it(`Ctrl+C ${when}: one clean line, exit 130`, async () => {
      const r = wizard();
      await reach(r);
      r.write(KEY.ctrlC);
      await expectCleanCancel(r, { raw: true });
    });
    it(`SIGINT from outside ${when}: the same`, async () => {
      const r = wizard();
      await reach(r);
      process.kill(r.pid, 'SIGINT');
      await expectCleanCancel(r, { raw: true });
    });
  }

  it('--plain: the same clean line', async () => {
    const r = wizard(['--plain']);
    await framePainted(r);
    r.write(KEY.ctrlC);
    expect(await r.exit()).toBe(130);
    const rows = r.screen().filter((l) => l.trim() !== '');
    expect(rows, r.text()).toEqual([CANCELLED]);
  });

  it('keys typed before Ink is up are not lost: Enter and Enter reach the mode list, then q leaves', async () => {
    const r = wizard();
    await framePainted(r);
    r.write('?');
    await r.until('these keys; any key closes them');
    r.write('q');
    await r.until('Recommended:');
    r.write('q');
    expect(await r.exit()).toBe(130);
  });
});

describe.skipIf(!PTY_AVAILABLE && !toolsRequired())('the first frame is drawn once (built CLI, pseudo-terminal)', () => {
  for (const [name, args, env, size] of [
    ['80×24', [], {}, { cols: 80, rows: 24 }],
    ['100×30', [], {}, { cols: 100, rows: 30 }],
    ['60×15', [], {}, { cols: 60, rows: 15 }],
    ['--plain', ['--plain'], {}, { cols: 80, rows: 24 }],
    ['NO_COLOR', [], { NO_COLOR: '1' }, { cols: 80, rows: 24 }],
  ] as const) {
    it(`${name}: nothing is erased or drawn again between the first frame and the first change of content`, async () => {
      const r = wizard([...args], { ...env }, size);
      await checksShown(r);
      r.write('q');
      expect(await r.exit()).toBe(130);
      const raw = r.raw();
      // The hand-painted frame, whole, once, with nothing erased before it.
      const end = raw.indexOf('Ctrl+C cancel') + 'Ctrl+C cancel'.length;
      expect(end).toBeGreaterThan('Ctrl+C cancel'.length);
      expect(raw.slice(0, end)).not.toMatch(ERASE);
      expect(strip(raw.slice(0, end))).toMatch(/^kg-init \S+.*1\/4 host.*probing this host/);
      // The first change of content: the probe's first result, or the spinner's next glyph.
      const firstAfter = (what: string) => (raw.indexOf(what, end) === -1 ? Infinity : raw.indexOf(what, end));
      const change = Math.min(firstAfter('Operating system'), ...[...'⠙⠹⠸⠼⠴⠦⠧⠇⠏'].map(firstAfter));
      expect(change).toBeGreaterThan(end);
      expect(change).toBeLessThan(Infinity);
      const gap = raw.slice(end, change);
      // What lies between is the write that brings the change: no row of the first frame is
      // written again first, and nothing is erased after anything has been written.
      const tokens = gap.match(/\u001b\[[0-9;?]*[A-Za-z]|[\s\S]/g) ?? [];
      const firstText = tokens.findIndex((t) => !t.startsWith('\u001b') && t.trim() !== '');
      const afterText = firstText === -1 ? '' : tokens.slice(firstText).join('');
      expect(afterText).not.toMatch(ERASE);
      expect(count(gap, '1/4 host')).toBeLessThanOrEqual(1);
    });
  }
});

/**
 * The probe's results and the recommendation are painted by hand as soon as
 * the probe is done, before Ink has loaded: a preload (test/helpers/hold-ink.mjs,
 * Node's module hooks) holds Ink's chunk until the test lets it load, so the
 * screen is read while Ink is surely not up. Ink then takes the frame over
 * without drawing it again, and the keys typed meanwhile reach it.
 */
describe.skipIf(!PTY_AVAILABLE && !toolsRequired())('the recommendation is on screen before Ink has loaded (built CLI, pseudo-terminal)', () => {
  let gateDir: string;
  beforeEach(() => {
    gateDir = mkdtempSync(join(tmpdir(), 'kg-ink-gate-'));
  });
  afterEach(() => rmSync(gateDir, { recursive: true, force: true }));

  const HOLD_INK = fileURLToPath(new URL('../helpers/hold-ink.mjs', import.meta.url));
  /** The wizard with Ink's load held until `letInkLoad()`. */
  function heldWizard(args: string[], env: Record<string, string>, size: { cols: number; rows: number }) {
    const gate = join(gateDir, 'go');
    const r = wizard(args, { ...env, NODE_OPTIONS: `--import=${pathToFileURL(HOLD_INK).href}`, KG_TEST_INK_GATE: gate }, size);
    return { r, letInkLoad: () => writeFileSync(gate, '') };
  }

  for (const [name, args, env, size] of [
    ['80×24', [], {}, { cols: 80, rows: 24 }],
    ['60×15', [], {}, { cols: 60, rows: 15 }],
    ['--plain', ['--plain'], {}, { cols: 80, rows: 24 }],
    ['NO_COLOR', [], { NO_COLOR: '1' }, { cols: 80, rows: 24 }],
  ] as const) {
    it(`${name}: the checks and the recommendation painted whole; Ink takes them over without erasing or drawing them again, and Enter typed before it loaded reaches it`, async () => {
      const { r, letInkLoad } = heldWizard([...args], { ...env }, size);
      await r.until('Enter choose a mode', 10_000);
      // Rows the screen wrapped read as one.
      const text = r.text().replace(/\s+/g, ' ');
      expect(text).toMatch(/kg-init \S+.*1\/4 host.*what this host has/);
      expect(text).toContain('Recommended: amd-host (image rocm72-host)');
      expect(text).toMatch(/No \.operator\.conf in \S+ yet/);
      expect(text).toMatch(args.length ? /Operating system: ok/ : /✓ Operating system/);
      expect(text).not.toMatch(/probing this host|checking|running/);
      // The frame fits: nothing scrolled off, the title on top.
      expect(r.bufferLength()).toBe(size.rows);
      expect(r.screen()[0]).toMatch(/^kg-init/);
      const painted = r.raw().length;
      // Typed while Ink is still held: kept for it.
      r.write(KEY.enter);
      letInkLoad();
      await r.until('choose a GPU mode');
      r.write('q');
      expect(await r.exit()).toBe(130);
      expect(readdirSync(dir)).toEqual([]);
      const raw = r.raw();
      // Drawn once: the recommendation and the probe screen's title are not written again by Ink.
      expect(count(raw, 'Recommended:')).toBe(1);
      const gap = raw.slice(painted, raw.indexOf('choose a GPU mode'));
      expect(count(gap, '1/4 host')).toBe(0);
      // Between the painted frame and the mode screen, only the write that brings the mode screen:
      // nothing erased after anything has been written.
      const tokens = gap.match(/\u001b\[[0-9;?]*[A-Za-z]|[\s\S]/g) ?? [];
      const firstText = tokens.findIndex((t) => !t.startsWith('\u001b') && t.trim() !== '');
      expect(firstText).toBeGreaterThan(-1);
      expect(tokens.slice(firstText).join('')).not.toMatch(ERASE);
    });
  }

  it('Ctrl+C while the recommendation is on screen and Ink not loaded: one clean line, exit 130', async () => {
    const { r } = heldWizard([], {}, { cols: 80, rows: 24 });
    await r.until('Recommended:', 10_000);
    r.write(KEY.ctrlC);
    await expectCleanCancel(r, { raw: true });
  });
});
