// Applies a Plan as one transaction. Order matters for a kill -9 at any point:
//   1. lock the install directory; check nothing changed since the plan was made
//   2. back up every file that will be replaced or removed (.kg-init/backups/<time>/)
//   3. write the compose files (temp file in the same directory, fsync, rename)
//   4. write .operator.conf the same way: this rename is the commit point
//   5. remove generated overlays of other modes
// Before 4 the config still names the old mode and the old overlay is still in
// place; after 4 it names the new mode, whose overlay is already written. The
// platform picks the overlay from GPU_MODE, so config and overlays agree at
// every step. A failure or Ctrl-C before the commit point restores the
// compose files written so far from the backups.
//
// The file work under the lock is synchronous: a few small files in one local
// directory, where each fs.promises call is a round trip through libuv's
// thread pool (a readFile alone is four) and the sixty-odd of them cost a
// headless run about a tenth of its time; the same calls made synchronously
// take a fraction of that. Only waiting for another run's lock stays
// asynchronous (it sleeps, and Ctrl-C must reach it). A Ctrl-C that arrives
// during the few milliseconds of writing takes effect once they are done.
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { OPERATOR_CONF_FILE, STATE_DIR } from '../catalog.js';
import { describeFsError, EXIT, KgInitError } from '../errors.js';
import type { ApplyResult, FileChange, Plan } from '../plan/types.js';
import { acquireLock, clearStaleLock } from './lock.js';
import { decodeConf } from '../conf/decode.js';
import { STATE_FILE } from '../state/memory.js';
import { ensureDirSync, pathExists } from '../util/ensure-dir.js';

export interface ApplyOptions {
  /** Aborting before the commit point rolls back and ends with exit 130. */
  signal?: AbortSignal;
  /** How long to wait for another kg-init's lock (default 3000 ms). */
  lockWaitMs?: number;
  /**
   * Called at each step boundary ('locked', 'backed-up', 'wrote:<path>',
   * 'committed', 'removed:<path>'); the crash tests kill the process here.
   */
  onStep?: (step: string) => void;
  /**
   * Makes the plan again from what the directory holds now. Called under the
   * lock when the files changed since the plan was made (another kg-init
   * finished first): runs started together then succeed in turn instead of
   * failing. Without it, a stale plan is an error.
   */
  replan?: () => Promise<Plan>;
  /**
   * Fault injection for the reliability tests (KG_INIT_FAULT_WRITE): the
   * errno code a write to this path fails with after half of it is written
   * (ENOSPC, EIO...), or null to write normally.
   */
  writeFault?: (path: string) => string | null;
}

const TMP_RE = /^\..+\.kg-init-\d+-[0-9a-f]+\.tmp$/;

function fsyncPath(path: string, flags: number = constants.O_RDONLY): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    fsyncPath(dir);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  }
}

/** Writes all of bytes to fd (writeSync may write less than asked). */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** Writes text to path atomically: temp file beside it, fsync, rename over it. */
function atomicWrite(path: string, text: string | Buffer, fault: string | null = null): void {
  let mode = 0o644;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    // new file
  }
  // Unique enough beside the pid ('wx' refuses a name that exists); not
  // node:crypto, whose load alone costs a headless run more than its writes.
  const tag = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  const tmp = join(dirname(path), `.${basename(path)}.kg-init-${process.pid}-${tag}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      const bytes = typeof text === 'string' ? Buffer.from(text) : text;
      if (fault) {
        writeAll(fd, bytes.subarray(0, bytes.length >> 1));
        throw Object.assign(new Error(`${fault}: injected write fault`), { code: fault });
      }
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(path));
}

/** Where a change is written: a symlinked .operator.conf is written at its target. */
function targetOf(dir: string, change: FileChange): string {
  const path = join(dir, change.path);
  try {
    if (lstatSync(path).isSymbolicLink()) return realpathSync(path);
  } catch {
    // absent: written at its own path
  }
  return path;
}

function currentText(path: string): string | null {
  try {
    // Decoded the way readInstall decodes it, so the comparison with the plan is exact.
    const bytes = readFileSync(path);
    return decodeConf(bytes).text ?? bytes.toString('latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function fsError(e: unknown, path: string): KgInitError {
  return e instanceof KgInitError ? e : new KgInitError(`cannot write: ${describeFsError(e, path)}`, EXIT.failure, 'Nothing was changed. Check the directory\'s permissions and free space, then run kg-init again.');
}

function cancelled(): KgInitError {
  return new KgInitError('cancelled; nothing was changed', EXIT.cancelled);
}

export async function applyPlan(plan: Plan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  let files = plan.files.map(({ path, action }) => ({ path, action }));
  if (plan.refused) {
    throw new KgInitError(`GPU mode ${plan.mode} is blocked on this host; nothing was written`, EXIT.blocked, 'Pass --force to write it anyway.');
  }
  if (!plan.changed) {
    // Nothing to write; only tidy up after a run killed after its last write.
    await clearStaleLock(plan.dir).catch(() => {});
    return { changed: false, files, backups: [] };
  }
  if (opts.signal?.aborted) throw cancelled();

  const dir = plan.dir;
  try {
    ensureDirSync(join(dir, STATE_DIR));
  } catch (e) {
    throw fsError(e, dir);
  }
  const lock = await acquireLock(dir, opts.lockWaitMs, opts.signal);
  const step = opts.onStep ?? (() => {});
  const written: Array<{ target: string; backup: string | null }> = [];
  let committed = false;
  try {
    // Leftovers of a run killed mid-write; safe to remove while we hold the lock.
    for (const name of readdirSync(dir)) if (TMP_RE.test(name)) rmSync(join(dir, name), { force: true });

    let targets = staleFiles(plan);
    if (targets.stale && opts.replan) {
      // Another run committed while we waited for the lock: plan again from
      // what it left, still under the lock.
      plan = await opts.replan();
      files = plan.files.map(({ path, action }) => ({ path, action }));
      if (plan.refused) {
        throw new KgInitError(`GPU mode ${plan.mode} is blocked on this host; nothing was written`, EXIT.blocked, 'Pass --force to write it anyway.');
      }
      if (!plan.changed) return { changed: false, files, backups: [] };
      targets = staleFiles(plan);
    }
    if (targets.stale) {
      throw new KgInitError(`${join(dir, targets.stale)} changed while kg-init was running; nothing was changed`, EXIT.failure, 'Run kg-init again.');
    }
    const targetPath = (p: string) => targets.of.get(p)!;

    step('locked');
    // 2. Backups of everything replaced or removed, before any write.
    const backups: string[] = [];
    const toBackUp = plan.files.filter((c) => c.action === 'update' || c.action === 'remove');
    const backupOf = new Map<string, string>();
    if (toBackUp.length) {
      const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, ''); // 20260101T120000Z
      let bdir = join(dir, STATE_DIR, 'backups', stamp);
      for (let n = 2; pathExists(bdir); n++) bdir = join(dir, STATE_DIR, 'backups', `${stamp}-${n}`);
      try {
        ensureDirSync(bdir);
        for (const c of toBackUp) {
          const dest = join(bdir, c.path);
          copyFileSync(targetPath(c.path), dest, constants.COPYFILE_EXCL);
          fsyncPath(dest);
          backupOf.set(c.path, dest);
          backups.push(relative(dir, dest));
        }
        fsyncDir(bdir);
      } catch (e) {
        // A backup cut short (disk full) must not pass for a good one.
        try {
          rmSync(bdir, { recursive: true, force: true });
        } catch {
          // best effort
        }
        throw fsError(e, bdir);
      }
    }

    step('backed-up');
    // 3 and 4. Compose files, then the config as the commit point.
    const writes = plan.files.filter((c) => c.action === 'create' || c.action === 'update');
    const ordered = [...writes.filter((c) => c.path !== OPERATOR_CONF_FILE), ...writes.filter((c) => c.path === OPERATOR_CONF_FILE)];
    for (const c of ordered) {
      if (opts.signal?.aborted) throw cancelled();
      const target = targetPath(c.path);
      try {
        atomicWrite(target, c.after!, opts.writeFault?.(target) ?? null);
      } catch (e) {
        throw fsError(e, target);
      }
      if (c.path === OPERATOR_CONF_FILE) committed = true;
      else written.push({ target, backup: backupOf.get(c.path) ?? null });
      step(`wrote:${c.path}`);
    }
    committed = true;
    step('committed');

    // The re-init memory, after the commit: it describes what is now written.
    // Losing it to a crash here only means the next run cannot say what changed.
    if (plan.state !== undefined) {
      const target = join(dir, STATE_FILE);
      try {
        atomicWrite(target, plan.state);
      } catch (e) {
        throw fsError(e, target);
      }
      step(`wrote:${STATE_FILE}`);
    }

    // 5. Stale generated overlays of other modes.
    for (const c of plan.files.filter((f) => f.action === 'remove')) {
      const target = targetPath(c.path);
      try {
        rmSync(target, { force: true });
      } catch (e) {
        throw fsError(e, target);
      }
      step(`removed:${c.path}`);
    }
    fsyncDir(dir);
    return { changed: true, files, backups };
  } catch (e) {
    if (!committed) rollback(written);
    throw e;
  } finally {
    await lock.release();
  }
}

/** Where each file of the plan is written, and the first one whose content is not what the plan started from. */
function staleFiles(plan: Plan): { of: Map<string, string>; stale: string | null } {
  const of = new Map<string, string>();
  let stale: string | null = null;
  for (const c of plan.files) {
    const target = targetOf(plan.dir, c);
    of.set(c.path, target);
    // Unchanged files too: the plan counts on them being as it read them.
    if (stale) continue;
    let now: string | null;
    try {
      now = currentText(target);
    } catch (e) {
      throw fsError(e, target);
    }
    if (now !== c.before) stale = c.path;
  }
  return { of, stale };
}

/** Puts compose files written before the commit point back as they were. */
function rollback(written: Array<{ target: string; backup: string | null }>): void {
  for (const w of written.reverse()) {
    try {
      if (w.backup) atomicWrite(w.target, readFileSync(w.backup));
      else rmSync(w.target, { force: true });
    } catch {
      // Best effort: the config was not committed, so the old mode still rules.
    }
  }
}
