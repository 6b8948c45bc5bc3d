// The catalog is static data and is no longer parsed at every start: this
// test is where it is validated against its schema (src/catalog-schema.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalog, DEFAULT_REGISTRY, MODES, variantOf } from '../src/catalog.js';
import { catalogSchema } from '../src/catalog-schema.js';

describe('catalog', () => {
  it('matches catalogSchema exactly (nothing stripped, nothing missing)', () => {
    const r = catalogSchema.safeParse(catalog);
    expect(r.success ? [] : r.error.issues).toEqual([]);
    expect(r.data).toEqual(catalog);
  });

  it('every mode names a variant that exists', () => {
    for (const m of MODES) expect(() => variantOf(m)).not.toThrow();
  });

  it('a bad edit is caught by the schema', () => {
    const bad = structuredClone(catalog);
    bad.variants['rocm72-host']!.rocm!.gfxTargets.push('gfx11OO');
    expect(catalogSchema.safeParse(bad).success).toBe(false);
    const noOverlay = structuredClone(catalog);
    (noOverlay.modes.nvidia as { overlay: string | null }).overlay = 'compose.yml';
    expect(catalogSchema.safeParse(noOverlay).success).toBe(false);
  });
});

// The ROCm image's gfx targets are asserted from the image: scripts/catalog-targets.mjs
// runs it and prints its PyTorch arch list; src/catalog-targets.json is that output,
// recorded; the catalog must match it, so a new image that changes the list fails here.
describe('the ROCm image gfx targets', () => {
  const recorded = JSON.parse(readFileSync(new URL('../src/catalog-targets.json', import.meta.url), 'utf8')) as {
    image: string;
    archList: string[];
  };
  const variant = variantOf('amd-host');
  const bare = (a: string) => a.replace(/:.*$/, ''); // gfx90a:xnack- → gfx90a

  it('the catalog lists exactly the targets recorded from the image', () => {
    expect([...variant.rocm!.gfxTargets].sort()).toEqual([...new Set(recorded.archList.map(bare))].sort());
  });

  it('no target is both built in and overridden', () => {
    for (const t of Object.keys(variant.rocm!.overrides)) expect(variant.rocm!.gfxTargets).not.toContain(t);
  });

  it('the recording is of the image the catalog selects', () => {
    expect(recorded.image).toBe(`${DEFAULT_REGISTRY}/kg-api:${variant.tag}`);
  });

  describe('scripts/catalog-targets.mjs against a fake docker', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-catalog-targets-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const log = path.join(dir, 'calls.log');
    // Answers like docker does: `image inspect` for a present image, and `run`
    // with the python3 entrypoint printing the JSON line the script asks for.
    // The arch list comes back unsorted, as torch prints it.
    writeFileSync(
      path.join(dir, 'docker'),
      [
        '#!/bin/sh',
        `printf '%s\\n' "$*" >> ${JSON.stringify(log)}`,
        'case "$1 $2" in',
        '  "image inspect")',
        '    case "$*" in *RepoDigests*) printf \'%s\\n\' \'["ghcr.io/aaronsb/knowledge-graph-system/kg-api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"] sha256:feed\' ;; *) echo sha256:feed ;; esac ;;',
        `  "run --rm") printf '%s\\n' ${JSON.stringify(JSON.stringify({ torch: '2.9.1', hip: '7.2.53211', source: 'torch._C._cuda_getArchFlags()', archList: [...recorded.archList].reverse() }))} ;;`,
        '  *) echo "unexpected: $*" >&2; exit 1 ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );

    it('prints the image, its digest and the sorted arch list; --write stores exactly that', () => {
      const out = path.join(dir, 'targets.json');
      const r = spawnSync(process.execPath, ['scripts/catalog-targets.mjs', '--write', out], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const printed = JSON.parse(r.stdout);
      expect(printed).toEqual({
        image: recorded.image,
        digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        torch: '2.9.1',
        hip: '7.2.53211',
        source: 'torch._C._cuda_getArchFlags()',
        archList: recorded.archList,
      });
      expect(readFileSync(out, 'utf8')).toBe(r.stdout);
      // It ran the image's own python3, not a guess.
      expect(readFileSync(log, 'utf8')).toMatch(new RegExp(`^run --rm --entrypoint python3 ${recorded.image.replace(/[.]/g, '\\.')} -c `, 'm'));
    });
  });
});
