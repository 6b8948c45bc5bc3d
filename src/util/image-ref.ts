// Image references the way Docker and Compose parse them (the grammar of
// distribution/reference):
//   reference  := name [ ":" tag ]
//   name       := [ domain "/" ] path            (at most 255 characters)
//   domain     := host [ ":" port ]              host: a domain name, or [IPv6]
//   domain-component := [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
//   path       := path-component ( "/" path-component )*
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
// A --registry is the part before `/kg-api`: `R/kg-api` must be a name. Each
// check says what is wrong, not only that something is. No dependencies: the
// command line's value checks load this.
import { TAG_RE } from '../patterns.js';

/** Longest name Docker accepts for a repository (registry and path, without the tag). */
export const MAX_NAME = 255;
/** The longest image name kg-init puts after the registry (compose/docker-compose.ghcr.yml). */
export const LONGEST_IMAGE = 'kg-postgres';
export const REGISTRY_EXAMPLES = 'ghcr.io/owner/name, registry.example.com:5000/mirror/kg or [fd00::1]:5000/kg';

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

const q = (s: string) => JSON.stringify(s);

/** What is wrong with `host[:port]` as a registry host, or null. */
function domainProblem(seg: string): string | null {
  let host = seg;
  let port: string | null = null;
  if (seg.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(seg);
    if (!m) return `${q(seg)} is not [IPv6 address] or [IPv6 address]:port`;
    if (!/^[0-9a-fA-F:]+$/.test(m[1]!) || !isIPv6(m[1]!)) return `${q(m[1]!)} in brackets is not an IPv6 address`;
    port = m[2] ?? null;
  } else {
    const colons = seg.split(':').length - 1;
    if (colons > 1) return `${q(seg)} looks like an IPv6 address: put the address in brackets, as in [fd00::1]:5000/kg`;
    if (colons === 1) [host, port] = seg.split(':') as [string, string];
    const bad = host.split('.').find((c) => !DOMAIN_COMPONENT.test(c));
    if (bad !== undefined) return `${q(host)} is not a host name: letters, digits and '-' (not at either end) between dots${/_/.test(host) ? ', no _' : ''}`;
  }
  if (port !== null && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return `port ${q(port)} is not a number from 1 to 65535`;
  return null;
}

/** Whether s is an IPv6 address (the URL parser knows them all: ::1, fd00::1, ::ffff:1.2.3.4 without the dots). */
function isIPv6(s: string): boolean {
  try {
    return new URL(`http://[${s}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** What is wrong with one path component, or null. */
function pathProblem(seg: string): string | null {
  if (PATH_COMPONENT.test(seg)) return null;
  if (PATH_COMPONENT.test(seg.toLowerCase())) return `${q(seg)} has capital letters: repository paths are lowercase`;
  return `${q(seg)} is not a repository path component: lowercase letters and digits, separated by one '.', one or two '_', or '-'`;
}

/** Why `value` cannot be the registry before `/kg-api`, or null when it can. */
export function registryProblem(value: string): string | null {
  if (value === '') return 'it is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f-\x9f]/.test(value)) return 'it contains a space or a control character';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) return `it has a scheme (${value.slice(0, value.indexOf('://') + 3)}): give the host and path only`;
  if (value.includes('@')) return 'it has a digest (@…): kg-init picks the images and tags itself';
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//')) return 'it has an empty path component (a leading, trailing or doubled /)';
  const max = MAX_NAME - LONGEST_IMAGE.length - 1;
  if (value.length > max) return `it is ${value.length} characters; image names made from it (…/${LONGEST_IMAGE}) must stay within ${MAX_NAME}, so at most ${max}`;
  const segs = value.split('/');
  const [first, ...rest] = segs as [string, ...string[]];
  const last = segs[segs.length - 1]!;
  if (segs.length > 1 && last.includes(':') && !last.startsWith('[')) return `it ends in a tag (${last.slice(last.indexOf(':'))}): kg-init picks the tags (--release, --image-tag)`;
  for (const seg of rest) if (seg.includes(':')) return `':' belongs only after the host (a port), not in ${q(seg)}`;
  // Docker takes the first component for the registry host when it has a '.', a ':', brackets or
  // capitals, or is localhost (else the image is on Docker Hub): then it must be a host name.
  const looksLikeHost = /[.:[A-Z]/.test(first) || first === 'localhost';
  const firstProblem = looksLikeHost ? domainProblem(first) : pathProblem(first);
  if (firstProblem) return firstProblem;
  for (const seg of rest) {
    const p = pathProblem(seg);
    if (p) return p;
  }
  return null;
}

/** Why `ref` (name:tag, as Compose reads an `image:`) is not an image reference, or null. */
export function imageRefProblem(ref: string): string | null {
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > ref.lastIndexOf('/');
  const name = hasTag ? ref.slice(0, colon) : ref;
  if (hasTag && !TAG_RE.test(ref.slice(colon + 1))) return `${q(ref.slice(colon + 1))} is not an image tag`;
  if (name.length > MAX_NAME) return `the name is longer than ${MAX_NAME} characters`;
  const at = name.lastIndexOf('/');
  if (at === -1) return pathProblem(name);
  const p = registryProblemOfName(name.slice(0, at));
  return p ?? pathProblem(name.slice(at + 1));
}

function registryProblemOfName(prefix: string): string | null {
  const p = registryProblem(prefix);
  // The length rule above is for a --registry; a whole name was measured already.
  return p && p.startsWith('it is ') && /characters;/.test(p) ? null : p;
}
