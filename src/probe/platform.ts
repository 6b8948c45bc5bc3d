// OS facts: distribution from /etc/os-release, WSL2 from the kernel release.

export function parseOsRelease(text: string | null): { id?: string; name?: string; version?: string } | null {
  if (!text) return null;
  const vals: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) {
      v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    vals[m[1]!] = v;
  }
  const out: { id?: string; name?: string; version?: string } = {};
  if (vals.ID) out.id = vals.ID;
  const name = vals.PRETTY_NAME ?? vals.NAME;
  if (name) out.name = name;
  if (vals.VERSION_ID) out.version = vals.VERSION_ID;
  return Object.keys(out).length ? out : null;
}

export function isWslKernel(release: string): boolean {
  return /microsoft-standard-WSL2|-microsoft-standard|WSL2/i.test(release);
}
