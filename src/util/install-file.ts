// One file of an install directory, found and read the safe way (see
// safe-fs.ts): a symlink is refused, except that `.operator.conf` may be a
// link to a regular file directly in the install directory itself (a link to
// anywhere else, or through another link, is refused for root and for
// everyone), and the folders on the way (docker/) must be real directories;
// only regular files are read, within a size bound.
import { closeSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { OPERATOR_CONF_FILE } from '../catalog.js';
import { holdsExactly, lstatOrNull, openRegular, readFd, UnsafeFileError } from './safe-fs.js';

export interface InstallFile {
  /** Where it is read and written: the path itself, or an allowed link's target. */
  target: string;
  /** Its bytes, or null when it does not exist. */
  bytes: Buffer | null;
  /** Owner, group and mode of the existing file (kept when it is replaced). */
  stat: Pick<Stats, 'uid' | 'gid' | 'mode' | 'dev' | 'ino'> | null;
}

/**
 * The folders between the install directory and a file of a subfolder (a
 * clone's docker/, the platform's operator/lib/) must be real directories or
 * absent (kg-init makes them): a symlinked docker/ would send root's writes
 * anywhere. Checked when the file is found and again right before it is
 * written (Node has no openat(2) to walk the path by descriptors).
 */
export function checkFolders(dir: string, rel: string): void {
  const parts = rel.split('/');
  let cur = dir;
  for (const part of parts.slice(0, -1)) {
    cur = join(cur, part);
    const st = lstatOrNull(cur);
    if (!st) return; // kg-init makes it, and what is below it
    if (st.isSymbolicLink()) {
      throw new UnsafeFileError(cur, `is a symbolic link (to ${readlinkSync(cur)}); kg-init writes into the install directory's folders only when they are real directories`, 'Replace the link with the folder itself, then run kg-init again.');
    }
    if (!st.isDirectory()) throw new UnsafeFileError(cur, 'is not a directory');
  }
}

/** Where a file of the install directory is: itself, or the in-directory target of a symlinked .operator.conf. */
export function installTarget(dir: string, rel: string): string {
  if (rel.includes('/')) checkFolders(dir, rel);
  const path = join(dir, rel);
  const st = lstatOrNull(path);
  if (!st?.isSymbolicLink()) return path;
  const to = readlinkSync(path);
  if (rel !== OPERATOR_CONF_FILE) {
    throw new UnsafeFileError(path, `is a symbolic link (to ${to}); kg-init writes this file itself and does not follow links`, 'Remove the link, then run kg-init again.');
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new UnsafeFileError(path, `is a symbolic link to ${to}, which does not exist`);
  }
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch {
    realDir = resolve(dir);
  }
  // One hop, to a file directly in the install directory: nothing outside can be reached.
  const direct = resolve(dirname(path), to);
  if (dirname(real) !== realDir || direct !== join(dir, real.slice(realDir.length + 1))) {
    throw new UnsafeFileError(
      path,
      `is a symbolic link to ${to}; kg-init follows a ${OPERATOR_CONF_FILE} link only to a file directly in the install directory`,
      `Replace the link with the file itself (cp --remove-destination "$(readlink -f ${path})" ${path}), then run kg-init again.`,
    );
  }
  return real;
}

/**
 * Finds and reads one file of the install directory (limit: its size bound).
 * With `expect`, a file that holds exactly those bytes gives them back without
 * a second copy in memory (holdsExactly); any other is read as usual.
 */
export function readInstallFile(dir: string, rel: string, limit: number, expect?: Uint8Array): InstallFile {
  const target = installTarget(dir, rel);
  const f = openRegular(target);
  if (!f) return { target, bytes: null, stat: null };
  try {
    if (expect && f.st.size === expect.length && holdsExactly(f.fd, expect)) {
      return { target, bytes: Buffer.from(expect.buffer, expect.byteOffset, expect.byteLength), stat: f.st };
    }
    return { target, bytes: readFd(f.fd, target, limit), stat: f.st };
  } finally {
    closeSync(f.fd);
  }
}
