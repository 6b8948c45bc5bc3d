// The written .operator.conf values as zod schemas: the reference the hand
// checks in ./values.ts follow (test/conf/values.test.ts holds them equal).
// Not imported by kg-init itself, so no run loads a schema library for them.
import * as z from 'zod/mini';
import '../zod-setup.js';
import { MODES } from '../catalog.js';
import { TAG_RE } from '../patterns.js';
import { IMAGE_SOURCES, INITIALIZED_AT_RE, type OwnedKey } from './values.js';

export const confValueSchemas = {
  GPU_MODE: z.enum(MODES),
  KG_API_IMAGE_TAG: z.string().check(z.regex(TAG_RE)),
  IMAGE_SOURCE: z.enum(IMAGE_SOURCES),
  INITIALIZED_AT: z.string().check(z.regex(INITIALIZED_AT_RE)),
} as const satisfies Record<OwnedKey, z.ZodMiniType<string>>;
