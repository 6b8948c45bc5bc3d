// Shared by the reliability tests: a seeded PRNG, child runs that can be
// killed, and the invariants every interrupted or racing run must leave behind
// (a whole config, foreign lines kept, config and overlays agreeing).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { imageTagFor, modeSpec, resolveMode, STATE_DIR, type Mode } from '../../src/catalog.js';
import { readOwned, updateConf } from '../../src/conf/index.js';
import { generatedBy } from '../../src/render/index.js';
import { BIN, REPO } from '../helpers/cli.js';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** KG_INIT_RELIABILITY_SEED reproduces a failing run; the default keeps CI deterministic. */
export const SEED = Number(process.env.KG_INIT_RELIABILITY_SEED ?? 20260521);

export interface Child {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the built CLI; the caller may SIGKILL it at any moment. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}, cwd = REPO): Child {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env })) {
    if (v !== undefined) full[k] = v;
  }
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // A hang would fail the test by its own timeout; this only stops a stray child.
  const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const done = new Promise<Awaited<Child['done']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export const TMP_FILE_RE = /\.kg-init-\d+-[0-9a-f]+\.tmp$/;

/** Temp files of an atomic write left in dir (only a killed run may leave one). */
export function tempFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => TMP_FILE_RE.test(n));
}

export function lockHeld(dir: string): boolean {
  return existsSync(join(dir, STATE_DIR, 'lock'));
}

/** The mode .operator.conf selects; its overlay (if the mode has one) must be generated for that mode. */
export function configAndOverlayAgree(dir: string): Mode {
  const conf = readFileSync(join(dir, '.operator.conf'), 'utf8');
  const owned = readOwned(conf);
  const resolved = resolveMode(owned.GPU_MODE ?? '');
  expect(resolved, `GPU_MODE in\n${conf}`).not.toBeNull();
  const mode = resolved!.mode;
  // The tag is written only as an explicit override; otherwise the platform's
  // image-tag.sh derives it from GPU_MODE, so that helper must be there.
  if (owned.KG_API_IMAGE_TAG !== undefined) expect(owned.KG_API_IMAGE_TAG).toBe(imageTagFor(mode));
  else expect(existsSync(join(dir, 'operator', 'lib', 'image-tag.sh')), 'no KG_API_IMAGE_TAG and no image-tag.sh to derive it').toBe(true);
  // Absent is the platform's default, ghcr (kg-init never adds it to an existing config unasked).
  expect(owned.IMAGE_SOURCE ?? 'ghcr').toBe('ghcr');
  const overlay = modeSpec(mode).overlay;
  if (overlay) {
    expect(existsSync(join(dir, overlay)), `${overlay} for GPU_MODE=${mode}`).toBe(true);
    expect(generatedBy(readFileSync(join(dir, overlay), 'utf8'))).toEqual({ mode });
  }
  expect(existsSync(join(dir, 'docker-compose.ghcr.yml'))).toBe(true);
  return mode;
}

/**
 * The config is whole: byte-for-byte the text before the run, or that text
 * with exactly the owned keys of `mode` set (INITIALIZED_AT as the run wrote it).
 */
export function isOldOrNew(now: string, before: string, mode: Mode): 'old' | 'new' {
  if (now === before) return 'old';
  const at = readOwned(now).INITIALIZED_AT;
  expect(at, 'INITIALIZED_AT in the new config').toBeDefined();
  // KG_API_IMAGE_TAG only as an explicit override, IMAGE_SOURCE only where it was
  // (or a new config): when the run wrote them they carry the mode's values.
  const owned = readOwned(now);
  const expected = updateConf(before, {
    GPU_MODE: mode,
    ...(owned.KG_API_IMAGE_TAG !== undefined ? { KG_API_IMAGE_TAG: imageTagFor(mode) } : {}),
    ...(owned.IMAGE_SOURCE !== undefined ? { IMAGE_SOURCE: 'ghcr' as const } : {}),
    INITIALIZED_AT: at,
  });
  expect(now, `neither the old config nor the new one for ${mode}`).toBe(expected);
  return 'new';
}

/** Every line in `lines` occurs in `text`, in this order. */
export function keepsLinesInOrder(text: string, lines: string[]): boolean {
  const have = text.split('\n');
  let i = 0;
  for (const l of have) if (i < lines.length && l === lines[i]) i++;
  return i === lines.length;
}
