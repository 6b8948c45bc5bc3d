// The catalog is static data and is no longer parsed at every start: this
// test is where it is validated against its schema (src/catalog-schema.ts).
import { describe, expect, it } from 'vitest';
import { catalog, MODES, variantOf } from '../src/catalog.js';
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
