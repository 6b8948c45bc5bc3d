// The real machine: host paths are read from '/', commands run on PATH.
//
// Files are read synchronously behind the Host's promises. The probe reads a
// few dozen tiny files in /sys, /proc, /dev and /etc; through fs.promises each
// read is several round trips through libuv's thread pool (open, fstat, read,
// close) and together they cost more than the reads themselves, while a
// synchronous read of a sysfs attribute takes microseconds. Commands still run
// as child processes, concurrently with the reads. (The cost: a sysfs read
// that blocks in a broken driver would block the event loop too; through the
// thread pool it would hang the probe just the same, as reads have no bound.)
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { READ_LIMIT, readRegularFollowing } from '../util/safe-fs.js';
import os from 'node:os';
import type { Host, Identity, NodeInfo, RunOptions, RunResult } from './types.js';
import { spawnBounded } from './spawn.js';
import { IdSectionScanner } from './ids.js';

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
      // A regular file only (sysfs and procfs files are; a FIFO is refused before it can block), at most READ_LIMIT.host bytes.
      return readRegularFollowing(path, READ_LIMIT.host)?.toString('utf8') ?? null;
    } catch {
      return null;
    }
  }

  async readIdSections(path: string, keys: string[]): Promise<string | null> {
    let fd: number;
    try {
      // Non-blocking open and a regular file only: a FIFO or device never holds the probe.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return null;
    }
    let regular = false;
    try {
      regular = fstatSync(fd).isFile();
    } finally {
      if (!regular) closeSync(fd);
    }
    if (!regular) return null;
    // Scanned in chunks, stopping once past the last id asked for (the file is sorted), and at READ_LIMIT.other bytes.
    let total = 0;
    const scan = new IdSectionScanner(keys);
    const buf = Buffer.allocUnsafe(1 << 16);
    const decoder = new TextDecoder('utf-8');
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0 || (total += n) > READ_LIMIT.other) break;
        if (!scan.push(decoder.decode(buf.subarray(0, n), { stream: true }))) break;
      }
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
    return scan.finish();
  }

  async list(path: string): Promise<string[] | null> {
    try {
      return readdirSync(path).sort();
    } catch {
      return null;
    }
  }

  async readLink(path: string): Promise<string | null> {
    try {
      return readlinkSync(path);
    } catch {
      return null;
    }
  }

  async stat(path: string): Promise<NodeInfo | null> {
    try {
      return nodeInfoOf(statSync(path));
    } catch {
      return null;
    }
  }

  run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return spawnBounded({
      file: command, argv: args, command, args,
      timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, signal: opts.signal,
      long: opts.long, env: opts.env, onOutput: opts.onOutput,
    });
  }
}
