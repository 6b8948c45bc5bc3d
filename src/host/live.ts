// The real machine: host paths are read from '/', commands run on PATH.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Host, Identity, NodeInfo, RunOptions, RunResult } from './types.js';
import { spawnBounded } from './spawn.js';

export function nodeInfoOf(st: import('node:fs').Stats): NodeInfo {
  const type = st.isCharacterDevice()
    ? 'char'
    : st.isBlockDevice()
      ? 'block'
      : st.isFile()
        ? 'file'
        : st.isDirectory()
          ? 'dir'
          : 'other';
  return { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

function liveIdentity(): Identity {
  let user = process.env.USER ?? 'unknown';
  let uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  let gid = typeof process.getgid === 'function' ? process.getgid() : -1;
  try {
    const info = os.userInfo();
    user = info.username;
    uid = info.uid;
    gid = info.gid;
  } catch {
    // No passwd entry (a container run with an arbitrary uid): keep the numbers.
  }
  const groups = typeof process.getgroups === 'function' ? process.getgroups() : [];
  return { user, uid, gid, groups: [...new Set([gid, ...groups])].filter((g) => g >= 0) };
}

export class LiveHost implements Host {
  readonly source = 'live' as const;
  readonly platform = process.platform;
  readonly arch = process.arch;
  readonly kernelRelease = os.release();
  readonly identity = liveIdentity();

  async readText(path: string): Promise<string | null> {
    try {
      return await fs.readFile(path, 'utf8');
    } catch {
      return null;
    }
  }

  async list(path: string): Promise<string[] | null> {
    try {
      return (await fs.readdir(path)).sort();
    } catch {
      return null;
    }
  }

  async readLink(path: string): Promise<string | null> {
    try {
      return await fs.readlink(path);
    } catch {
      return null;
    }
  }

  async stat(path: string): Promise<NodeInfo | null> {
    try {
      return nodeInfoOf(await fs.stat(path));
    } catch {
      return null;
    }
  }

  run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return spawnBounded({ file: command, argv: args, command, args, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes });
  }
}
