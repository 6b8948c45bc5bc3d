// Runs one external command with a hard time bound, through execa: it spawns,
// buffers and caps the output, and tells why a command ended (timedOut,
// isCanceled, isMaxBuffer, exit code, ENOENT). What execa does not do is added
// here. The child leads its own process group, and at the bound or on an abort
// the whole group is killed (a shell script that execs `sleep`, a tool that forks
// helpers), not only the child; and the pipes are let go at the bound, so the
// promise settles then even when a grandchild outside the group keeps them open.
// execa is imported when the first command runs, not at start-up.
import type { execa as execaFn } from 'execa';
import type { RunResult } from './types.js';
import { monotonicMs } from '../util/clock.js';

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_MAX_BYTES = 1 << 20;

export interface SpawnSpec {
  /** What to execute (a path or a bare name looked up on PATH). */
  file: string;
  argv: string[];
  /** Reported in the result: the command as the caller asked for it. */
  command: string;
  args: string[];
  timeoutMs?: number;
  maxBytes?: number;
  cwd?: string;
  /** Aborting kills the process group at once (the person pressed Ctrl+C). */
  signal?: AbortSignal;
  /** timeoutMs may pass DEFAULT_TIMEOUT_MS (up to LONG_TIMEOUT_MS). */
  long?: boolean;
  /** Extra environment variables, on top of this process's. */
  env?: Record<string, string>;
  /** Each chunk of output as it arrives (a pull's progress). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** The bound of a `long` command: an image pull of several GB on a slow line. */
export const LONG_TIMEOUT_MS = 4 * 3600 * 1000;

export function boundedTimeout(ms: number | undefined, long = false): number {
  // Never more than the default: no single tool may hold the probe longer.
  // Only a caller that says `long` (doctor --runtime) may wait longer, still bounded.
  const ceiling = long ? LONG_TIMEOUT_MS : DEFAULT_TIMEOUT_MS;
  if (ms === undefined || !Number.isFinite(ms)) return DEFAULT_TIMEOUT_MS;
  return Math.max(1, Math.min(ceiling, Math.floor(ms)));
}

type Execa = typeof execaFn;
let execaOnce: Promise<Execa> | undefined;
const loadExeca = () => (execaOnce ??= import('execa').then((m) => m.execa));

/** Kills the process group `pid` leads (every process still in it), or the process alone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export async function spawnBounded(spec: SpawnSpec): Promise<RunResult> {
  const timeoutMs = boundedTimeout(spec.timeoutMs, spec.long);
  const maxBytes = spec.maxBytes ?? DEFAULT_MAX_BYTES;
  const started = monotonicMs();
  const base = { command: spec.command, args: spec.args };
  const execa = await loadExeca();
  let child: ReturnType<Execa>;
  try {
    child = execa(spec.file, spec.argv, {
      cwd: spec.cwd,
      detached: true,
      stdin: 'ignore',
      env: { ...spec.env, LC_ALL: 'C', LANG: 'C' },
      timeout: timeoutMs,
      cancelSignal: spec.signal,
      maxBuffer: maxBytes,
      killSignal: 'SIGKILL',
      forceKillAfterDelay: false,
      stripFinalNewline: false,
      reject: false,
      windowsHide: true,
    });
  } catch {
    // Synchronous spawn failures (bad arguments) are reported, never thrown.
    return { status: 'error', exitCode: null, stdout: '', stderr: '', ms: 0, ...base };
  }
  // At the bound or on an abort, execa kills the child; the rest of its group
  // goes too, and the pipes are released whoever holds them.
  const stop = () => {
    killGroup(child.pid);
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  if (spec.onOutput) {
    const on = spec.onOutput;
    child.stdout?.on('data', (d: Buffer | string) => on('stdout', d.toString()));
    child.stderr?.on('data', (d: Buffer | string) => on('stderr', d.toString()));
  }
  const timer = setTimeout(stop, timeoutMs);
  if (spec.signal?.aborted) stop();
  else spec.signal?.addEventListener('abort', stop, { once: true });
  const r = await child;
  clearTimeout(timer);
  spec.signal?.removeEventListener('abort', stop);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const out = {
    exitCode: r.exitCode ?? null,
    stdout: text(r.stdout),
    stderr: text(r.stderr),
    ms: Math.round(monotonicMs() - started),
    ...base,
  };
  if (r.isCanceled) return { ...out, status: 'error', exitCode: null, stderr: out.stderr + 'aborted' };
  if (r.timedOut) return { ...out, status: 'timeout', exitCode: null };
  // Stopped at the cap: what it printed so far, marked incomplete.
  if (r.isMaxBuffer) return { ...out, status: 'exit', exitCode: null, truncated: true };
  if (r.failed && r.exitCode === undefined && r.signal === undefined) {
    return { ...out, status: (r as { code?: string }).code === 'ENOENT' ? 'missing' : 'error' };
  }
  return { ...out, status: r.exitCode === 0 ? 'ok' : 'exit' };
}
