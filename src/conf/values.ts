// The keys kg-init owns in .operator.conf and the strict shapes of the values
// it writes. Every written value matches one of these patterns, so no byte we
// write means anything to a shell (no quotes, spaces, `$`, backticks, `;`...).
// Checked by hand (no schema library on the headless path); the zod schema in
// ./values-schema.ts is the reference, and test/conf/values.test.ts holds the
// two equal.
import { MODES } from '../catalog.js';
import { TAG_RE } from '../patterns.js';

export const OWNED_KEYS = ['GPU_MODE', 'KG_API_IMAGE_TAG', 'IMAGE_SOURCE', 'INITIALIZED_AT'] as const;
export type OwnedKey = (typeof OWNED_KEYS)[number];

/** UTC timestamp to the second, e.g. 2026-05-28T09:14:03Z. */
export const INITIALIZED_AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The platform adds the GHCR compose file only when IMAGE_SOURCE=ghcr; local builds from a clone. */
export const IMAGE_SOURCES = ['ghcr', 'local'] as const;

/** Whether `v` is a value kg-init may write for `key`. */
export const confValueOk: Record<OwnedKey, (v: unknown) => boolean> = {
  GPU_MODE: (v) => typeof v === 'string' && (MODES as readonly string[]).includes(v),
  KG_API_IMAGE_TAG: (v) => typeof v === 'string' && TAG_RE.test(v),
  IMAGE_SOURCE: (v) => typeof v === 'string' && (IMAGE_SOURCES as readonly string[]).includes(v),
  INITIALIZED_AT: (v) => typeof v === 'string' && INITIALIZED_AT_RE.test(v),
};

export type ConfValues = Partial<Record<OwnedKey, string>>;

/** Validates values about to be written; throws on anything outside the patterns. */
export function checkConfValues(values: ConfValues): ConfValues {
  const out: ConfValues = {};
  for (const key of OWNED_KEYS) {
    const v = values[key];
    if (v === undefined) continue;
    if (!confValueOk[key](v)) throw new Error(`refusing to write ${key}=${JSON.stringify(v)}: not a valid value`);
    out[key] = v;
  }
  return out;
}

/** INITIALIZED_AT for a moment (seconds precision, UTC). */
export function timestampOf(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
