// mkdir -p without Node's `{ recursive: true }`, which loops for ever on some
// paths (e.g. under /proc, where mkdir keeps answering ENOENT): walk down from
// the deepest existing ancestor and create one level at a time, so every
// failure is an ordinary error naming the path.
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
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

export function ensureDirSync(path: string): void {
  for (const level of missingLevels(path, pathExists)) {
    try {
      mkdirSync(level);
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
      await mkdir(level);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
