// The schema of the catalog (src/catalog.ts). The catalog is static data, so
// it is checked once, by test/catalog.test.ts, instead of at every start (a
// headless run would otherwise load zod just to re-check constants). The type
// assertions below keep this schema and the catalog's interfaces in step.
import * as z from 'zod/mini';
import './zod-setup.js';
import type { Catalog, ModeSpec, Variant } from './catalog.js';
import { TAG_RE } from './patterns.js';

const gfxTarget = z.string().check(z.regex(/^gfx[0-9a-f]{3,5}$/));
const hsaVersion = z.string().check(z.regex(/^\d+\.\d+\.\d+$/));

export const variantSchema = z.object({
  tag: z.string().check(z.regex(TAG_RE)),
  releaseSuffix: z.string().check(z.regex(/^(-[a-z0-9][a-z0-9-]*)?$/)),
  description: z.string(),
  arches: z.array(z.enum(['x64', 'arm64'])).check(z.minLength(1)),
  rocm: z.optional(
    z.object({
      version: z.string().check(z.regex(/^\d+\.\d+$/)),
      gfxTargets: z.array(gfxTarget).check(z.minLength(1)),
      overrides: z.record(gfxTarget, hsaVersion),
    }),
  ),
});

export const modeSchema = z.object({
  label: z.string(),
  summary: z.string(),
  variant: z.string(),
  overlay: z.nullable(z.string().check(z.regex(/^docker-compose\.[a-z0-9.-]+\.yml$/))),
  platforms: z.array(z.enum(['linux', 'darwin', 'win32'])).check(z.minLength(1)),
  gpuVendor: z.nullable(z.enum(['nvidia', 'amd'])),
  localBuild: z.optional(z.object({ context: z.string(), dockerfile: z.string().check(z.regex(/^[A-Za-z0-9_./-]+$/)) })),
});

export const catalogSchema = z.object({
  variants: z.record(z.string(), variantSchema),
  modes: z.object({
    nvidia: modeSchema,
    'amd-host': modeSchema,
    mac: modeSchema,
    cpu: modeSchema,
  }),
});

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// A compile error here means catalog.ts's interfaces and this schema disagree.
const inStep: [Same<z.infer<typeof variantSchema>, Variant>, Same<z.infer<typeof modeSchema>, ModeSpec>, Same<z.infer<typeof catalogSchema>, Catalog>] = [true, true, true];
void inStep;
