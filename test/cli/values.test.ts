// Option values are checked by hand (no schema library on the headless path):
// the same values pass, the same messages name what was expected.
import { describe, expect, it } from 'vitest';
import { checkValue } from '../../src/cli/values.js';

describe('checkValue', () => {
  it('passes good values, normalising a v-prefixed release', () => {
    expect(checkValue('release', 'v0.13.1')).toBe('0.13.1');
    expect(checkValue('release', '0.14.0-rc.1')).toBe('0.14.0-rc.1');
    expect(checkValue('registry', 'ghcr.io/aaronsb/knowledge-graph-system')).toBe('ghcr.io/aaronsb/knowledge-graph-system');
    expect(checkValue('registry', 'localhost:5000/kg')).toBe('localhost:5000/kg');
    expect(checkValue('image-tag', '0.13.1-rocm72-host')).toBe('0.13.1-rocm72-host');
    expect(checkValue('dir', '/opt/kg')).toBe('/opt/kg');
    expect(checkValue('save-snapshot', 'snap')).toBe('snap');
    expect(checkValue('gpu', 'anything')).toBe('anything');
  });

  it.each([
    ['release', 'latest', 'expected a release version such as 0.13.1'],
    ['release', `1.2.3-${'a'.repeat(130)}`, 'version too long for an image tag'],
    ['registry', 'HTTPS://ghcr.io/x', 'expected a registry path such as ghcr.io/owner/name'],
    ['registry', `ghcr.io/${'a'.repeat(260)}`, 'Too big: expected string to have <=255 characters'],
    ['image-tag', 'a b', 'expected an image tag'],
    ['image-tag', '-x', 'expected an image tag'],
    ['dir', '', 'expected a directory path'],
    ['dir', 'a\0b', 'path contains a NUL byte'],
    ['save-snapshot', '', 'expected a directory path'],
  ])('--%s %j: usage error (exit 2) saying %s', (name, raw, message) => {
    expect(() => checkValue(name, raw)).toThrowError(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(`invalid --${name} ${JSON.stringify(raw)}: ${message}`) }));
  });
});
