// One kg-init per install directory: .kg-init/lock, created O_EXCL (0600,
// never through a link), names the run that holds it:
//   pid=<pid>  start=<start time in clock ticks since boot, /proc/<pid>/stat field 22>
//   boot=<boot id, /proc/sys/kernel/random/boot_id>  pidns=<pid namespace, /proc/self/ns/pid>
// A lock is judged by evidence, never by a bare pid:
//   - written in another boot: stale (its run ended with that boot);
//   - same boot and pid namespace: live only while that pid runs *and* started
//     when the lock says (a pid reused after the run died is not the holder);
//   - another pid namespace (a container sharing the directory): its pid means
//     nothing here as a bare number, so /proc is searched for that namespace
//     (every process's /proc/<p>/ns/pid) and the holder's pid inside it (the
//     last NSpid of /proc/<p>/status) with its start time: found, the lock is
//     live; the namespace visible but the run not in it, stale; as root in the
//     initial pid namespace (which sees every process), a namespace with no
//     process left is stale too. Where /proc cannot tell (kg-init itself in a
//     container, the holder outside it), the lock is live until it is older
//     than any run holds one (STALE_FOREIGN_MS), then stale;
//   - empty or torn: stale once it is not brand new. The lock is written whole
//     into .kg-init/lock.<pid>-<tag>.new first and hard-linked into place, so it never
//     appears half-written; only where the file system has no hard links is it
//     created empty and then filled (a kill between the two leaves it empty).
// A staged lock.<pid>-<tag>.new left by a killed run is judged the same way and
// removed once stale.
// Without /proc (macOS) only the pid is known: live while it runs.
// A stale lock is removed only if it is still the very file judged (same
// inode): a lock another run takes meanwhile is never removed.
import { closeSync, fstatSync, linkSync, lstatSync, readdirSync, readlinkSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../catalog.js';
import { describeFsError, EXIT, KgInitError } from '../errors.js';
import { createExclusive, openRegular, PRIVATE_FILE_MODE, readFd, READ_LIMIT, readRegularFollowing } from '../util/safe-fs.js';

export interface Lock {
  path: string;
  release(): Promise<void>;
}

/** A run in another pid namespace holds the lock for a few writes: older than this, it is gone. */
export const STALE_FOREIGN_MS = 60_000;

export interface RunId {
  pid: number;
  /** Process start time (clock ticks after boot), or null without /proc. */
  start: string | null;
  boot: string | null;
  pidns: string | null;
}

function readProc(path: string): string | null {
  try {
    // /proc files are regular and small: bounded all the same.
    return readRegularFollowing(path, 64 * 1024)?.toString('utf8') ?? null;
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started (the command name may hold spaces and parentheses). */
export function startTimeOf(pid: number | 'self'): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null; // fields[0] is field 3
}

let self: RunId | undefined;
export function thisRun(): RunId {
  if (self) return self;
  let pidns: string | null = null;
  try {
    pidns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // no /proc
  }
  self = { pid: process.pid, start: startTimeOf('self'), boot: readProc('/proc/sys/kernel/random/boot_id')?.trim() || null, pidns };
  return self;
}

export function lockText(id: RunId, now = new Date()): string {
  return `pid=${id.pid}\nstart=${id.start ?? ''}\nboot=${id.boot ?? ''}\npidns=${id.pidns ?? ''}\nstarted=${now.toISOString()}\n`;
}

export function parseLock(text: string): { pid: number | null; start: string | null; boot: string | null; pidns: string | null } {
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.trim() || null;
  const pid = Number(get('pid') ?? NaN);
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : null, start: get('start'), boot: get('boot'), pidns: get('pidns') };
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

export interface Verdict {
  stale: boolean;
  /** Why, in a few words (shown when the lock is reported). */
  why: string;
}

/** The kernel's fixed inode of the initial pid namespace (PROC_PID_INIT_INO): from it, every process is in /proc. */
export const INIT_PIDNS = 'pid:[4026531836]';

export type ForeignEvidence = 'live' | 'gone' | 'unknown';

const euid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : -1);

/** What /proc says of a holder in another pid namespace (see the top of this file). */
export function foreignHolder(h: { pid: number; start: string | null; pidns: string }, me: RunId = thisRun()): ForeignEvidence {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return 'unknown';
  }
  let seen = false;
  let blind = false;
  for (const p of names) {
    let ns: string;
    try {
      ns = readlinkSync(`/proc/${p}/ns/pid`);
    } catch (e) {
      // Gone meanwhile, or not ours to look at (not root).
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') blind = true;
      continue;
    }
    if (ns !== h.pidns) continue;
    seen = true;
    const nspid = /^NSpid:\s*(.*)$/m.exec(readProc(`/proc/${p}/status`) ?? '')?.[1]?.trim().split(/\s+/);
    if (Number(nspid?.[nspid.length - 1]) !== h.pid) continue;
    // Its pid there, and started when the lock says (else a reused pid, or a clock kg-init cannot compare: not proof of either).
    return h.start === null || startTimeOf(Number(p)) === h.start ? 'live' : 'unknown';
  }
  if (blind) return 'unknown';
  if (seen) return 'gone';
  return me.pidns === INIT_PIDNS && euid() === 0 ? 'gone' : 'unknown';
}

/** Judges a lock's holder from its content and age, against this run. */
export function judgeLock(
  text: string,
  ageMs: number,
  me: RunId = thisRun(),
  isAlive = alive,
  startOf = startTimeOf,
  foreign: (h: { pid: number; start: string | null; pidns: string }, me: RunId) => ForeignEvidence = foreignHolder,
): Verdict {
  const h = parseLock(text);
  if (h.pid === null) return ageMs > 2000 ? { stale: true, why: 'empty or torn' } : { stale: false, why: 'being written' };
  if (h.boot && me.boot && h.boot !== me.boot) return { stale: true, why: 'left before a reboot' };
  if (h.pidns && me.pidns && h.pidns !== me.pidns) {
    const evidence = foreign({ pid: h.pid, start: h.start, pidns: h.pidns }, me);
    if (evidence === 'live') return { stale: false, why: `held from another pid namespace (a container?), where pid ${h.pid} is running` };
    if (evidence === 'gone') return { stale: true, why: `its pid namespace has no run ${h.pid} any more` };
    return ageMs > STALE_FOREIGN_MS
      ? { stale: true, why: `held from another pid namespace for over ${STALE_FOREIGN_MS / 1000} s` }
      : { stale: false, why: 'held from another pid namespace (a container?)' };
  }
  if (!isAlive(h.pid)) return { stale: true, why: `pid ${h.pid} is gone` };
  if (h.start && me.start !== null) {
    const now = startOf(h.pid);
    if (now !== null && now !== h.start) return { stale: true, why: `pid ${h.pid} is another process now` };
  }
  return { stale: false, why: `pid ${h.pid} is running` };
}

interface Holder extends Verdict {
  pid: number | null;
  /** The inode read, so that only that very file is removed as stale. */
  ino: number | null;
}

function holder(path: string): Holder {
  // Content and age from one open file: a lock released and taken again by
  // another run between a read and a stat must never pass for a stale one.
  // Never through a link; a FIFO or device named like the lock is refused.
  const f = openRegular(path);
  if (!f) return { pid: null, stale: false, why: 'gone', ino: null }; // gone meanwhile: try again
  try {
    const text = readFd(f.fd, path, READ_LIMIT.state).toString('utf8');
    const st = fstatSync(f.fd);
    return { ...judgeLock(text, Date.now() - st.mtimeMs), pid: parseLock(text).pid, ino: st.ino };
  } finally {
    closeSync(f.fd);
  }
}

/** Removes the stale lock judged by `h`, and nothing else: not a lock another run has taken since. */
function removeStale(path: string, ino: number | null): void {
  try {
    if (lstatSync(path).ino === ino) unlinkSync(path);
  } catch {
    // already gone
  }
}

/** A lock staged whole for link(): .kg-init/lock.<pid>-<tag>.new. */
const STAGED_RE = /^lock\.\d+-[0-9a-f]{8}\.new$/;

/** Writes `text` to a new private file; its descriptor is closed whatever happens. */
function writeNew(path: string, text: string): number {
  const fd = createExclusive(path, PRIVATE_FILE_MODE);
  try {
    // Not flushed to disk: other runs read it from the page cache, and after a
    // crash it is stale either way (another boot, or empty or torn).
    writeSync(fd, text);
    return fstatSync(fd).ino as number;
  } finally {
    closeSync(fd);
  }
}

/** Stages the whole lock text beside the lock, or returns null where it cannot (then the lock is written in place). */
function stage(stateDir: string, text: string): string | null {
  // The pid and a random tag: a run in another pid namespace may have the same pid.
  const tag = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  const staged = join(stateDir, `lock.${process.pid}-${tag}.new`);
  try {
    writeNew(staged, text);
    return staged;
  } catch {
    return null;
  }
}

function lstatIno(path: string): number | null {
  try {
    return lstatSync(path).ino as number;
  } catch {
    return null;
  }
}

/** Hard links are not everywhere (some FUSE, SMB and FAT mounts): there the lock is created in place. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

/** Takes the lock, or throws EEXIST while another file holds its name. Returns the lock's inode. */
function take(path: string, staged: string | null, text: string): { ino: number; staged: string | null } {
  if (staged) {
    try {
      linkSync(staged, path); // atomic, and fails with EEXIST like O_EXCL
      return { ino: lstatIno(path) ?? -1, staged };
    } catch (e) {
      if (!NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      removeStale(staged, lstatIno(staged));
      staged = null;
    }
  }
  return { ino: writeNew(path, text), staged };
}

/** Removes staged locks of runs that have ended (judged like the lock itself); a live run's is left alone. */
function clearStaleStaged(stateDir: string, mine: string | null): void {
  let names: string[];
  try {
    names = readdirSync(stateDir).filter((n) => STAGED_RE.test(n));
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(stateDir, n);
    if (p === mine) continue;
    try {
      const h = holder(p);
      if (h.stale) removeStale(p, h.ino);
    } catch {
      // not a regular file, or unreadable: not ours to judge
    }
  }
}

export async function acquireLock(dir: string, waitMs = 3000, signal?: AbortSignal, onStep?: (step: string) => void): Promise<Lock> {
  const stateDir = join(dir, STATE_DIR);
  const path = join(stateDir, 'lock');
  const deadline = Date.now() + waitMs;
  const text = lockText(thisRun());
  let staged = stage(stateDir, text);
  try {
    if (staged) onStep?.('staged-lock');
    for (;;) {
      // Taken synchronously, like the writes it guards (see apply.ts); only the
      // wait for another run sleeps asynchronously.
      try {
        const took = take(path, staged, text);
        staged = took.staged;
        clearStaleStaged(stateDir, staged);
        const ino = took.ino;
        return { path, release: async () => removeStale(path, ino) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw e instanceof KgInitError ? e : new KgInitError(`cannot lock the install directory: ${describeFsError(e, path)}`, 1);
        }
      }
      let h: Holder;
      try {
        h = holder(path);
      } catch (e) {
        throw e instanceof KgInitError ? e : new KgInitError(`cannot read the lock: ${describeFsError(e, path)}`, 1);
      }
      if (h.stale) {
        removeStale(path, h.ino);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new KgInitError(
          `another kg-init is running in ${dir}${h.pid ? ` (pid ${h.pid})` : ''}${h.why.startsWith('held from') ? `, ${h.why}` : ''}`,
          1,
          `Wait for it to finish and run kg-init again (if none is running, remove ${path}).`,
        );
      }
      if (signal?.aborted) throw new KgInitError('cancelled; nothing was written', EXIT.cancelled);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    // The lock (if taken) is its own name now; the staged name goes either way.
    if (staged) removeStale(staged, lstatIno(staged));
  }
}

/**
 * Whether `<dir>/.kg-init` is a directory as kg-init keeps it: a real one (a
 * link could send the lock, and what is removed as stale, anywhere) that this
 * user owns. A run that writes makes sure of it first (ensurePrivateDir); a
 * run that changes nothing tidies up only where this holds.
 */
export function stateDirIsOurs(dir: string): boolean {
  try {
    const st = lstatSync(join(dir, STATE_DIR));
    return st.isDirectory() && (euid() === -1 || st.uid === euid());
  } catch {
    return false;
  }
}

/** Removes a lock left by a run that has ended (judged as above); a live one is left alone. */
export async function clearStaleLock(dir: string): Promise<void> {
  if (!stateDirIsOurs(dir)) return;
  const path = join(dir, STATE_DIR, 'lock');
  const h = holder(path);
  if (h.stale) removeStale(path, h.ino);
  clearStaleStaged(join(dir, STATE_DIR), null);
}
