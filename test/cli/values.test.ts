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
    expect(checkValue('registry', '[::1]:5000/kg')).toBe('[::1]:5000/kg');
    expect(checkValue('registry', 'localhost:5000')).toBe('localhost:5000');
    expect(checkValue('image-tag', '0.13.1-rocm72-host')).toBe('0.13.1-rocm72-host');
    expect(checkValue('dir', '/opt/kg')).toBe('/opt/kg');
    expect(checkValue('save-snapshot', 'snap')).toBe('snap');
    expect(checkValue('gpu', 'anything')).toBe('anything');
  });

  it.each([
    ['release', 'latest', 'expected a release version such as 0.13.1'],
    ['release', `1.2.3-${'a'.repeat(130)}`, 'version too long for an image tag'],
    ['registry', 'HTTPS://ghcr.io/x', 'it has a scheme (HTTPS://): give the host and path only; a registry looks like ghcr.io/owner/name, registry.example.com:5000/mirror/kg or [fd00::1]:5000/kg'],
    ['registry', `ghcr.io/${'a'.repeat(260)}`, 'it is 268 characters; image names made from it (…/kg-postgres) must stay within 255, so at most 243'],
    ['registry', 'ghcr.io/Owner/kg', '"Owner" has capital letters: repository paths are lowercase; a registry looks like'],
    ['registry', 'fd00::1:5000/kg', '"fd00::1:5000" looks like an IPv6 address: put the address in brackets, as in [fd00::1]:5000/kg'],
    ['registry', 'ghcr.io/owner/kg:0.13.1', 'it ends in a tag (:0.13.1): kg-init picks the tags (--release, --image-tag)'],
    ['image-tag', 'a b', 'expected an image tag'],
    ['image-tag', '-x', 'expected an image tag'],
    ['dir', '', 'expected a directory path'],
    ['dir', 'a\0b', 'path contains a NUL byte'],
    ['save-snapshot', '', 'expected a directory path'],
  ])('--%s %j: usage error (exit 2) saying %s', (name, raw, message) => {
    expect(() => checkValue(name, raw)).toThrowError(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(`invalid --${name} ${JSON.stringify(raw)}: ${message}`) }));
  });
});
