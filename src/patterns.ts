// Value patterns shared by the argument parser, the renderer and the config
// writer: plain regular expressions, so that importing them loads nothing else.

// OCI distribution grammar (distribution/reference): tags. Registries and whole
// image references are parsed by src/util/image-ref.ts, which says what is wrong.
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A release version: semver without build metadata ('+' is not allowed in a tag). */
export const RELEASE_RE = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?$/;
