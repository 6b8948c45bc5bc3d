// Docker: `docker info` (started first by the runner), and NVIDIA CDI specs in
// /etc/cdi and /var/run/cdi.
import type { Facts } from '../facts.js';
import { TOOL_TIMEOUT_MS } from '../limits.js';
import { isNvidiaCdiSpec, parseDockerInfo } from '../docker.js';
import type { Check } from './types.js';

export const dockerCheck: Check<Facts['docker']> = {
  id: 'docker',
  label: 'Docker',
  applies: () => true,
  absent: { installed: false, running: false, version: null, runtimes: [], nvidiaRuntime: false, cdiSpecs: [], desktop: false, timedOut: false },
  async gather(ctx) {
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
      timedOut: false,
    };
  },
  judge(d) {
    if (!d.installed) return { state: 'warn', detail: 'docker is not installed' };
    if (d.timedOut) return { state: 'fail', detail: `docker info did not answer within ${TOOL_TIMEOUT_MS / 1000} s` };
    if (!d.running) return { state: 'warn', detail: 'docker is installed but its daemon does not answer' };
    const rt = d.nvidiaRuntime ? ', nvidia runtime' : d.cdiSpecs.length ? ', NVIDIA CDI spec' : '';
    return { state: 'ok', detail: `Docker ${d.version ?? '?'}${d.desktop ? ' (Docker Desktop)' : ''}${rt}` };
  },
};
