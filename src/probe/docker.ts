// Docker from `docker info --format '{{json .}}'`: installed, daemon answering,
// server version, runtimes, Docker Desktop. NVIDIA CDI specs live in /etc/cdi
// and /var/run/cdi.

export interface DockerInfo {
  running: boolean;
  version: string | null;
  clientVersion: string | null;
  runtimes: string[];
  desktop: boolean;
  rootless: boolean;
  podman: boolean;
}

export function parseDockerInfo(stdout: string, exitCode: number | null): DockerInfo {
  let json: Record<string, unknown> | null = null;
  try {
    const v: unknown = JSON.parse(stdout.trim().split('\n')[0] ?? '');
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    json = null;
  }
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  // Podman's docker command answers `docker info` with Podman's own shape:
  // {"host": {"security": {"rootless": …}, "ociRuntime": {"name": …}}, "version": {"Version": …}}.
  const podmanHost = json?.host && typeof json.host === 'object' ? (json.host as Record<string, unknown>) : null;
  const podmanVersion = json?.version && typeof json.version === 'object' ? str((json.version as Record<string, unknown>).Version) : null;
  if (podmanHost && podmanVersion) {
    const security = (podmanHost.security ?? {}) as Record<string, unknown>;
    const oci = (podmanHost.ociRuntime ?? {}) as Record<string, unknown>;
    const ok = exitCode === 0;
    return {
      running: ok,
      version: podmanVersion,
      clientVersion: podmanVersion,
      runtimes: ok && str(oci.name) ? [str(oci.name)!] : [],
      desktop: false,
      rootless: security.rootless === true,
      podman: true,
    };
  }
  const securityOptions = Array.isArray(json?.SecurityOptions) ? (json!.SecurityOptions as unknown[]).map(String) : [];
  const serverErrors = Array.isArray(json?.ServerErrors) ? (json!.ServerErrors as unknown[]).map(String) : [];
  const version = str(json?.ServerVersion);
  const clientInfo = json?.ClientInfo as Record<string, unknown> | undefined;
  const runtimes =
    json?.Runtimes && typeof json.Runtimes === 'object' ? Object.keys(json.Runtimes as object).sort() : [];
  const os = str(json?.OperatingSystem) ?? '';
  const running = exitCode === 0 && json !== null && version !== null && serverErrors.length === 0;
  return {
    running,
    version,
    clientVersion: str(clientInfo?.Version),
    runtimes: running ? runtimes : [],
    desktop: /Docker Desktop/i.test(os) || /desktop-linux/i.test(str(json?.Name) ?? ''),
    rootless: securityOptions.some((o) => /(^|,)name=rootless(,|$)/.test(o)),
    podman: false,
  };
}

/** Whether a CDI spec file declares NVIDIA devices. */
export function isNvidiaCdiSpec(name: string, text: string | null): boolean {
  if (!/\.(ya?ml|json)$/i.test(name)) return false;
  if (text !== null && /nvidia\.com\/gpu/.test(text)) return true;
  return text === null && /nvidia/i.test(name);
}
