// Re-init memory: per install directory, the hardware kg-init last configured
// it for (a fingerprint of the GPUs, the mode, the tag, when). It lives in two
// places:
//  - the install directory's own `.kg-init/state.json`, written by applyPlan
//    inside its transaction (stateFileText() gives the bytes), so it moves
//    with the directory and is never out of step with the files;
//  - the user's config directory (kg-init.json, keyed by the directory's
//    realpath), written after a successful apply (recordInstall()), so a
//    re-run still knows what was there if `.kg-init/` was deleted. Entries
//    for directories that no longer exist are dropped when it is written, and
//    at most MAX_REMEMBERED (the most recent) are kept, so the file stays small
//    however many directories a user has ever configured.
import { realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureDirSync } from '../util/ensure-dir.js';
import { READ_LIMIT, readRegular, readRegularFollowing } from '../util/safe-fs.js';
import { GPU_VENDORS, MODES, STATE_DIR, imageTagFor, type GpuVendor, type Mode } from '../catalog.js';
import { releaseOfTag } from '../tags.js';
import type { Gpu, Report } from '../report.js';
import { gpuIdLabel } from '../present/gpu.js';
import { sanitizeDeep } from '../util/sanitize.js';

/** Relative to the install directory. */
export const STATE_FILE = `${STATE_DIR}/state.json`;

export interface GpuFingerprint {
  vendor: GpuVendor;
  name?: string;
  /** vendorId:deviceId, e.g. 1002:744c. */
  pciId?: string;
  pciAddress?: string;
  gfxTarget?: string;
  uuid?: string;
}

export interface InstallMemory {
  schemaVersion: 1;
  /** Realpath of the install directory when it was recorded. */
  dir: string;
  gpus: GpuFingerprint[];
  mode: Mode;
  imageTag: string;
  /** ISO time of the install. */
  at: string;
  kgInitVersion: string;
}

// Checked by hand rather than with a schema library: a re-init reads one of
// these, and a headless run should not load a validator for it.
const VENDORS: ReadonlySet<unknown> = new Set(GPU_VENDORS);
const FINGERPRINT_KEYS = ['name', 'pciId', 'pciAddress', 'gfxTarget', 'uuid'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asFingerprint(v: unknown): GpuFingerprint | null {
  if (!isObject(v) || !VENDORS.has(v.vendor)) return null;
  const f: GpuFingerprint = { vendor: v.vendor as GpuFingerprint['vendor'] };
  for (const k of FINGERPRINT_KEYS) {
    if (v[k] === undefined) continue;
    if (typeof v[k] !== 'string') return null;
    f[k] = v[k] as string;
  }
  return f;
}

/** A remembered install, or null when `v` is not one (only its known fields are kept). */
export function asInstallMemory(v: unknown): InstallMemory | null {
  if (!isObject(v) || v.schemaVersion !== 1 || !Array.isArray(v.gpus)) return null;
  if (!(MODES as readonly unknown[]).includes(v.mode)) return null;
  for (const k of ['dir', 'imageTag', 'at', 'kgInitVersion'] as const) if (typeof v[k] !== 'string') return null;
  const gpus: GpuFingerprint[] = [];
  for (const g of v.gpus) {
    const f = asFingerprint(g);
    if (!f) return null;
    gpus.push(f);
  }
  return {
    schemaVersion: 1,
    dir: v.dir as string,
    gpus,
    mode: v.mode as Mode,
    imageTag: v.imageTag as string,
    at: v.at as string,
    kgInitVersion: v.kgInitVersion as string,
  };
}

// ------------------------------------------------------------------ pure

function hex(id: string | undefined): string | undefined {
  return id?.toLowerCase().replace(/^0x/, '');
}

/** What identifies the GPUs of a host, in the probe's order (compared as a set). */
export function fingerprint(report: Report): GpuFingerprint[] {
  // 'other' is an emulated or management VGA (QEMU, ASPEED BMC): not a GPU a user swaps.
  return report.gpus
    .filter((g) => g.vendor !== 'other')
    .map((g: Gpu): GpuFingerprint => {
      const f: GpuFingerprint = { vendor: g.vendor };
      if (g.name) f.name = g.name;
      const v = hex(g.vendorId);
      const d = hex(g.deviceId);
      if (v && d) f.pciId = `${v}:${d}`;
      if (g.pciAddress) f.pciAddress = g.pciAddress;
      if (g.gfxTarget) f.gfxTarget = g.gfxTarget;
      if (g.uuid) f.uuid = g.uuid;
      return f;
    });
}

/** One GPU's identity: its UUID when it has one, else model and slot. */
function key(f: GpuFingerprint): string {
  return f.uuid ? `uuid:${f.uuid.toLowerCase()}` : `${f.vendor}:${f.pciId ?? f.name ?? '?'}@${f.pciAddress ?? '?'}`;
}

export function memoryFor(
  dirRealpath: string,
  report: Report,
  chosen: { mode: Mode; imageTag: string },
  meta: { now: Date; version: string },
): InstallMemory {
  return {
    schemaVersion: 1,
    dir: dirRealpath,
    gpus: fingerprint(report),
    mode: chosen.mode,
    imageTag: chosen.imageTag,
    at: meta.now.toISOString(),
    kgInitVersion: meta.version,
  };
}

/** The bytes of `.kg-init/state.json` for applyPlan to write with the other files. */
export function stateFileText(m: InstallMemory): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

export function parseMemory(text: string): InstallMemory | null {
  try {
    // A planted state.json must not put escape sequences on the terminal.
    const m = asInstallMemory(JSON.parse(text));
    return m ? sanitizeDeep(m) : null;
  } catch {
    return null;
  }
}

function gpusLabel(gpus: GpuFingerprint[]): string {
  return gpus.length ? gpus.map(gpuIdLabel).join(' + ') : 'no GPU';
}

export interface ChangeSummary {
  /** The GPUs differ from those recorded (added, removed or swapped). */
  gpuChanged: boolean;
  /** The recorded mode is not this host's recommendation. */
  modeChanged: boolean;
  /** 'old GPU → new GPU', 'old mode → new recommendation', for the summary and the wizard. */
  lines: string[];
}

/** What changed since the install was last configured. No previous memory: nothing to say. */
export function describeChange(previous: InstallMemory | null, report: Report): ChangeSummary {
  if (!previous) return { gpuChanged: false, modeChanged: false, lines: [] };
  const now = fingerprint(report);
  const before = new Set(previous.gpus.map(key));
  const after = new Set(now.map(key));
  const gpuChanged = before.size !== after.size || [...before].some((k) => !after.has(k));
  const rec = report.recommendation;
  const modeChanged = previous.mode !== rec.mode;
  const lines: string[] = [];
  if (gpuChanged) lines.push(`GPU: ${gpusLabel(previous.gpus)} → ${gpusLabel(now)}`);
  if (modeChanged) {
    // The tag a re-init would write: the recommendation's, keeping the release the old tag pinned.
    const recTag = imageTagFor(rec.mode, releaseOfTag(previous.imageTag));
    lines.push(`mode: ${previous.mode} (kg-api:${previous.imageTag}) → recommended ${rec.mode} (kg-api:${recTag})`);
  }
  if (lines.length) lines.push(`last configured ${previous.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} by kg-init ${previous.kgInitVersion}`);
  return { gpuChanged, modeChanged, lines };
}

// ------------------------------------------------------------------ I/O

type Env = Record<string, string | undefined>;

async function canonical(dir: string): Promise<string> {
  const abs = resolve(dir);
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}

/** The most installs the user store remembers (the most recently configured). */
export const MAX_REMEMBERED = 1000;

/**
 * The user store's file: $KG_INIT_CONFIG_DIR/kg-init.json, else the platform's
 * config directory (where kg-init has always kept it): $XDG_CONFIG_HOME or
 * ~/.config on Linux, ~/Library/Preferences on macOS, %APPDATA%\kg-init\Config
 * on Windows.
 */
function storePath(env: Env): string {
  if (env.KG_INIT_CONFIG_DIR) return join(env.KG_INIT_CONFIG_DIR, 'kg-init.json');
  const home = homedir();
  const dir =
    process.platform === 'darwin'
      ? join(home, 'Library', 'Preferences', 'kg-init')
      : process.platform === 'win32'
        ? join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'kg-init', 'Config')
        : join(env.XDG_CONFIG_HOME || join(home, '.config'), 'kg-init');
  return join(dir, 'kg-init.json');
}

/** The remembered installs by directory; {} when the file is missing or not ours (it is a cache). */
function readStore(path: string): Record<string, unknown> {
  let data: unknown;
  try {
    // The user's own store: a link is followed, but only to a regular file, bounded.
    const bytes = readRegularFollowing(path, READ_LIMIT.other);
    if (!bytes) return {};
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    return {};
  }
  const installs = (data as { installs?: unknown } | null)?.installs;
  return installs && typeof installs === 'object' && !Array.isArray(installs) ? (installs as Record<string, unknown>) : {};
}

/**
 * Replaces the store: a temporary file beside it (mode 0600), renamed over it,
 * so a reader never sees half a file. Not flushed to disk: it is a cache of
 * what `.kg-init/state.json` holds, and a store lost to a crash reads as empty.
 */
function writeStore(path: string, installs: Record<string, unknown>): void {
  ensureDirSync(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ installs }, null, '\t')}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Never created.
    }
    throw e;
  }
}

function exists(p: string): boolean {
  try {
    // No exception for a missing path: a store of 100,000 gone entries is checked in a blink.
    return statSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENOTDIR, EACCES: not a directory kg-init can configure again
  }
}

/**
 * What the store keeps: `installs` less the directories that no longer exist,
 * then the MAX_REMEMBERED most recently configured.
 */
export function pruneInstalls(installs: Record<string, unknown>, keep = MAX_REMEMBERED, dirExists: (p: string) => boolean = exists): Record<string, unknown> {
  const at = (v: unknown) => {
    const t = (v as { at?: unknown } | null)?.at;
    return typeof t === 'string' ? t : '';
  };
  const live = Object.entries(installs).filter(([dir]) => dirExists(dir));
  // Newest first; ISO times compare as plain strings.
  live.sort((x, y) => {
    const a = at(x[1]);
    const b = at(y[1]);
    return a < b ? 1 : a > b ? -1 : 0;
  });
  return Object.fromEntries(live.slice(0, keep));
}

/** Where the user-level memory lives (for messages and tests). */
export async function memoryStorePath(env: Env = process.env): Promise<string> {
  return storePath(env);
}

/**
 * Remembers an install in the user's config directory, dropping what
 * pruneInstalls drops. Returns an error message instead of throwing: the
 * install itself has succeeded by then and `.kg-init/state.json` already
 * holds the same facts.
 */
export async function recordInstall(memory: InstallMemory, env: Env = process.env): Promise<string | null> {
  try {
    const path = storePath(env);
    const dir = await canonical(memory.dir);
    const installs = readStore(path);
    delete installs[dir];
    // This install is kept whatever its time says; the others make room for it.
    writeStore(path, { [dir]: { ...memory, dir }, ...pruneInstalls(installs, MAX_REMEMBERED - 1) });
    return null;
  } catch (e) {
    return `could not remember this install in the user config directory: ${(e as Error).message}`;
  }
}

/**
 * What kg-init last configured in `dir`: the directory's own state file
 * first (it is written with the files), else the user-level memory.
 */
export async function readMemory(dir: string, env: Env = process.env): Promise<InstallMemory | null> {
  const real = await canonical(dir);
  try {
    // In the install directory: never through a link, a regular file only (a FIFO never blocks), bounded.
    const bytes = readRegular(join(real, STATE_FILE), READ_LIMIT.state);
    const own = bytes ? parseMemory(bytes.toString('utf8')) : null;
    if (own) return own;
  } catch {
    // No state file (first install, or .kg-init/ removed): ask the user store.
  }
  return asInstallMemory(readStore(storePath(env))[real]);
}
