// Reading a kg-api image tag back: which catalog variant it is and which
// release it pins. Doctor uses it to judge an existing KG_API_IMAGE_TAG, and a
// re-init uses it to carry a release pin over to another mode
// (`0.13.1` with nvidia → `0.13.1-rocm72-host` with amd-host).
import { catalog, type Mode } from './catalog.js';

/** A release version as kg-init writes it (semver without build metadata, no leading v). */
const RELEASE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?$/;

export interface ParsedTag {
  /** Catalog variant name ('default', 'rocm72-host'), null for a tag kg-init does not know. */
  variant: string | null;
  /** The pinned release, null for a floating tag (latest, rocm72-host). */
  release: string | null;
}

export function parseImageTag(tag: string): ParsedTag {
  // Suffixed variants first: `0.13.1-rocm72-host` is a ROCm tag, not the
  // default variant of a pre-release called `0.13.1-rocm72-host`.
  const entries = Object.entries(catalog.variants).sort((a, b) => b[1].releaseSuffix.length - a[1].releaseSuffix.length);
  for (const [name, v] of entries) {
    if (tag === v.tag) return { variant: name, release: null };
    if (v.releaseSuffix && tag.endsWith(v.releaseSuffix)) {
      const release = tag.slice(0, -v.releaseSuffix.length);
      if (RELEASE.test(release)) return { variant: name, release };
    }
  }
  for (const [name, v] of entries) {
    if (!v.releaseSuffix && RELEASE.test(tag)) return { variant: name, release: tag };
  }
  return { variant: null, release: null };
}

/** The release a tag pins, if it is a kg-init tag with a release. */
export function releaseOfTag(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  return parseImageTag(tag).release ?? undefined;
}

/**
 * Whether a tag is the image variant a mode needs: 'yes', 'no' (another
 * known variant, e.g. the CUDA `latest` under amd-host), or 'unknown' (a
 * custom tag kg-init cannot judge).
 */
export function tagFitsMode(tag: string, mode: Mode): 'yes' | 'no' | 'unknown' {
  const { variant } = parseImageTag(tag);
  if (variant === null) return 'unknown';
  return variant === catalog.modes[mode].variant ? 'yes' : 'no';
}
