// Values of command-line options, validated with zod at this edge. A module of
// its own, loaded only when the command line carries such a value, so that
// `--help`, `--version` and value-less commands never load zod.
import * as z from 'zod/mini';
import '../zod-setup.js';
import { REGISTRY_RE, RELEASE_RE, TAG_RE } from './patterns.js';
import { UsageError } from '../errors.js';

// Built on first use: a run checks one or two of them. (args.ts's CHECKED
// names the same options: they are the ones whose values reach this module.)
const schemas: Record<string, () => z.ZodMiniType<string, string>> = {
  release: () =>
    z.pipe(
      z.string().check(z.regex(RELEASE_RE, 'expected a release version such as 0.13.1')),
      z.transform((v: string) => v.replace(/^v/, '')),
    )
      // The longest pinned tag must still be a valid tag.
      .check(z.refine((v: string) => TAG_RE.test(`${v}-rocm72-host`), 'version too long for an image tag')),
  registry: () =>
    z.string().check(
      z.maxLength(255),
      z.regex(REGISTRY_RE, 'expected a registry path such as ghcr.io/owner/name (lowercase, no tag, no scheme)'),
    ),
  'image-tag': () => z.string().check(z.regex(TAG_RE, 'expected an image tag: letters, digits, _ . - (at most 128, not starting with . or -)')),
  dir: () => z.string().check(z.minLength(1, 'expected a directory path'), z.refine((v: string) => !v.includes('\0'), 'path contains a NUL byte')),
  'save-snapshot': () => z.string().check(z.minLength(1, 'expected a directory path')),
};

/** The value to use for --name, or a UsageError saying what was expected. */
export function checkValue(name: string, raw: string): string {
  const schema = Object.hasOwn(schemas, name) ? schemas[name]!() : undefined;
  if (!schema) return raw;
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new UsageError(`invalid --${name} ${JSON.stringify(raw)}: ${r.error.issues[0]?.message ?? 'invalid value'}`);
  }
  return r.data;
}

/** The options this module checks (options.ts pre-scans the command line for the same names). */
export function checkedOptions(): string[] {
  return Object.keys(schemas);
}
