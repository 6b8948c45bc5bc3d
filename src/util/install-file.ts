// One file of an install directory, found and read the safe way (see
// safe-fs.ts): a symlink is refused, except that `.operator.conf` may be a
// link to a regular file directly in the install directory itself (a link to
// anywhere else, or through another link, is refused for root and for
// everyone); only regular files are read, within a size bound.
import { closeSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { OPERATOR_CONF_FILE } from '../catalog.js';
import { lstatOrNull, openRegular, readFd, UnsafeFileError } from './safe-fs.js';

export interface InstallFile {
  /** Where it is read and written: the path itself, or an allowed link's target. */
  target: string;
  /** Its bytes, or null when it does not exist. */
  bytes: Buffer | null;
  /** Owner, group and mode of the existing file (kept when it is replaced). */
  stat: Pick<Stats, 'uid' | 'gid' | 'mode' | 'dev' | 'ino'> | null;
}

/** Where a file of the install directory is: itself, or the in-directory target of a symlinked .operator.conf. */
export function installTarget(dir: string, rel: string): string {
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

/** Finds and reads one file of the install directory (limit: its size bound). */
export function readInstallFile(dir: string, rel: string, limit: number): InstallFile {
  const target = installTarget(dir, rel);
  const f = openRegular(target);
  if (!f) return { target, bytes: null, stat: null };
  try {
    return { target, bytes: readFd(f.fd, target, limit), stat: f.st };
  } finally {
    closeSync(f.fd);
  }
}
