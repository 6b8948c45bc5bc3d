// Loads the CommonJS bundle (dist/cli.cjs) and the files it requires beside it
// (dist/execa.cjs, dist/yaml.cjs) with a V8 code cache, as Node 22's
// module.enableCompileCache() does (Node 20 has none). Without it, compiling
// them is a third of a headless run; with it, V8 reads back the bytecode it
// made the first time, including that of every function the run called.
//
// The cache is this user's: `$XDG_CACHE_HOME/kg-init` (default ~/.cache/kg-init,
// ~/Library/Caches/kg-init on macOS), one file per bundle, keyed by the bundle's
// content hash (the first line the build writes), Node's version and the CPU
// architecture; V8 checks its own version and flags again and rejects what does
// not match. Bytecode is code, so only a directory and files owned by this user
// and writable by no one else are read or written, never through a symbolic
// link (sudo keeping another user's HOME gets no cache); a missing parent is
// created only under a directory this user owns. It is written once, when the
// run that had no cache ends (not after a Ctrl+C), to a temporary file renamed
// into place; the files of other versions of kg-init are removed then.
// Anything unexpected means no cache, never an error: the run is the same,
// only slower. KG_INIT_NO_COMPILE_CACHE=1 (or Node's NODE_DISABLE_COMPILE_CACHE=1)
// turns it off; KG_INIT_DEBUG says on stderr what happened to each file.
import {
  closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync,
  statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** The first line of a bundle the build stamped: its content hash. */
const HASH_LINE = /^\/\/ kg-init ([0-9a-f]{16})\n/;
/** Larger than any cache kg-init makes (some 0.2 MB each); a bigger file is not ours. */
const MAX_CACHE_BYTES = 16 << 20;
const CANCELLED = 130;

type Env = Record<string, string | undefined>;

/** Where the cache lives for this environment, or null when there is none. */
export function cacheDirFor(env: Env, home: string, platform: string = process.platform): string | null {
  if (env.KG_INIT_NO_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return null;
  if (typeof process.geteuid !== 'function') return null;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'kg-init');
  if (!home || !isAbsolute(home)) return null;
  return platform === 'darwin' ? join(home, 'Library', 'Caches', 'kg-init') : join(home, '.cache', 'kg-init');
}

const euid = () => (process.geteuid ? process.geteuid() : -1);
/** Owned by this user and writable by no one else. */
const ours = (st: Stats) => st.uid === euid() && (st.mode & 0o022) === 0;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** The cache file's bytes, when it is a regular file of ours (not a link) of a plausible size. */
function readCache(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !ours(st) || st.size === 0 || st.size > MAX_CACHE_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) return undefined;
      off += n;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The cache directory, created (0700) when missing and its nearest existing parent is this user's. */
function ensureDir(dir: string): boolean {
  const st = lstatOrNull(dir);
  if (st) return st.isDirectory() && ours(st);
  const missing: string[] = [];
  let p = dir;
  while (!lstatOrNull(p)) {
    missing.unshift(p);
    const up = dirname(p);
    if (up === p) return false;
    p = up;
  }
  try {
    // The existing ancestor may be reached through a link (a HOME under /var on macOS); it must be ours.
    const anc = statSync(p);
    if (!anc.isDirectory() || anc.uid !== euid()) return false;
    for (const m of missing) mkdirSync(m, { mode: 0o700 });
  } catch {
    return false;
  }
  const made = lstatOrNull(dir);
  return made !== null && made.isDirectory() && ours(made);
}

interface Pending {
  name: string;
  key: string;
  script: Script;
}

export class CompileCache {
  private readonly loaded = new Map<string, { exports: unknown }>();
  private readonly pending: Pending[] = [];
  private dirChecked: boolean | undefined;

  constructor(
    /** null: no cache, the bundles are compiled as usual. */
    readonly dir: string | null,
    private readonly debug: ((line: string) => void) | null = null,
  ) {}

  private dirUsable(): boolean {
    if (this.dirChecked === undefined) {
      const st = this.dir ? lstatOrNull(this.dir) : null;
      this.dirChecked = st !== null && st.isDirectory() && ours(st);
    }
    return this.dirChecked;
  }

  /** Runs a CommonJS bundle (once) and returns its exports; `./x.cjs` requires load the same way. */
  require(file: string): unknown {
    const done = this.loaded.get(file);
    if (done) return done.exports;
    const source = readFileSync(file, 'utf8');
    const name = basename(file);
    const hash = HASH_LINE.exec(source)?.[1];
    const key = this.dir && hash ? `${name}-${hash}-${process.version}-${process.arch}.v8` : null;
    const cached = key && this.dirUsable() ? readCache(join(this.dir!, key)) : undefined;
    // Node's own CommonJS wrapper, so the bundle sees what require() would give it.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
      filename: file,
      ...(cached ? { cachedData: cached } : {}),
    });
    if (key) {
      const rejected = cached !== undefined && script.cachedDataRejected === true;
      this.debug?.(`compile cache ${name}: ${cached === undefined ? 'none' : rejected ? 'rejected' : 'used'}`);
      if (cached === undefined || rejected) this.pending.push({ name, key, script });
    } else {
      this.debug?.(`compile cache ${name}: off${this.dir ? ' (no content hash)' : ''}`);
    }
    const mod = { exports: {} as unknown };
    this.loaded.set(file, mod);
    const here = dirname(file);
    const nodeRequire = createRequire(file);
    const req = (id: string): unknown => (id.startsWith('./') ? this.require(join(here, id)) : nodeRequire(id));
    (script.runInThisContext() as (e: unknown, r: unknown, m: unknown, f: string, d: string) => void)(mod.exports, req, mod, file, here);
    return mod.exports;
  }

  /** Writes the caches this run lacked; called once, as the process exits. */
  write(exitCode: number): void {
    if (!this.dir || this.pending.length === 0 || exitCode === CANCELLED) return;
    if (!ensureDir(this.dir)) {
      this.debug?.(`compile cache: not written (${this.dir} is not a directory of this user's, writable by no one else)`);
      return;
    }
    for (const p of this.pending.splice(0)) {
      const tmp = join(this.dir, `.${p.key}.${process.pid}.tmp`);
      try {
        const data = p.script.createCachedData();
        const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          let off = 0;
          while (off < data.length) off += writeSync(fd, data, off, data.length - off);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, join(this.dir, p.key));
        // The caches of this bundle's other versions (another kg-init, another Node).
        for (const f of readdirSync(this.dir)) {
          if (f !== p.key && f.startsWith(`${p.name}-`) && f.endsWith('.v8')) unlinkSync(join(this.dir, f));
        }
        this.debug?.(`compile cache ${p.name}: written`);
      } catch (e) {
        try {
          unlinkSync(tmp);
        } catch {
          /* never made */
        }
        this.debug?.(`compile cache ${p.name}: not written (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }
}

/**
 * The shim's entry: requires `file` (dist/cli.cjs) through this user's compile
 * cache, and writes the cache when the process exits if it had none.
 */
export function requireCli(file: string): unknown {
  const env = process.env;
  let home = '';
  try {
    home = homedir();
  } catch {
    /* no home: no cache */
  }
  const debug = env.KG_INIT_DEBUG ? (line: string) => void process.stderr.write(`kg-init: ${line}\n`) : null;
  const cache = new CompileCache(cacheDirFor(env, home), debug);
  process.once('exit', (code) => cache.write(code));
  return cache.require(file);
}
