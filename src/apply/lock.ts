// One kg-init per install directory: .kg-init/lock holds the pid and start
// time of the run that owns it. A lock whose pid is gone (a killed run) is
// recovered; a live one is waited on briefly, then reported.
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_DIR } from '../catalog.js';
import { describeFsError, EXIT, KgInitError } from '../errors.js';

export interface Lock {
  path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Holder {
  pid: number | null;
  stale: boolean;
  /** The inode read, so that only that very file is removed as stale. */
  ino: number | null;
}

async function holder(path: string): Promise<Holder> {
  // Content and age from one open file: a lock released and taken again by
  // another run between a read and a stat must never pass for a stale one.
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return { pid: null, stale: false, ino: null }; // absent, or gone meanwhile: try again
  }
  try {
    const st = await fh.stat();
    const text = await fh.readFile('utf8');
    const pid = Number(/^pid=(\d+)/m.exec(text)?.[1] ?? NaN);
    if (Number.isInteger(pid) && pid > 0) return { pid, stale: !alive(pid), ino: st.ino };
    // Empty or torn (killed while writing it): stale once it is not brand new.
    return { pid: null, stale: Date.now() - st.mtimeMs > 2000, ino: st.ino };
  } finally {
    await fh.close();
  }
}

/** Removes the stale lock judged by `h`, and nothing else: not a lock another run has taken since. */
async function removeStale(path: string, h: Holder): Promise<void> {
  try {
    if ((await stat(path)).ino === h.ino) await rm(path, { force: true });
  } catch {
    // already gone
  }
}

export async function acquireLock(dir: string, waitMs = 3000, signal?: AbortSignal): Promise<Lock> {
  const path = join(dir, STATE_DIR, 'lock');
  const deadline = Date.now() + waitMs;
  for (;;) {
    // Taken synchronously, like the writes it guards (see apply.ts); only the
    // wait for another run sleeps asynchronously.
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, `pid=${process.pid}\nstarted=${new Date().toISOString()}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return { path, release: async () => rmSync(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new KgInitError(`cannot lock the install directory: ${describeFsError(e, path)}`, 1);
    }
    const h = await holder(path);
    if (h.stale) {
      await removeStale(path, h);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new KgInitError(
        `another kg-init is running in ${dir}${h.pid ? ` (pid ${h.pid})` : ''}`,
        1,
        `Wait for it to finish and run kg-init again (if none is running, remove ${path}).`,
      );
    }
    if (signal?.aborted) throw new KgInitError('cancelled; nothing was changed', EXIT.cancelled);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Removes a lock left by a run that was killed (its pid is gone); a live one is left alone. */
export async function clearStaleLock(dir: string): Promise<void> {
  const path = join(dir, STATE_DIR, 'lock');
  const h = await holder(path);
  if (h.stale) await removeStale(path, h);
}
