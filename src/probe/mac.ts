// macOS: the chip from `sysctl -n machdep.cpu.brand_string`, the release from `sw_vers -productVersion`.

export function parseMacChip(stdout: string | null): string | null {
  const line = (stdout ?? '').split('\n')[0]?.trim() ?? '';
  return line && line.length < 120 && /^[\x20-\x7e]+$/.test(line) ? line : null;
}

export function isAppleSilicon(arch: string, chip: string | null): boolean {
  return arch === 'arm64' || /^Apple M\d/i.test(chip ?? '');
}

export function parseMacVersion(stdout: string | null): string | null {
  const m = /^\s*(\d+(?:\.\d+){0,2})\s*$/.exec((stdout ?? '').split('\n')[0] ?? '');
  return m ? m[1]! : null;
}
