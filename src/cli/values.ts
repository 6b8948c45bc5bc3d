// Values of command-line options, checked at this edge with plain patterns
// (src/patterns.ts): a headless run checks its --dir this way without loading a
// schema library. A module of its own, loaded only when the command line
// carries such a value.
import { RELEASE_RE, TAG_RE } from '../patterns.js';
import { REGISTRY_EXAMPLES, registryProblem } from '../util/image-ref.js';
import { UsageError } from '../errors.js';

/** Each check returns the value to use, or throws the message saying what was expected. */
class Invalid extends Error {}
const fail = (message: string): never => {
  throw new Invalid(message);
};

// (options.ts's CHECKED_OPTIONS names the same options: they are the ones whose values reach this module.)
const checks: Record<string, (v: string) => string> = {
  release: (v) => {
    if (!RELEASE_RE.test(v)) fail('expected a release version such as 0.13.1');
    const version = v.replace(/^v/, '');
    // The longest pinned tag must still be a valid tag.
    if (!TAG_RE.test(`${version}-rocm72-host`)) fail('version too long for an image tag');
    return version;
  },
  registry: (v) => {
    // Parsed as the registry part of an image reference (src/util/image-ref.ts), saying what is wrong.
    const problem = registryProblem(v);
    if (problem) fail(`${problem}; a registry looks like ${REGISTRY_EXAMPLES}`);
    return v;
  },
  'image-tag': (v) => (TAG_RE.test(v) ? v : fail('expected an image tag: letters, digits, _ . - (at most 128, not starting with . or -)')),
  dir: (v) => {
    if (v.length < 1) fail('expected a directory path');
    if (v.includes('\0')) fail('path contains a NUL byte');
    return v;
  },
  'save-snapshot': (v) => (v.length >= 1 ? v : fail('expected a directory path')),
  'platform-source': (v) => {
    if (v.length < 1) fail('expected a URL or a directory');
    if (v.includes('\0')) fail('contains a NUL byte');
    return v;
  },
};

/** The value to use for --name, or a UsageError saying what was expected. */
export function checkValue(name: string, raw: string): string {
  const check = Object.hasOwn(checks, name) ? checks[name]! : undefined;
  if (!check) return raw;
  try {
    return check(raw);
  } catch (e) {
    if (e instanceof Invalid) throw new UsageError(`invalid --${name} ${JSON.stringify(raw)}: ${e.message}`);
    throw e;
  }
}

/** The options this module checks (options.ts pre-scans the command line for the same names). */
export function checkedOptions(): string[] {
  return Object.keys(checks);
}
