// The values kg-init writes into .operator.conf are checked by hand (no schema
// library on the headless path); the zod schemas of src/conf/values-schema.ts
// are the reference. The two accept and refuse the same values.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { MODES } from '../../src/catalog.js';
import { checkConfValues, confValueOk, OWNED_KEYS } from '../../src/conf/values.js';
import { confValueSchemas } from '../../src/conf/values-schema.js';
import { SEED } from '../reliability/support.js';

const near = [
  ...MODES, 'amd', 'NVIDIA', 'cpu ', ' cpu', 'ghcr', 'local', 'GHCR', 'ghcr\r', 'latest', 'rocm72-host', '0.13.1-rocm72-host', '.hidden', '-x', 'a'.repeat(128), 'a'.repeat(129),
  'latest;rm -rf ~', 'a b', '$(x)', '2026-05-28T09:14:03Z', '2026-05-28T09:14:03.123Z', '2026-05-28 09:14:03Z', '2026-05-28T09:14:03Z\n', '', '\u00e9', 'x\ny',
];
const anyValue = fc.oneof(fc.constantFrom(...near), fc.string({ maxLength: 40 }), fc.stringMatching(/^[A-Za-z0-9_.:T-]{0,30}Z?$/), fc.integer(), fc.constant(null));

describe('written .operator.conf values: the hand checks are the schemas', () => {
  test('every key accepts and refuses what its schema does', () => {
    for (const key of OWNED_KEYS) {
      fc.assert(
        fc.property(anyValue, (v) => confValueOk[key](v) === confValueSchemas[key].safeParse(v).success),
        { seed: SEED, numRuns: 2000 },
      );
      for (const v of near) expect(confValueOk[key](v), `${key}=${JSON.stringify(v)}`).toBe(confValueSchemas[key].safeParse(v).success);
    }
  });

  test('checkConfValues keeps good values and refuses any other with the key named', () => {
    expect(checkConfValues({ GPU_MODE: 'amd-host', IMAGE_SOURCE: 'local' })).toEqual({ GPU_MODE: 'amd-host', IMAGE_SOURCE: 'local' });
    expect(() => checkConfValues({ KG_API_IMAGE_TAG: 'latest;rm -rf ~' })).toThrow(/refusing to write KG_API_IMAGE_TAG="latest;rm -rf ~"/);
    expect(() => checkConfValues({ GPU_MODE: 'amd' })).toThrow(/refusing to write GPU_MODE/);
  });
});
