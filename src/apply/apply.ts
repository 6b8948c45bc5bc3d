// Applies a Plan as one transaction, in phases (each a function below):
//   1. checkFresh   under the lock: every file is found the safe way (no
//                   symlink followed but an in-directory .operator.conf link,
//                   regular files only, bounded reads) and is still what the
//                   plan was made from; if another run committed meanwhile,
//                   the plan is made again
//   2. backUp       private copies (.kg-init/backups/<time>/, 0700/0600) of
//                   everything replaced or removed, before any write
//   3. writeInOrder the compose files (temp file beside it, fsync, rename;
//                   each directory fsynced once after its renames), each
//                   keeping the owner, group and mode of the file it
//                   replaces; new files get the plan's mode (default 0644)
//   4. commit       .operator.conf the same way: this rename is the commit point
//   5. afterCommit  .kg-init/state.json, removal of other modes' generated
//                   overlays, pruning old backups. A failure here is a
//                   warning saying what did change, never "nothing changed".
// Before 4 the config still names the old mode and the old overlay is still in
// place; after 4 it names the new mode, whose overlay is already written. The
// platform picks the overlay from GPU_MODE, so config and overlays agree at
// every step. A failure or Ctrl-C before the commit point restores the
// compose files written so far from the backups.
//
// Test seams are ApplyOptions only (onStep, writeFault): nothing here reads
// the environment.
//
// The file work under the lock is synchronous: a few small files in one local
// directory, where each fs.promises call is a round trip through libuv's
// thread pool. Only waiting for another run's lock is asynchronous (it
// sleeps, and Ctrl-C must reach it).
import { closeSync, constants, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { OPERATOR_CONF_FILE, STATE_DIR } from '../catalog.js';
import { describeFsError, EXIT, KgInitError } from '../errors.js';
import type { ApplyResult, FileChange, Plan } from '../plan/types.js';
import { acquireLock, clearStaleLock, stateDirIsOurs } from './lock.js';
import { decodeConf } from '../conf/decode.js';
import { STATE_FILE } from '../state/memory.js';
import { ensureDirSync } from '../util/ensure-dir.js';
import { checkFolders, readInstallFile, type InstallFile } from '../util/install-file.js';
import {
  createExclusive,
  ensurePrivateDir,
  keepOwnership,
  NEW_FILE_MODE,
  PRIVATE_FILE_MODE,
  READ_LIMIT,
} from '../util/safe-fs.js';

export interface ApplyOptions {
  /** Aborting before the commit point rolls back and ends with exit 130. */
  signal?: AbortSignal;
  /** How long to wait for another kg-init's lock (default 3000 ms). */
  lockWaitMs?: number;
  /**
   * Called at each step boundary ('staged-lock' (the lock's text written
   * beside it, not linked into place yet), 'locked', 'backed-up',
   * 'wrote:<path>', 'committed', 'wrote:.kg-init/state.json',
   * 'removed:<path>'). A test seam:
   * the crash tests kill the process here, in-process tests throw to inject a
   * failure at that point.
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
   * Fault injection for the tests: the errno code a write to this path fails
   * with after half of it is written (ENOSPC, EIO...), or null to write normally.
   */
  writeFault?: (path: string) => string | null;
  /** Backup folders kept in .kg-init/backups/ (default 10); older ones are removed after the commit. */
  keepBackups?: number;
}

export const DEFAULT_KEEP_BACKUPS = 10;

const TMP_RE = /^\..+\.kg-init-\d+-[0-9a-f]+\.tmp$/;

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  }
}

/** Writes all of bytes to fd (writeSync may write less than asked). */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

interface WriteHow {
  /** The file replaced: its owner, group and mode are kept. */
  like: InstallFile['stat'];
  /** Mode of a new file. */
  mode: number;
  /** Injected fault (tests). */
  fault?: string | null;
  /**
   * What is flushed (default 'all': the file before its rename, its directory
   * after). 'file': the directory is flushed by the caller, once for several
   * renames. 'none': a file whose loss after a power cut costs nothing (state.json).
   */
  sync?: 'all' | 'file' | 'none';
}

/** Writes bytes to path atomically: a new temp file beside it (O_EXCL, no link followed), fsync, rename over it. */
function atomicWrite(path: string, data: string | Buffer, how: WriteHow): void {
  // Unique enough beside the pid (O_EXCL refuses a name that exists); not
  // node:crypto, whose load alone costs a headless run more than its writes.
  const tag = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  const tmp = join(dirname(path), `.${basename(path)}.kg-init-${process.pid}-${tag}.tmp`);
  try {
    const fd = createExclusive(tmp, how.like ? PRIVATE_FILE_MODE : how.mode);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (how.fault) {
        writeAll(fd, bytes.subarray(0, bytes.length >> 1));
        throw Object.assign(new Error(`${how.fault}: injected write fault`), { code: how.fault });
      }
      writeAll(fd, bytes);
      if (how.like) keepOwnership(fd, how.like);
      if (how.sync !== 'none') fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if ((how.sync ?? 'all') === 'all') fsyncDir(dirname(path));
}

function fsError(e: unknown, path: string): KgInitError {
  return e instanceof KgInitError
    ? e
    : new KgInitError(`cannot write: ${describeFsError(e, path)}`, EXIT.failure, "Nothing was changed. Check the directory's permissions and free space, then run kg-init again.");
}

function cancelled(): KgInitError {
  return new KgInitError('cancelled; nothing was written', EXIT.cancelled);
}

function blocked(plan: Plan): KgInitError {
  return new KgInitError(`GPU mode ${plan.mode} is blocked on this host; nothing was written`, EXIT.blocked, 'Pass --force to write it anyway.');
}

const listed = (plan: Plan) => plan.files.map(({ path, action }) => ({ path, action }));

/** What each file of the plan is now: where it is written, its bytes and ownership. */
type Found = Map<string, InstallFile>;

// ------------------------------------------------------------ 1. check fresh

/** Finds every file of the plan; the first whose content is not what the plan started from. */
function findFiles(plan: Plan): { found: Found; stale: string | null } {
  const found: Found = new Map();
  let stale: string | null = null;
  for (const c of plan.files) {
    const limit = c.path === OPERATOR_CONF_FILE ? READ_LIMIT.conf : READ_LIMIT.compose;
    let f: InstallFile;
    try {
      // A file the plan kept the bytes of (.operator.conf) is compared as it is read, not read whole again.
      f = readInstallFile(plan.dir, c.path, limit, c.beforeBytes);
    } catch (e) {
      throw fsError(e, join(plan.dir, c.path));
    }
    found.set(c.path, f);
    // Unchanged files too: the plan counts on them being as it read them.
    // The bytes the plan was read from when it kept them (a big config is not
    // decoded again), else decoded the way readInstall decodes them, so the comparison is exact.
    if (stale) continue;
    if (c.beforeBytes) {
      if (!f.bytes?.equals(c.beforeBytes)) stale = c.path;
      continue;
    }
    const now = f.bytes === null ? null : (decodeConf(f.bytes).text ?? f.bytes.toString('latin1'));
    if (now !== c.before) stale = c.path;
  }
  return { found, stale };
}

async function checkFresh(plan: Plan, opts: ApplyOptions): Promise<{ plan: Plan; found: Found | null }> {
  let { found, stale } = findFiles(plan);
  if (stale && opts.replan) {
    // Another run committed while we waited for the lock: plan again from
    // what it left, still under the lock.
    plan = await opts.replan();
    if (plan.refused) throw blocked(plan);
    if (!plan.changed) return { plan, found: null };
    ({ found, stale } = findFiles(plan));
  }
  if (stale) throw new KgInitError(`${join(plan.dir, stale)} changed while kg-init was running; nothing was changed`, EXIT.failure, 'Run kg-init again.');
  return { plan, found };
}

// ------------------------------------------------------------------ 2. back up

function backUp(plan: Plan, found: Found): { backups: string[]; backupOf: Map<string, Buffer> } {
  const backups: string[] = [];
  const backupOf = new Map<string, Buffer>();
  const toBackUp = plan.files.filter((c) => c.action === 'update' || c.action === 'remove');
  if (!toBackUp.length) return { backups, backupOf };
  const root = join(plan.dir, STATE_DIR, 'backups');
  const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, ''); // 20260101T120000Z
  let bdir = '';
  try {
    ensurePrivateDir(root);
    for (let n = 1; ; n++) {
      bdir = join(root, n === 1 ? stamp : `${stamp}-${n}`);
      if (makeNewPrivateDir(bdir)) break;
    }
    for (const c of toBackUp) {
      const bytes = found.get(c.path)!.bytes!;
      const dest = join(bdir, c.path);
      // A file of a subfolder (a clone's docker/) keeps its path in the backup.
      if (c.path.includes('/')) ensureDirSync(dirname(dest));
      // The very bytes checked above, into a new private file (never through a link).
      const fd = createExclusive(dest, PRIVATE_FILE_MODE);
      try {
        writeAll(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      backupOf.set(c.path, bytes);
      backups.push(relative(plan.dir, dest));
    }
    fsyncDir(bdir);
  } catch (e) {
    // A backup cut short (disk full) must not pass for a good one.
    if (bdir) rmSync(bdir, { recursive: true, force: true });
    throw fsError(e, bdir || root);
  }
  return { backups, backupOf };
}

/** A new private folder (mkdir 0700, then exactly 0700 whatever the umask); false when the name is taken. */
function makeNewPrivateDir(path: string): boolean {
  try {
    mkdirSync(path, 0o700); // EEXIST on anything already there, a symlink included
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    fchmodSync(fd, 0o700);
  } finally {
    closeSync(fd);
  }
  return true;
}

// ------------------------------------------------------- 3 and 4. write, commit

interface Written {
  target: string;
  before: Buffer | null;
  like: InstallFile['stat'];
}

function writeOne(dir: string, c: FileChange, f: InstallFile, opts: ApplyOptions, sync: WriteHow['sync'] = 'all'): void {
  try {
    // New files of the platform go in its folders (operator/lib/, schema/, config/).
    if (c.before === null && c.path.includes('/')) ensureDirSync(dirname(f.target));
    // Still real directories on the way (a link swapped in since the files were found is refused).
    if (c.path.includes('/')) checkFolders(dir, c.path);
    atomicWrite(f.target, c.after!, { like: f.stat, mode: (c.mode ?? NEW_FILE_MODE) & 0o7755, fault: opts.writeFault?.(f.target) ?? null, sync });
  } catch (e) {
    throw fsError(e, f.target);
  }
}

/**
 * The compose files, in the plan's order; what was written is recorded for a
 * rollback. Each file is flushed before its rename, and each directory once
 * after all its renames: all of them are on disk before the config's rename.
 */
function writeInOrder(plan: Plan, found: Found, opts: ApplyOptions, written: Written[], step: (s: string) => void): void {
  const dirs = new Set<string>();
  for (const c of plan.files) {
    if ((c.action !== 'create' && c.action !== 'update') || c.path === OPERATOR_CONF_FILE) continue;
    if (opts.signal?.aborted) throw cancelled();
    const f = found.get(c.path)!;
    writeOne(plan.dir, c, f, opts, 'file');
    dirs.add(dirname(f.target));
    written.push({ target: f.target, before: f.bytes, like: f.stat });
    step(`wrote:${c.path}`);
  }
  for (const d of dirs) fsyncDir(d);
}

/** .operator.conf: its rename is the commit point. False when the plan leaves it as it is. */
function commit(plan: Plan, found: Found, opts: ApplyOptions, step: (s: string) => void): boolean {
  const c = plan.files.find((f) => f.path === OPERATOR_CONF_FILE && (f.action === 'create' || f.action === 'update'));
  if (!c) return false;
  if (opts.signal?.aborted) throw cancelled();
  writeOne(plan.dir, c, found.get(c.path)!, opts);
  step(`wrote:${c.path}`);
  return true;
}

/** Puts compose files written before the commit point back as they were. */
function rollback(written: Written[]): void {
  for (const w of written.reverse()) {
    try {
      if (w.before) atomicWrite(w.target, w.before, { like: w.like, mode: NEW_FILE_MODE });
      else unlinkSync(w.target);
    } catch {
      // Best effort: the config was not committed, so the old mode still rules.
    }
  }
}

// ------------------------------------------------------------ 5. after commit

/** Everything after the commit point: each failure becomes a warning naming what did change. */
function afterCommit(plan: Plan, found: Found, opts: ApplyOptions, step: (s: string) => void): string[] {
  const warnings: string[] = [];
  const committedNote = `the configuration was written (${plan.mode})`;
  const attempt = (what: string, path: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      warnings.push(`${committedNote}, but ${what} failed: ${e instanceof KgInitError ? e.message : describeFsError(e, path)}`);
    }
  };
  // The re-init memory: it describes what is now written. Losing it only
  // means the next run cannot say what changed.
  if (plan.state !== undefined) {
    const target = join(plan.dir, STATE_FILE);
    attempt(`recording ${STATE_FILE}`, target, () => {
      // Atomic, not flushed: after a power cut the old record (or none) only means no "what changed" line.
      atomicWrite(target, plan.state!, { like: null, mode: PRIVATE_FILE_MODE, sync: 'none' });
      step(`wrote:${STATE_FILE}`);
    });
  }
  // Stale generated overlays of other modes (unlink never follows a link).
  const removedFrom = new Set<string>();
  for (const c of plan.files.filter((f) => f.action === 'remove')) {
    const target = found.get(c.path)!.target;
    attempt(`removing ${c.path}`, target, () => {
      rmSync(target, { force: true });
      removedFrom.add(dirname(target));
      step(`removed:${c.path}`);
    });
  }
  const keep = opts.keepBackups ?? DEFAULT_KEEP_BACKUPS;
  const root = join(plan.dir, STATE_DIR, 'backups');
  attempt('pruning old backups', root, () => pruneBackups(root, keep));
  // The commit flushed the config's directory; only removals are left to flush.
  for (const d of removedFrom) fsyncDir(d);
  return warnings;
}

/** Keeps the newest `keep` backup folders (their names sort by time). */
export function pruneBackups(root: string, keep: number): string[] {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^\d{8}T\d{6}Z(-\d+)?$/.test(d.name))
      .map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const order = (n: string) => {
    const [stamp, seq] = n.split('-');
    return `${stamp}-${(seq ?? '1').padStart(6, '0')}`;
  };
  names.sort((a, b) => (order(a) < order(b) ? -1 : 1));
  const removed = names.slice(0, Math.max(0, names.length - Math.max(0, keep)));
  for (const n of removed) rmSync(join(root, n), { recursive: true, force: true });
  return removed;
}

// ------------------------------------------------------------------ the whole

/** Temp files a run killed mid-write left in the install directory. */
function tempLeftovers(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => TMP_RE.test(name));
  } catch {
    return [];
  }
}

export async function applyPlan(plan: Plan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  if (plan.refused) throw blocked(plan);
  if (!plan.changed) {
    // Nothing to write; only tidy up after a run killed after its last write:
    // its lock, and (under the lock, so no live run's file goes) its temp files.
    await clearStaleLock(plan.dir).catch(() => {});
    // Only under a .kg-init/ of kg-init's own (not a link someone left in its place).
    if (tempLeftovers(plan.dir).length && stateDirIsOurs(plan.dir)) {
      const lock = await acquireLock(plan.dir, opts.lockWaitMs, opts.signal);
      try {
        for (const name of tempLeftovers(plan.dir)) rmSync(join(plan.dir, name), { force: true });
      } finally {
        await lock.release();
      }
    }
    return { changed: false, files: listed(plan), backups: [], warnings: [] };
  }
  if (opts.signal?.aborted) throw cancelled();

  const dir = plan.dir;
  const stateDir = join(dir, STATE_DIR);
  const stateDirWasThere = lstatSync(stateDir, { throwIfNoEntry: false }) !== undefined;
  try {
    ensureDirSync(dir);
    ensurePrivateDir(join(dir, STATE_DIR));
  } catch (e) {
    throw fsError(e, join(dir, STATE_DIR));
  }
  const lock = await acquireLock(dir, opts.lockWaitMs, opts.signal, opts.onStep);
  const step = opts.onStep ?? (() => {});
  const written: Written[] = [];
  let committed = false;
  try {
    // Leftovers of a run killed mid-write; safe to remove while we hold the lock.
    for (const name of tempLeftovers(dir)) rmSync(join(dir, name), { force: true });

    const fresh = await checkFresh(plan, opts);
    plan = fresh.plan;
    const found = fresh.found;
    if (!found) return { changed: false, files: listed(plan), backups: [], warnings: [] };
    step('locked');

    const { backups } = backUp(plan, found);
    step('backed-up');

    writeInOrder(plan, found, opts, written, step);
    commit(plan, found, opts, step);
    committed = true;
    step('committed');

    const warnings = afterCommit(plan, found, opts, step);
    return { changed: true, files: listed(plan), backups, warnings };
  } catch (e) {
    if (!committed) rollback(written);
    throw e;
  } finally {
    await lock.release();
    // A first run that wrote nothing leaves no empty .kg-init/ behind (a
    // folder that holds anything, such as a backup, stays).
    if (!committed && !stateDirWasThere) {
      for (const d of [join(stateDir, 'backups'), stateDir]) {
        try {
          rmdirSync(d);
        } catch {
          // not empty, or not there
        }
      }
    }
  }
}
