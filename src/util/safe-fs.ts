// File access inside an install directory that another account may control
// (kg-init is often run as root on a directory someone else prepared):
//  - every file is opened with O_NOFOLLOW (a symlink is refused, never
//    followed) and O_NONBLOCK (a FIFO cannot hang the open), then checked
//    with fstat on the open descriptor: only regular files are read, and at
//    most a size bound of them (a link to /dev/zero cannot exhaust memory);
//  - new files are created O_EXCL|O_NOFOLLOW and their mode set with fchmod,
//    so the umask never makes them group- or world-writable;
//  - a replaced file keeps its owner, group and mode (fchown/fchmod on the
//    new file before it is renamed over the old one).
// Work is done on descriptors, not paths, between the check and the use.
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  type Stats,
} from 'node:fs';
import { EXIT, KgInitError } from '../errors.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;
// Node opens every descriptor close-on-exec already.

/** Size bounds for what kg-init reads. */
export const READ_LIMIT = {
  /** .operator.conf: a config of tens of MB is read; beyond this it is refused. */
  conf: 64 * 2 ** 20,
  /** A compose file or overlay kg-init generates (a few KB). */
  compose: 8 * 2 ** 20,
  /** .kg-init/state.json and the lock. */
  state: 2 ** 20,
  /** The platform's own files kg-init only reads (.env, its compose files), the user's store, a saved report. */
  other: 16 * 2 ** 20,
  /** A file of the host (/proc, /sys, /etc/group, /etc/os-release, ROCm's version files). */
  host: 4 * 2 ** 20,
} as const;

/** Mode of a file kg-init creates, unless the plan says otherwise. */
export const NEW_FILE_MODE = 0o644;
/** Directories kg-init creates for the install (never group- or world-writable). */
export const NEW_DIR_MODE = 0o755;
/** .kg-init/ and its backups: private. */
export const PRIVATE_DIR_MODE = 0o700;
/** Files under .kg-init/ (state, lock, backup copies): private. */
export const PRIVATE_FILE_MODE = 0o600;

export class UnsafeFileError extends KgInitError {
  constructor(
    readonly path: string,
    /** What is wrong, as "is a symbolic link ...", "belongs to uid 1000 ..." (the path is put before it). */
    readonly why: string,
    hint = 'Move it aside (or remove it), then run kg-init again.',
  ) {
    super(`${path} ${why}; nothing was changed`, EXIT.failure, hint);
    this.name = 'UnsafeFileError';
  }
}

function kind(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Opens a regular file for reading without following a symlink; null when it does not exist. */
export function openRegular(path: string): { fd: number; st: Stats } | null {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP' || code === 'EMLINK') throw new UnsafeFileError(path, 'is a symbolic link, which kg-init does not follow here');
    if (code === 'ENXIO') throw new UnsafeFileError(path, 'is a socket or a FIFO, not a regular file');
    throw e;
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new UnsafeFileError(path, `is ${kind(st)}, not a regular file`);
  }
  return { fd, st };
}

/** Reads all of an open regular file, refusing one larger than `limit` bytes. */
export function readFd(fd: number, path: string, limit: number): Buffer {
  const st = fstatSync(fd);
  if (st.size > limit) throw new UnsafeFileError(path, `is larger than ${limit} bytes`);
  // One byte more than the size tells a file that grew while being read.
  const buf = Buffer.allocUnsafe(Math.min(limit, st.size) + 1);
  let off = 0;
  for (;;) {
    const n = readSync(fd, buf, off, buf.length - off, null);
    if (n === 0) break;
    off += n;
    if (off === buf.length) {
      if (off > limit) throw new UnsafeFileError(path, `is larger than ${limit} bytes`);
      throw new UnsafeFileError(path, 'changed while kg-init was reading it');
    }
  }
  return buf.subarray(0, off);
}

/**
 * Whether an open file holds exactly `expect`, read a megabyte at a time into
 * one buffer and compared as it comes: a big file checked again under the
 * lock is not read whole into memory a second time.
 */
export function holdsExactly(fd: number, expect: Uint8Array): boolean {
  const chunk = Buffer.allocUnsafe(Math.min(1 << 20, expect.length + 1));
  let off = 0;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, off);
    if (n === 0) return off === expect.length;
    if (off + n > expect.length || chunk.compare(expect, off, off + n, 0, n) !== 0) return false;
    off += n;
  }
}

/** The bytes of a regular file (never through a symlink), or null when it does not exist. */
export function readRegular(path: string, limit: number): Buffer | null {
  const f = openRegular(path);
  if (!f) return null;
  try {
    return readFd(f.fd, path, limit);
  } finally {
    closeSync(f.fd);
  }
}

/**
 * Reads up to `limit` bytes from an open descriptor, without trusting the size
 * fstat reports (files in /proc and /sys say 0 or 4096): more than `limit`
 * is refused.
 */
export function readUpTo(fd: number, path: string, limit: number, sizeHint = 0): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  // The first read sized by what fstat says (a byte more, to see the end), at
  // least 4 KiB: most host files are small, and a 64 KiB buffer each is waste.
  let size = Math.max(4096, Math.min(sizeHint + 1, 1 << 16));
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(size, limit + 1 - total));
    size = 1 << 16;
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    total += n;
    if (total > limit) throw new UnsafeFileError(path, `is larger than ${limit} bytes`);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/**
 * The bytes of a file kg-init only reads and that may be a link (the
 * platform's `.env` and compose files, the user's store, a host file): the
 * link is followed, but only a regular file is read (opened non-blocking, so a
 * FIFO is refused before it can block, and a device such as /dev/zero is
 * refused), at most `limit` bytes. Null when it does not exist.
 */
export function readRegularFollowing(path: string, limit: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENXIO') throw new UnsafeFileError(path, 'is a socket or a FIFO, not a regular file');
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UnsafeFileError(path, `is ${kind(st)}, not a regular file`);
    return readUpTo(fd, path, limit, st.size);
  } finally {
    closeSync(fd);
  }
}

/** lstat, or null when nothing is there. */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Creates a new file (never an existing one, never through a link) with exactly `mode`. */
export function createExclusive(path: string, mode: number): number {
  const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode & 0o777);
  try {
    fchmodSync(fd, mode); // the umask never applies
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

const euid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : -1);

/**
 * Gives a new file the owner, group and mode of the file it replaces. Only
 * root can give a file to another account; anyone else keeps the mode and
 * becomes the owner (as with any editor that writes a new file).
 */
export function keepOwnership(fd: number, like: { uid: number; gid: number; mode: number }): void {
  if (euid() === 0) fchownSync(fd, like.uid, like.gid);
  else {
    try {
      fchownSync(fd, like.uid, like.gid);
    } catch {
      // not ours to give away
    }
  }
  // After chown (which clears set-id bits), the mode exactly as it was.
  fchmodSync(fd, like.mode & 0o7777);
}

export function fsyncFd(fd: number): void {
  fsyncSync(fd);
}

/**
 * A private directory of kg-init's (.kg-init/, its backups): created 0700;
 * an existing one must be a real directory owned by this user (a symlink, or
 * one another account owns, could send what kg-init writes elsewhere) and is
 * made 0700 again if it is not.
 */
export function ensurePrivateDir(path: string): void {
  try {
    mkdirSync(path, PRIVATE_DIR_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new UnsafeFileError(path, 'is a symbolic link; kg-init keeps its lock, state and backups only in a real directory');
  if (!st.isDirectory()) throw new UnsafeFileError(path, `is ${kind(st)}, expected kg-init's directory`);
  const me = euid();
  if (me !== -1 && st.uid !== me) {
    throw new UnsafeFileError(
      path,
      `belongs to uid ${st.uid}, not to this user (uid ${me}): its owner could change what kg-init writes there`,
      me === 0 ? 'Remove it (kg-init makes a new one), or run kg-init as its owner.' : 'Run kg-init as its owner, or remove it.',
    );
  }
  if ((st.mode & 0o7777) !== PRIVATE_DIR_MODE) {
    // Open it without following a link and fix the mode on the descriptor.
    const fd = openSync(path, O_RDONLY | O_NOFOLLOW | constants.O_DIRECTORY);
    try {
      fchmodSync(fd, PRIVATE_DIR_MODE);
    } finally {
      closeSync(fd);
    }
  }
}
