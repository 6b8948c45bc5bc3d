// Replays a recorded host (format: test/hosts/README.md). Host paths are
// read under <dir>/root; symlinks stored as plain files (git core.symlinks=false)
// are followed as links; device-node metadata and the user's identity come from
// host.json; commands exist only as scripts in <dir>/bin (or, for an absolute
// host path, as root/<path>) and run under /bin/sh with the live time bound.
// Files are read synchronously behind the Host's promises, as LiveHost does
// (see live.ts).
import { lstatSync, readFileSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import '../zod-setup.js';
import type { Host, Identity, NodeInfo, RunOptions, RunResult } from './types.js';
import { spawnBounded } from './spawn.js';
import { nodeInfoOf } from './live.js';

const octal = z.pipe(
  z.string().check(z.regex(/^0?[0-7]{3,4}$/, 'expected an octal mode such as "0660"')),
  z.transform((s: string) => parseInt(s, 8)),
);

export const hostFileSchema = z.object({
  description: z.optional(z.string()),
  platform: z.enum(['linux', 'darwin', 'win32', 'freebsd', 'openbsd', 'aix', 'sunos', 'android', 'cygwin', 'netbsd', 'haiku']),
  arch: z.string().check(z.minLength(1)),
  kernelRelease: z.string(),
  identity: z.object({
    user: z.string(),
    uid: z.number().check(z.int()),
    gid: z.number().check(z.int()),
    groups: z.array(z.number().check(z.int())),
  }),
  files: z._default(
    z.record(
      z.string().check(z.startsWith('/')),
      z.object({
        type: z.enum(['char', 'block', 'file', 'dir', 'other']),
        mode: octal,
        uid: z.number().check(z.int()),
        gid: z.number().check(z.int()),
      }),
    ),
    {},
  ),
});
export type HostFile = z.input<typeof hostFileSchema>;
type ParsedHostFile = z.output<typeof hostFileSchema>;

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
      const st = await lstatOrNull(this.under(cand));
      if (!st) return null;
      if (st.isSymbolicLink() || st.isFile()) {
        if (++hops > MAX_HOPS) return null;
        const target = st.isSymbolicLink()
          ? readlinkSync(this.under(cand))
          : readFileSync(this.under(cand), 'utf8').trim();
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
    return this.withPath(p, async (real) => readFileSync(real, 'utf8'));
  }

  async list(p: string): Promise<string[] | null> {
    return this.withPath(p, async (real) => readdirSync(real).sort());
  }

  async readLink(p: string): Promise<string | null> {
    return this.withPath(p, async (real) => {
      const st = lstatSync(real);
      if (st.isSymbolicLink()) return readlinkSync(real);
      if (!st.isFile()) return null;
      const t = readFileSync(real, 'utf8').trim();
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
      cwd: this.dir,
    });
  }
}
