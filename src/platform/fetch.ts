// First install from nothing: the files the platform's standalone installer
// lays out, fetched from a base laid out like the platform repository (its raw
// files at a release tag or main, or a local copy), checked, and adapted the
// way the installer adapts them. Nothing is written here: the files join the
// plan and are written in the same transaction as the GPU files.
import { stat } from '../util/fs-async.js';
import { readRegularFollowing, UnsafeFileError } from '../util/safe-fs.js';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KgInitError, EXIT } from '../errors.js';

export const PLATFORM_REPO_RAW = 'https://raw.githubusercontent.com/aaronsb/knowledge-graph-system';

export interface PlatformFileSpec {
  /** Path in the platform repository. */
  from: string;
  /** Path in the install directory. */
  to: string;
  kind: 'compose' | 'script' | 'text';
  /** File mode of the new file. */
  mode: number;
  maxBytes: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** What the platform's standalone installer downloads (kg-init renders the GHCR file and the GPU overlays itself). */
export const PLATFORM_FILES: readonly PlatformFileSpec[] = [
  { from: 'docker/docker-compose.yml', to: 'docker-compose.yml', kind: 'compose', mode: 0o644, maxBytes: 1 * MIB },
  { from: 'docker/docker-compose.standalone.yml', to: 'docker-compose.standalone.yml', kind: 'compose', mode: 0o644, maxBytes: 1 * MIB },
  { from: 'operator.sh', to: 'operator.sh', kind: 'script', mode: 0o755, maxBytes: 2 * MIB },
  { from: 'operator/lib/image-tag.sh', to: 'operator/lib/image-tag.sh', kind: 'script', mode: 0o644, maxBytes: 512 * KIB },
  { from: 'operator/lib/configure-ai.sh', to: 'operator/lib/configure-ai.sh', kind: 'script', mode: 0o644, maxBytes: 2 * MIB },
  { from: 'schema/00_baseline.sql', to: 'schema/00_baseline.sql', kind: 'text', mode: 0o644, maxBytes: 16 * MIB },
  { from: 'config/garage.toml', to: 'config/garage.toml', kind: 'text', mode: 0o644, maxBytes: 512 * KIB },
];

export interface FetchedFile {
  path: string;
  text: string;
  mode: number;
}

export interface PlatformSource {
  /** What the user gave (or the default), for messages. */
  label: string;
  kind: 'url' | 'dir';
  /** Base URL ending in '/', or an absolute directory. */
  base: string;
}

/** The default source: the platform repository's raw files at v<release>, else main. */
export function defaultPlatformSource(release: string | undefined): string {
  return `${PLATFORM_REPO_RAW}/${release ? `v${release}` : 'main'}/`;
}

/** --platform-source (or KG_INIT_PLATFORM_SOURCE): an http(s) or file URL, or a directory. */
export function resolvePlatformSource(raw: string, cwd: string): PlatformSource {
  if (/^https?:\/\//i.test(raw)) return { label: raw, kind: 'url', base: raw.endsWith('/') ? raw : `${raw}/` };
  if (/^file:\/\//i.test(raw)) return { label: raw, kind: 'dir', base: fileURLToPath(raw) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new KgInitError(`--platform-source ${raw}: only http, https and file URLs or a directory are supported`, EXIT.usage);
  }
  return { label: raw, kind: 'dir', base: isAbsolute(raw) ? raw : resolve(cwd, raw) };
}

function unreachable(where: string, why: string): KgInitError {
  return new KgInitError(
    `cannot install the platform: ${where}: ${why}. Nothing was written.`,
    EXIT.failure,
    'Without network access, copy the platform repository (or its raw files at a release) to this machine and pass --platform-source DIR.',
  );
}

/** Checks what arrived is the file asked for, not an error page or something cut short. */
export function verifyPlatformFile(spec: PlatformFileSpec, bytes: Uint8Array, where: string, parseYaml: (text: string) => unknown): string {
  if (bytes.length === 0) throw unreachable(where, 'the file is empty');
  if (bytes.length > spec.maxBytes) throw unreachable(where, `larger than ${spec.maxBytes} bytes, the most expected for ${spec.from}`);
  if (bytes.includes(0)) throw unreachable(where, 'not a text file (it contains NUL bytes)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw unreachable(where, 'not UTF-8 text');
  }
  if (/^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(text)) throw unreachable(where, 'an HTML page came back instead of the file (a proxy or error page?)');
  if (spec.kind === 'script' && spec.to === 'operator.sh' && !text.startsWith('#!')) throw unreachable(where, 'not a shell script (no #! line)');
  if (spec.kind === 'compose') {
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw unreachable(where, `not valid YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('services' in doc)) {
      throw unreachable(where, 'not a compose file (no services)');
    }
  }
  return text;
}

/**
 * The installer's path adaptation: the repository's compose files live in
 * docker/ and mount ../schema and ../config; beside operator.sh they are ./.
 */
export function adaptForStandalone(text: string): string {
  return text.replace(/\.\.\/schema\//g, './schema/').replace(/\.\.\/config\//g, './config/');
}

async function readBounded(res: Response, max: number, where: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw unreachable(where, `larger than ${max} bytes (${declared})`);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw unreachable(where, `larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function describeNetError(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'no answer in time';
  const cause = err?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'host not found (no network or DNS?)';
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? err?.message ?? String(e);
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** Per file (default 30 s). */
  timeoutMs?: number;
  /** Called before each file. */
  onFile?(path: string, index: number, count: number): void;
}

/** Fetches and checks every platform file; throws a KgInitError (exit 1) naming the URL or path and why. */
export async function fetchPlatform(source: PlatformSource, opts: FetchOptions = {}): Promise<FetchedFile[]> {
  // Loaded only for a first install; the split build may hand the module over as its default export.
  const yaml = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  const parse = typeof yaml.parse === 'function' ? yaml.parse : yaml.default!.parse;
  const parseYaml = (t: string) => parse(t, { logLevel: 'error' });
  if (source.kind === 'dir') {
    try {
      if (!(await stat(source.base)).isDirectory()) throw unreachable(source.base, 'not a directory');
    } catch (e) {
      if (e instanceof KgInitError) throw e;
      throw unreachable(source.base, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message);
    }
  }
  const out: FetchedFile[] = [];
  for (const [i, spec] of PLATFORM_FILES.entries()) {
    if (opts.signal?.aborted) throw new KgInitError('cancelled; nothing was written', EXIT.cancelled);
    opts.onFile?.(spec.to, i, PLATFORM_FILES.length);
    let bytes: Uint8Array;
    let where: string;
    if (source.kind === 'dir') {
      where = join(source.base, spec.from);
      try {
        // A regular file only (a FIFO refused before it blocks), at most maxBytes.
        const read = readRegularFollowing(where, spec.maxBytes);
        if (read === null) throw unreachable(where, 'no such file');
        bytes = read;
      } catch (e) {
        if (e instanceof UnsafeFileError) throw unreachable(where, e.why);
        if (e instanceof KgInitError) throw e;
        throw unreachable(where, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message);
      }
    } else {
      where = new URL(spec.from, source.base).href;
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await fetch(where, { signal, redirect: 'follow', headers: { accept: 'text/plain, */*' } });
      } catch (e) {
        if (opts.signal?.aborted) throw new KgInitError('cancelled; nothing was written', EXIT.cancelled);
        throw unreachable(where, describeNetError(e));
      }
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        throw unreachable(where, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
      }
      if (/text\/html/i.test(res.headers.get('content-type') ?? '')) {
        await res.body?.cancel().catch(() => {});
        throw unreachable(where, 'an HTML page came back instead of the file (a proxy or error page?)');
      }
      try {
        bytes = await readBounded(res, spec.maxBytes, where);
      } catch (e) {
        if (e instanceof KgInitError) throw e;
        throw unreachable(where, describeNetError(e));
      }
    }
    let text = verifyPlatformFile(spec, bytes, where, parseYaml);
    if (spec.kind === 'compose') text = adaptForStandalone(text);
    out.push({ path: spec.to, text, mode: spec.mode });
  }
  return out;
}
