// Runs one external command with a hard time bound. The child leads its own
// process group so that a timeout kills everything it started (a shell script
// that execs `sleep`, a tool that forks helpers), and the promise settles at the
// bound even when a grandchild keeps the pipes open.
import { spawn } from 'node:child_process';
import type { RunResult } from './types.js';

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
}

export function boundedTimeout(ms: number | undefined): number {
  // Never more than the default: no single tool may hold the probe longer.
  if (ms === undefined || !Number.isFinite(ms)) return DEFAULT_TIMEOUT_MS;
  return Math.max(1, Math.min(DEFAULT_TIMEOUT_MS, Math.floor(ms)));
}

export function spawnBounded(spec: SpawnSpec): Promise<RunResult> {
  const timeoutMs = boundedTimeout(spec.timeoutMs);
  const maxBytes = spec.maxBytes ?? DEFAULT_MAX_BYTES;
  const started = performance.now();
  return new Promise<RunResult>((resolve) => {
    let settled = false;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    const finish = (status: RunResult['status'], exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      resolve({
        status,
        exitCode,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Math.round(performance.now() - started),
        command: spec.command,
        args: spec.args,
        ...(outLen > maxBytes || errLen > maxBytes ? { truncated: true } : {}),
      });
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(spec.file, spec.argv, {
        cwd: spec.cwd,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
        windowsHide: true,
      });
    } catch {
      // Synchronous spawn failures (bad arguments) are reported, never thrown.
      resolve({ status: 'error', exitCode: null, stdout: '', stderr: '', ms: 0, command: spec.command, args: spec.args });
      return;
    }
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        try {
          child.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }
    };
    const onAbort = () => {
      killGroup();
      child.stdout?.destroy();
      child.stderr?.destroy();
      err.push(Buffer.from('aborted'));
      finish('error', null);
    };
    if (spec.signal?.aborted) queueMicrotask(onAbort);
    else spec.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      killGroup();
      // A grandchild outside the group could hold the pipes open: let go of them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish('timeout', null);
    }, timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      if (outLen < maxBytes) out.push(d.subarray(0, maxBytes - outLen));
      outLen += d.length;
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (errLen < maxBytes) err.push(d.subarray(0, maxBytes - errLen));
      errLen += d.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(e.code === 'ENOENT' ? 'missing' : 'error', null);
    });
    child.on('close', (code, signal) => {
      if (signal && code === null) finish('exit', null);
      else finish(code === 0 ? 'ok' : 'exit', code);
    });
  });
}
