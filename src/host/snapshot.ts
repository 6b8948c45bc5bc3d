// Replays a recorded host (format: test/hosts/README.md). Host paths are
// read under <dir>/root; symlinks stored as plain files (git core.symlinks=false)
// are followed as links; device-node metadata and the user's identity come from
// host.json; commands exist only as scripts in <dir>/bin (or, for an absolute
// host path, as root/<path>) and run under /bin/sh with the live time bound.
// Files are read synchronously behind the Host's promises, as LiveHost does
// (see live.ts).
import { lstatSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { READ_LIMIT, readRegularFollowing } from '../util/safe-fs.js';
import path from 'node:path';
import type { HostFile, ParsedHostFile } from './host-file-schema.js';
import type { Host, Identity, NodeInfo, RunOptions, RunResult } from './types.js';
import { spawnBounded } from './spawn.js';
import { idSections } from './ids.js';
import { nodeInfoOf } from './live.js';

export type { HostFile };

const PLATFORMS: ReadonlySet<unknown> = new Set(['linux', 'darwin', 'win32', 'freebsd', 'openbsd', 'aix', 'sunos', 'android', 'cygwin', 'netbsd', 'haiku']);
const NODE_TYPES: ReadonlySet<unknown> = new Set(['char', 'block', 'file', 'dir', 'other']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/**
 * host.json checked by hand, as ./host-file-schema.ts's hostFileSchema would
 * parse it (a test holds the two equal on every recorded host); null for
 * anything else, and openSnapshot then asks the schema what is wrong. The
 * replay of a good snapshot so loads no schema library.
 */
export function parseHostFile(v: unknown): ParsedHostFile | null {
  if (!isObject(v) || !PLATFORMS.has(v.platform)) return null;
  if (typeof v.arch !== 'string' || v.arch.length < 1 || typeof v.kernelRelease !== 'string') return null;
  if (v.description !== undefined && typeof v.description !== 'string') return null;
  const id = v.identity;
  if (!isObject(id) || typeof id.user !== 'string' || !isInt(id.uid) || !isInt(id.gid)) return null;
  if (!Array.isArray(id.groups) || !id.groups.every(isInt)) return null;
  const files: ParsedHostFile['files'] = {};
  if (v.files !== undefined) {
    if (!isObject(v.files)) return null;
    for (const [p, f] of Object.entries(v.files)) {
      if (!p.startsWith('/') || !isObject(f) || !NODE_TYPES.has(f.type) || !isInt(f.uid) || !isInt(f.gid)) return null;
      if (typeof f.mode !== 'string' || !/^0?[0-7]{3,4}$/.test(f.mode)) return null;
      files[p] = { type: f.type as ParsedHostFile['files'][string]['type'], mode: parseInt(f.mode, 8), uid: f.uid, gid: f.gid };
    }
  }
  const out: ParsedHostFile = {
    platform: v.platform as ParsedHostFile['platform'],
    arch: v.arch,
    kernelRelease: v.kernelRelease,
    identity: { user: id.user, uid: id.uid, gid: id.gid, groups: [...id.groups] as number[] },
    files,
  };
  if (v.description !== undefined) out.description = v.description as string;
  return out;
}

const MAX_HOPS = 40;

/** Normalises a host path to an absolute one that cannot climb above '/'. */
export function hostPath(p: string): string {
  return path.posix.normalize(path.posix.join('/', p));
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

/** A recorded file as the live host reads one: a regular file only, bounded; absent is ENOENT (withPath then follows links). */
function readText(real: string): string {
  const bytes = readRegularFollowing(real, READ_LIMIT.host);
  if (bytes === null) throw Object.assign(new Error(`${real}: no such file`), { code: 'ENOENT' });
  return bytes.toString('utf8');
}

export class SnapshotHost implements Host {
  readonly source: { snapshot: string };
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  readonly kernelRelease: string;
  readonly identity: Identity;
  readonly description: string | undefined;
  private readonly root: string;
  private readonly bin: string;
  private readonly files: ParsedHostFile['files'];

  constructor(readonly dir: string, meta: ParsedHostFile) {
    this.source = { snapshot: dir };
    this.platform = meta.platform as NodeJS.Platform;
    this.arch = meta.arch;
    this.kernelRelease = meta.kernelRelease;
    this.identity = { ...meta.identity, groups: [...meta.identity.groups] };
    this.description = meta.description;
    this.files = meta.files;
    this.root = path.join(dir, 'root');
    this.bin = path.join(dir, 'bin');
  }

  private under(p: string): string {
    return path.join(this.root, hostPath(p));
  }

  /** A recorded folder's entries do not change during a run: each is looked up once. */
  private readonly stats = new Map<string, Stats | null>();
  private lstatOnce(real: string): Stats | null {
    let st = this.stats.get(real);
    if (st === undefined) {
      try {
        st = lstatSync(real);
      } catch {
        st = null;
      }
      this.stats.set(real, st);
    }
    return st;
  }

  /**
   * Resolves a host path whose parents may be links (real relative symlinks,
   * or plain files standing in for them) to the host path it names.
   */
  private async resolveParents(p: string): Promise<string | null> {
    const parts = hostPath(p).split('/').filter(Boolean);
    let cur = '/';
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const cand = path.posix.join(cur, parts[i]!);
      const last = i === parts.length - 1;
      if (last) return cand;
      const st = this.lstatOnce(this.under(cand));
      if (!st) return null;
      if (st.isSymbolicLink() || st.isFile()) {
        if (++hops > MAX_HOPS) return null;
        const target = st.isSymbolicLink()
          ? readlinkSync(this.under(cand))
          : readText(this.under(cand)).trim();
        if (!target) return null;
        cur = hostPath(path.posix.resolve(cur, target));
        // The link target may itself contain links: resolve it again.
        const again = await this.resolveParents(path.posix.join(cur, '__x'));
        if (!again) return null;
        cur = path.posix.dirname(again);
      } else {
        cur = cand;
      }
    }
    return cur;
  }

  /** Runs fn on the path under root, retrying through link resolution when a parent is not a directory. */
  private async withPath<T>(p: string, fn: (real: string) => Promise<T>): Promise<T | null> {
    try {
      return await fn(this.under(p));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR' && code !== 'ENOENT') return null;
    }
    const resolved = await this.resolveParents(p);
    if (!resolved || resolved === hostPath(p)) return null;
    try {
      return await fn(this.under(resolved));
    } catch {
      return null;
    }
  }

  async readText(p: string): Promise<string | null> {
    return this.withPath(p, async (real) => readText(real));
  }

  async readIdSections(p: string, keys: string[]): Promise<string | null> {
    const text = await this.readText(p);
    return text === null ? null : idSections(text, keys);
  }

  async list(p: string): Promise<string[] | null> {
    return this.withPath(p, async (real) => readdirSync(real).sort());
  }

  async readLink(p: string): Promise<string | null> {
    return this.withPath(p, async (real) => {
      const st = lstatSync(real);
      if (st.isSymbolicLink()) return readlinkSync(real);
      if (!st.isFile()) return null;
      const t = readText(real).trim();
      return t && !t.includes('\n') ? t : null;
    });
  }

  async stat(p: string): Promise<NodeInfo | null> {
    const meta = this.files[hostPath(p)];
    if (meta) return { type: meta.type, mode: meta.mode, uid: meta.uid, gid: meta.gid };
    return this.withPath(p, async (real) => nodeInfoOf(statSync(real)));
  }

  async run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    let script: string | null = null;
    if (!command.includes('/')) {
      if (command && command !== '.' && command !== '..') script = path.join(this.bin, command);
    } else if (command.startsWith('/')) {
      script = this.under(command);
    }
    const st = script ? await lstatOrNull(script) : null;
    if (!script || !st || !st.isFile()) {
      return { status: 'missing', exitCode: null, stdout: '', stderr: '', ms: 0, command, args };
    }
    return spawnBounded({
      file: '/bin/sh',
      argv: [script, ...args],
      command,
      args,
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxBytes,
      signal: opts.signal,
      long: opts.long,
      env: opts.env,
      onOutput: opts.onOutput,
      cwd: this.dir,
    });
  }
}
