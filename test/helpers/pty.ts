// Runs the BUILT CLI in a real pseudo-terminal (node-pty) and keeps what a
// person would see in a headless xterm (@xterm/headless), plus the raw bytes.
// Waits are on predicates over the screen (or on the output going quiet,
// for a frame that must be read whole), never on fixed delays.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { BIN, REPO } from './cli.js';
import { waitFor } from './wait.js';

const require = createRequire(import.meta.url);

type PtyModule = typeof import('node-pty');
type XtermModule = typeof import('@xterm/headless');

function load(): { pty: PtyModule; xterm: XtermModule } | null {
  try {
    const pty = require('node-pty') as PtyModule;
    const xterm = require('@xterm/headless') as XtermModule;
    // Loading the module does not prove the native part works: spawn once.
    const p = pty.spawn(process.execPath, ['-e', '0'], { cols: 20, rows: 5 });
    p.kill();
    return { pty, xterm };
  } catch {
    return null;
  }
}

const mods = load();
/** Whether a pseudo-terminal can be made here. */
export const PTY_AVAILABLE = mods !== null;

export interface PtyRun {
  /** The program's process id (to send it a signal from outside the terminal). */
  pid: number;
  /** Every byte the program wrote, as text. */
  raw(): string;
  /** The rows of the visible screen, right-trimmed. */
  screen(): string[];
  /** The visible screen as one string. */
  text(): string;
  /** Rows in the terminal's buffer, scrollback included (rows when nothing scrolled off). */
  bufferLength(): number;
  /**
   * The whole buffer (scrollback included) as the lines the program wrote:
   * rows the terminal wrapped are joined back, so a long command printed on
   * one line is one entry, and a line broken by the program is two.
   */
  logicalLines(): string[];
  write(keys: string): void;
  resize(cols: number, rows: number): void;
  /** Waits until the screen shows `what`. */
  until(what: string | RegExp | (() => boolean), timeoutMs?: number): Promise<void>;
  /**
   * Waits until the program has written nothing for `quietMs` and the terminal
   * has parsed all of it: a frame read then is whole, not half repainted.
   */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once the program has ended and its output is parsed. */
  exit(): Promise<number>;
  kill(): void;
}

export const KEY = { enter: '\r', up: '\u001b[A', down: '\u001b[B', esc: '\u001b', ctrlC: '\u0003' } as const;

export function spawnPty(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cols?: number; rows?: number; cwd?: string; command?: [string, string[]] } = {},
): PtyRun {
  if (!mods) throw new Error('node-pty is not usable here');
  if (!existsSync(new URL('../../dist/cli.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const cols = opts.cols ?? 80;
  const rows = opts.rows ?? 24;
  const env: Record<string, string> = {};
  const base = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm-256color', ...opts.env };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const term = new mods.xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  const [file, argv] = opts.command ?? [process.execPath, [BIN, ...args]];
  // node-pty sets TERM from `name`: give it the test's TERM (TERM=dumb must reach the program).
  const child = mods.pty.spawn(file, argv, { name: env.TERM ?? 'xterm-256color', cols, rows, cwd: opts.cwd ?? REPO, env });
  let raw = '';
  let pending = 0;
  let lastData = Date.now();
  let code: number | null = null;
  child.onData((d) => {
    raw += d;
    lastData = Date.now();
    pending++;
    term.write(d, () => pending--);
  });
  child.onExit((e) => {
    code = e.signal ? 128 + e.signal : e.exitCode;
  });
  const screen = (): string[] => {
    const b = term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < rows; i++) out.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
    return out;
  };
  const run: PtyRun = {
    pid: child.pid,
    raw: () => raw,
    screen,
    text: () => screen().join('\n'),
    bufferLength: () => term.buffer.active.length,
    logicalLines: () => {
      const b = term.buffer.active;
      const out: string[] = [];
      for (let i = 0; i < b.length; i++) {
        const line = b.getLine(i);
        if (!line) continue;
        const text = line.translateToString(true);
        if (line.isWrapped && out.length) out[out.length - 1] = out[out.length - 1]!.padEnd(cols) + text;
        else out.push(text);
      }
      return out;
    },
    write: (keys) => child.write(keys),
    resize: (c, r) => {
      child.resize(c, r);
      term.resize(c, r);
    },
    until: (what, timeoutMs = 20_000) => {
      const pred =
        typeof what === 'function' ? what : () => pending === 0 && (typeof what === 'string' ? run.text().includes(what) : what.test(run.text()));
      return waitFor(pred, () => `waiting for ${String(what)}; screen:\n${run.text()}`, timeoutMs);
    },
    settle: (quietMs = 200, timeoutMs = 20_000) =>
      waitFor(() => pending === 0 && Date.now() - lastData >= quietMs, () => `waiting for the screen to settle; screen:\n${run.text()}`, timeoutMs),
    exit: async () => {
      await waitFor(() => code !== null && pending === 0, () => `waiting for exit; screen:\n${run.text()}`, 20_000);
      return code!;
    },
    kill: () => {
      try {
        child.kill();
      } catch {
        // already gone
      }
    },
  };
  return run;
}
