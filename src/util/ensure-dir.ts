// mkdir -p without Node's `{ recursive: true }`, which loops for ever on some
// paths (e.g. under /proc, where mkdir keeps answering ENOENT): walk down from
// the deepest existing ancestor and create one level at a time, so every
// failure is an ordinary error naming the path.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { chmod, mkdir, stat } from './fs-async.js';
import { dirname, resolve } from 'node:path';

function missingLevels(path: string, exists: (p: string) => boolean): string[] {
  const levels: string[] = [];
  let p = resolve(path);
  while (!exists(p)) {
    levels.unshift(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return levels;
}

/** Whether anything is at `p` (stat succeeds). */
export function pathExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Folders kg-init creates: 0755 whatever the umask (never group- or world-writable). */
const DIR_MODE = 0o755;

export function ensureDirSync(path: string): void {
  for (const level of missingLevels(path, pathExists)) {
    try {
      mkdirSync(level, DIR_MODE);
      chmodSync(level, DIR_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export async function ensureDir(path: string): Promise<void> {
  const levels: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      await stat(p);
      break;
    } catch {
      levels.unshift(p);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
    }
  }
  for (const level of levels) {
    try {
      await mkdir(level, DIR_MODE);
      await chmod(level, DIR_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
