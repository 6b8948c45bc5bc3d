// --registry and every rendered image line are parsed as image references
// (distribution/reference grammar): what Compose takes is accepted, anything
// else is refused saying what is wrong.
import { describe, expect, test } from 'vitest';
import { imageRefProblem, registryProblem } from '../../src/util/image-ref.js';

describe('registryProblem', () => {
  test.each([
    'ghcr.io/aaronsb/knowledge-graph-system',
    'localhost:5000',
    'localhost:5000/kg',
    'registry.example.com',
    'Registry.Example.COM:443/mirror/kg',
    '10.0.0.1:5000/x',
    '[::1]:5000/kg',
    '[fd00::1]/a',
    '[::1]',
    'myuser',
    'my_host/x',
    'localhost',
    'a--b/c__d/e.f-g',
    `ghcr.io/${'a'.repeat(235)}`,
  ])('%s is a registry', (r) => {
    expect(registryProblem(r)).toBeNull();
  });

  test.each([
    ['', 'it is empty'],
    ['ghcr.io/a b', 'a space or a control character'],
    ['ghcr.io/x\x1b[2J', 'a space or a control character'],
    ['HTTPS://ghcr.io/x', 'it has a scheme (HTTPS://): give the host and path only'],
    ['ghcr.io/x@sha256:00', 'it has a digest'],
    ['ghcr.io/o/kg:1.0', 'it ends in a tag (:1.0)'],
    ['ghcr.io:5000/a:b/c', "':' belongs only after the host"],
    ['a//b', 'an empty path component'],
    ['ghcr.io/', 'an empty path component'],
    ['ghcr.io/Owner/kg', '"Owner" has capital letters: repository paths are lowercase'],
    ['ghcr.io/a___b', '"a___b" is not a repository path component'],
    ['ghcr.io/-a', '"-a" is not a repository path component'],
    ['::1:5000/kg', 'looks like an IPv6 address: put the address in brackets, as in [fd00::1]:5000/kg'],
    ['[zz::1]/a', '"zz::1" in brackets is not an IPv6 address'],
    ['[::1/a', 'is not [IPv6 address]'],
    ['host:99999/x', 'port "99999" is not a number from 1 to 65535'],
    ['host:abc/x', 'port "abc" is not a number'],
    ['ex_ample.com/x', '"ex_ample.com" is not a host name'],
    ['-bad.example.com/x', '"-bad.example.com" is not a host name'],
    [`ghcr.io/${'a'.repeat(236)}`, 'it is 244 characters; image names made from it (…/kg-postgres) must stay within 255, so at most 243'],
  ])('%j is refused: %s', (r, why) => {
    expect(registryProblem(r)).toContain(why);
  });
});

describe('imageRefProblem', () => {
  test('whole references as rendered', () => {
    expect(imageRefProblem('[::1]:5000/kg/kg-api:latest')).toBeNull();
    expect(imageRefProblem('localhost:5000/kg-web:0.13.1-rc.1')).toBeNull();
    expect(imageRefProblem('ghcr.io/x/kg-api:la te')).toContain('is not an image tag');
    expect(imageRefProblem(`ghcr.io/${'a'.repeat(250)}/kg-api:latest`)).toContain('longer than 255');
    expect(imageRefProblem('ghcr.io/X/kg-api:latest')).toContain('capital letters');
  });
});
