// The host's ROCm userspace version. Only sources that state the ROCm release
// count: /opt/rocm/.info/version, rocm_version.h, and amd-smi's "ROCm version"
// field. rocminfo's "ROCk module version" and `rocm-smi --showdriverversion`
// report the amdgpu kernel driver: never a ROCm version, so never read here.

const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?/;

/** /opt/rocm/.info/version: "7.2.3-1" → "7.2.3". */
export function parseRocmInfoVersion(text: string | null): string | null {
  if (!text) return null;
  const m = VERSION.exec(text.trim());
  if (!m) return null;
  return m[3] !== undefined ? `${m[1]}.${m[2]}.${m[3]}` : `${m[1]}.${m[2]}`;
}

/** rocm-core/rocm_version.h: the ROCM_VERSION_{MAJOR,MINOR,PATCH} defines. */
export function parseRocmVersionHeader(text: string | null): string | null {
  if (!text) return null;
  const get = (k: string) => new RegExp(`^\\s*#define\\s+ROCM_VERSION_${k}\\s+(\\d+)\\s*$`, 'm').exec(text)?.[1];
  const major = get('MAJOR');
  const minor = get('MINOR');
  if (major === undefined || minor === undefined) return null;
  const patch = get('PATCH');
  return patch !== undefined ? `${major}.${minor}.${patch}` : `${major}.${minor}`;
}

/** `amd-smi version`: "... | ROCm version: 7.2.3 | ..." → "7.2.3"; null for N/A or garbage. */
export function parseAmdSmiVersion(stdout: string): string | null {
  const m = /ROCm version:\s*([^|\n]+)/i.exec(stdout);
  if (!m) return null;
  return parseRocmInfoVersion(m[1]!.trim());
}

/** /sys/module/amdgpu/version (present with amdgpu-dkms). */
export function parseModuleVersion(text: string | null): string | null {
  if (!text) return null;
  const t = text.trim();
  return /^[0-9][0-9A-Za-z.+_-]{0,40}$/.test(t) ? t : null;
}

/** Major and minor of a version string, or null. */
export function majorMinor(v: string): [number, number] | null {
  const m = VERSION.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}
