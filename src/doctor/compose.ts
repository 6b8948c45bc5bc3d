// Reading the parts of compose files doctor judges, from parsed YAML (never
// regexes over YAML). Everything here tolerates hand-edited files: a missing
// key is `undefined`, a wrong shape is ignored rather than thrown.
import type { parse as yamlParse } from 'yaml';

export type ParsedYaml = { ok: true; doc: Record<string, unknown> } | { ok: false; error: string };

// The YAML parser (115 KB) is a file of its own in the build, loaded by
// loadComposeParser() before any parse: doctor starts it while the probe's
// commands run, so its compile overlaps their wait.
let parse: typeof yamlParse | undefined;

export async function loadComposeParser(): Promise<void> {
  // A build may hand the module over as its default export (as in platform/fetch.ts).
  const yaml = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  parse ??= typeof yaml.parse === 'function' ? yaml.parse : yaml.default!.parse;
}

export function parseCompose(text: string): ParsedYaml {
  if (!parse) throw new Error('parseCompose before loadComposeParser()');
  try {
    // Compose's own tags (`!reset`, `!override`) read as their plain values, without a warning on stderr.
    const doc: unknown = parse(text, { logLevel: 'error' });
    if (doc === null || doc === undefined) return { ok: true, doc: {} };
    if (typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, error: 'the top level is not a mapping' };
    return { ok: true, doc: doc as Record<string, unknown> };
  } catch (e) {
    // The yaml package's messages carry line/column on their first line.
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'invalid YAML';
    return { ok: false, error: first };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The services of a compose document, by name. */
export function services(doc: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const s = doc.services;
  if (!isRecord(s)) return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, svc] of Object.entries(s)) if (isRecord(svc)) out[name] = svc;
  return out;
}

export interface ApiImage {
  service: string;
  /** The whole image reference as written. */
  image: string;
  /** Registry and namespace before `/kg-api`. */
  registry: string;
  /** The tag part as written (`${KG_API_IMAGE_TAG:-latest}` or a literal). */
  tagExpr: string;
  /** True when the tag is `${KG_API_IMAGE_TAG...}`. */
  parametric: boolean;
  /** The `:-` default of a parametric tag, or the literal tag; null when a parametric tag has no default. */
  effectiveDefault: string | null;
}

const PARAM = /^\$\{KG_API_IMAGE_TAG(?:(:?-)([^}]*))?\}$/;

/** The kg-api service's image, found by image name (service names vary between templates). */
export function apiImage(doc: Record<string, unknown>): ApiImage | null {
  for (const [name, svc] of Object.entries(services(doc))) {
    const image = svc.image;
    if (typeof image !== 'string') continue;
    const at = image.lastIndexOf('kg-api:');
    if (at === -1 || (at > 0 && image[at - 1] !== '/')) continue;
    const registry = at > 0 ? image.slice(0, at - 1) : '';
    const tagExpr = image.slice(at + 'kg-api:'.length);
    const m = PARAM.exec(tagExpr);
    if (m) {
      const dflt = m[2];
      return { service: name, image, registry, tagExpr, parametric: true, effectiveDefault: dflt ? dflt : null };
    }
    return { service: name, image, registry, tagExpr, parametric: false, effectiveDefault: tagExpr };
  }
  return null;
}

/** Every group_add entry of every service, as written (numbers or names). */
export function groupAdds(doc: Record<string, unknown>): Array<string | number> {
  const out: Array<string | number> = [];
  for (const svc of Object.values(services(doc))) {
    const g = svc.group_add;
    if (!Array.isArray(g)) continue;
    for (const e of g) if (typeof e === 'string' || typeof e === 'number') out.push(e);
  }
  return out;
}

/** Numeric gids among group_add entries ('989' and 989 alike). */
export function numericGids(entries: Array<string | number>): number[] {
  const out: number[] = [];
  for (const e of entries) {
    const n = typeof e === 'number' ? e : /^\d+$/.test(e.trim()) ? Number(e.trim()) : NaN;
    if (Number.isInteger(n) && !out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * The value of an environment variable across the services of a document,
 * in either compose form (mapping or `KEY=value` list). `undefined` when no
 * service sets it; `null` when it is set without a value (`KEY` alone).
 */
export function envValue(doc: Record<string, unknown>, key: string): string | null | undefined {
  for (const svc of Object.values(services(doc))) {
    const env = svc.environment;
    if (isRecord(env) && key in env) {
      const v = env[key];
      return v === null || v === undefined ? null : String(v);
    }
    if (Array.isArray(env)) {
      for (const e of env) {
        if (typeof e !== 'string') continue;
        if (e === key) return null;
        if (e.startsWith(`${key}=`)) return e.slice(key.length + 1);
      }
    }
  }
  return undefined;
}

/** Host paths of every `devices:` entry (short `host:container[:perm]` or long form). */
export function deviceHostPaths(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const svc of Object.values(services(doc))) {
    const d = svc.devices;
    if (!Array.isArray(d)) continue;
    for (const e of d) {
      if (typeof e === 'string') out.push(e.split(':')[0] ?? e);
      else if (isRecord(e) && typeof e.source === 'string') out.push(e.source);
    }
  }
  return out;
}

/** Whether any service reserves NVIDIA GPUs (deploy.resources.reservations.devices with driver nvidia or capability gpu). */
export function reservesNvidia(doc: Record<string, unknown>): boolean {
  for (const svc of Object.values(services(doc))) {
    const deploy = svc.deploy;
    if (!isRecord(deploy) || !isRecord(deploy.resources) || !isRecord(deploy.resources.reservations)) continue;
    const devs = deploy.resources.reservations.devices;
    if (!Array.isArray(devs)) continue;
    for (const d of devs) {
      if (!isRecord(d)) continue;
      if (d.driver === 'nvidia') return true;
      const caps = d.capabilities;
      if (Array.isArray(caps) && caps.flat().includes('gpu')) return true;
    }
  }
  // The older `runtime: nvidia` form also reaches the GPU.
  return Object.values(services(doc)).some((s) => s.runtime === 'nvidia');
}
