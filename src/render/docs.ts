// What YAML reads from a compose file kg-init rendered, without a YAML parser
// at run time: doctor's fast path for files whose bytes are exactly what
// kg-init renders now (src/doctor/checks.ts), so a healthy install is checked
// without loading and running the parser.
//
// The build renders every template with sentinel values, parses each with the
// `yaml` package and stamps the documents into the bundle as JSON text
// (__KG_TEMPLATE_DOCS_JSON__, parsed on first use; vitest computes the same in
// test/setup/env.ts);
// renderedDoc() puts a real input's values where the sentinels are. The
// renderer fills values only as whole scalars or as list items (render.ts), so
// that is exact; test/render/docs.test.ts holds renderedDoc() equal to
// parse(renderFile()) over modes, registries, tags, gids and overrides.
import { MODES, modeSpec } from '../catalog.js';
import type { AmdOverlay } from '../report.js';
import { composeFilesFor, renderFile, type RenderInput } from './render.js';

/** Values no real input has, each valid where it goes (the renderer checks them). */
const S = {
  registry: 'kg-init-sentinel.invalid/registry',
  apiTag: 'kg-init-sentinel-api-tag',
  platformTag: 'kg-init-sentinel-platform-tag',
  gid: 4000000001,
  rocr: 'KGINITSENTINELROCR',
  hsa: '99.99.99',
} as const;
const ROCR_ITEM = `ROCR_VISIBLE_DEVICES=${S.rocr}`;
const HSA_ITEM = `HSA_OVERRIDE_GFX_VERSION=${S.hsa}`;

type Source = NonNullable<RenderInput['imageSource']>;
const key = (file: string, mode: string, source: Source) => `${file} ${mode} ${source}`;

/** Every template variant, rendered with the sentinels. */
function sentinelRenders(): Array<{ key: string; text: string }> {
  const out: Array<{ key: string; text: string }> = [];
  for (const mode of MODES) {
    const amdOverlay: AmdOverlay | null = modeSpec(mode).overlay && mode === 'amd-host'
      ? { groupGids: [S.gid], rocrVisibleDevices: S.rocr, hsaOverrideGfxVersion: S.hsa }
      : null;
    for (const imageSource of ['ghcr', 'local'] as const) {
      const input: RenderInput = { mode, registry: S.registry, apiTag: S.apiTag, platformTag: S.platformTag, amdOverlay, version: '0.0.0', imageSource };
      for (const file of composeFilesFor(mode)) out.push({ key: key(file, mode, imageSource), text: renderFile(file, input) });
    }
  }
  return out;
}

/** The parsed sentinel documents, by variant (what the build stamps in). */
export type TemplateDocs = Record<string, unknown>;

export function templateDocs(parse: (text: string) => unknown): TemplateDocs {
  return Object.fromEntries(sentinelRenders().map((r) => [r.key, parse(r.text)]));
}

let parsed: TemplateDocs | undefined;
function stamped(): TemplateDocs | undefined {
  if (parsed === undefined && __KG_TEMPLATE_DOCS_JSON__ !== undefined) parsed = JSON.parse(__KG_TEMPLATE_DOCS_JSON__) as TemplateDocs;
  return parsed;
}

function fill(v: unknown, input: RenderInput): unknown {
  if (typeof v === 'string') {
    return v.split(S.registry).join(input.registry).split(S.apiTag).join(input.apiTag).split(S.platformTag).join(input.platformTag);
  }
  if (Array.isArray(v)) {
    const amd = input.amdOverlay;
    return v.flatMap((item) => {
      // The renderer writes each gid as a quoted string ("989"), once.
      if (item === String(S.gid)) return [...new Set(amd?.groupGids ?? [])].map(String);
      if (item === ROCR_ITEM) return amd?.rocrVisibleDevices ? [`ROCR_VISIBLE_DEVICES=${amd.rocrVisibleDevices}`] : [];
      if (item === HSA_ITEM) return amd?.hsaOverrideGfxVersion ? [`HSA_OVERRIDE_GFX_VERSION=${amd.hsaOverrideGfxVersion}`] : [];
      return [fill(item, input)];
    });
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, input)]));
  return v;
}

/**
 * The document YAML reads from `renderFile(file, input)`, or null where the
 * bundle carries no sentinel document for it. Only for text that is exactly
 * that rendering: the caller compares the bytes first.
 */
export function renderedDoc(file: string, input: RenderInput, docs: TemplateDocs | undefined = stamped()): Record<string, unknown> | null {
  const doc = docs?.[key(file, input.mode, input.imageSource ?? 'ghcr')];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  return fill(doc, input) as Record<string, unknown>;
}
