// Docker: `docker info` (started first by the runner), and NVIDIA CDI specs in
// /etc/cdi and /var/run/cdi.
import type { Facts } from '../facts.js';
import { TOOL_TIMEOUT_MS } from '../limits.js';
import { isNvidiaCdiSpec, parseDockerInfo } from '../docker.js';
import type { Check, ProbeContext } from './types.js';

export interface DockerCheckFacts {
  docker: Facts['docker'];
  /** An NVIDIA GPU on the PCI bus (its toolkit is said on the Docker line). */
  nvidiaGpu: boolean;
}

const NO_DOCKER: Facts['docker'] = { installed: false, running: false, version: null, runtimes: [], nvidiaRuntime: false, cdiSpecs: [], desktop: false, timedOut: false };

export const dockerCheck: Check<DockerCheckFacts> = {
  id: 'docker',
  label: 'Docker',
  applies: () => true,
  absent: { docker: NO_DOCKER, nvidiaGpu: false },
  async gather(ctx) {
    const [docker, pci] = await Promise.all([readDocker(ctx), ctx.pci()]);
    return { docker, nvidiaGpu: pci.devices.some((d) => d.vendor === 'nvidia') };
  },
  judge({ docker: d, nvidiaGpu }) {
    if (!d.installed) return { state: 'warn', detail: 'docker is not installed' };
    if (d.timedOut) return { state: 'fail', detail: `docker info did not answer within ${TOOL_TIMEOUT_MS / 1000} s` };
    if (!d.running) return { state: 'warn', detail: `${d.podman ? 'podman' : 'docker'} is installed but its daemon does not answer` };
    const what = `${d.podman ? 'Podman' : 'Docker'} ${d.version ?? '?'}${d.desktop ? ' (Docker Desktop)' : ''}${d.rootless ? ' (rootless)' : ''}`;
    if (nvidiaGpu && (d.rootless || d.podman) && d.cdiSpecs.length === 0) {
      return { state: 'warn', detail: `${what}; NVIDIA Container Toolkit missing: no NVIDIA CDI spec, which a rootless engine needs` };
    }
    if (nvidiaGpu && !d.nvidiaRuntime && d.cdiSpecs.length === 0) {
      return { state: 'warn', detail: `${what}; NVIDIA Container Toolkit missing (no nvidia runtime, no CDI spec)` };
    }
    const rt = d.nvidiaRuntime ? ', nvidia runtime' : d.cdiSpecs.length ? ', NVIDIA CDI spec' : '';
    return { state: 'ok', detail: `${what}${rt}` };
  },
};

/** `docker info` and the NVIDIA CDI specs. */
async function readDocker(ctx: ProbeContext): Promise<Facts['docker']> {
  const { host } = ctx;
  const r = await ctx.dockerInfo();
  const cdiSpecs: string[] = [];
  if (ctx.linux) {
    for (const dir of ['/etc/cdi', '/var/run/cdi']) {
      const names = (await host.list(dir)) ?? [];
      for (const name of names) {
        if (!/\.(ya?ml|json)$/i.test(name)) continue;
        const text = await host.readText(`${dir}/${name}`);
        if (isNvidiaCdiSpec(name, text)) cdiSpecs.push(`${dir}/${name}`);
      }
    }
  }
  if (r.status === 'missing') {
    return { installed: false, running: false, version: null, runtimes: [], nvidiaRuntime: false, cdiSpecs, desktop: false, timedOut: false };
  }
  if (r.status === 'timeout' || r.status === 'error') {
    return { installed: true, running: false, version: null, runtimes: [], nvidiaRuntime: false, cdiSpecs, desktop: false, timedOut: r.status === 'timeout' };
  }
  const info = parseDockerInfo(r.stdout, r.exitCode);
  return {
    installed: true,
    running: info.running,
    version: info.version ?? info.clientVersion,
    runtimes: info.runtimes,
    nvidiaRuntime: info.runtimes.includes('nvidia'),
    cdiSpecs,
    desktop: info.desktop,
    ...(info.rootless ? { rootless: true } : {}),
    ...(info.podman ? { podman: true } : {}),
    timedOut: false,
  };
}
