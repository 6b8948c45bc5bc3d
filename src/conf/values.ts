// The keys kg-init owns in .operator.conf and the strict shapes of the values
// it writes. Every written value matches one of these patterns, so no byte we
// write means anything to a shell (no quotes, spaces, `$`, backticks, `;`...).
import * as z from 'zod/mini';
import '../zod-setup.js';
import { MODES } from '../catalog.js';
import { TAG_RE } from '../patterns.js';

export const OWNED_KEYS = ['GPU_MODE', 'KG_API_IMAGE_TAG', 'IMAGE_SOURCE', 'INITIALIZED_AT'] as const;
export type OwnedKey = (typeof OWNED_KEYS)[number];

/** UTC timestamp to the second, e.g. 2026-05-28T09:14:03Z. */
export const INITIALIZED_AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export const confValueSchemas = {
  GPU_MODE: z.enum(MODES),
  KG_API_IMAGE_TAG: z.string().check(z.regex(TAG_RE)),
  // The platform adds the GHCR compose file only when IMAGE_SOURCE=ghcr; local builds from a clone.
  IMAGE_SOURCE: z.enum(['ghcr', 'local']),
  INITIALIZED_AT: z.string().check(z.regex(INITIALIZED_AT_RE)),
} as const satisfies Record<OwnedKey, z.ZodMiniType<string>>;

export type ConfValues = Partial<Record<OwnedKey, string>>;

/** Validates values about to be written; throws on anything outside the patterns. */
export function checkConfValues(values: ConfValues): ConfValues {
  const out: ConfValues = {};
  for (const key of OWNED_KEYS) {
    const v = values[key];
    if (v === undefined) continue;
    const r = confValueSchemas[key].safeParse(v);
    if (!r.success) throw new Error(`refusing to write ${key}=${JSON.stringify(v)}: not a valid value`);
    out[key] = r.data;
  }
  return out;
}

/** INITIALIZED_AT for a moment (seconds precision, UTC). */
export function timestampOf(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
