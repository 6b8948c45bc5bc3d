// Operating system: distribution from /etc/os-release, WSL2 from the kernel
// release or /dev/dxg.
import { isWslKernel, parseOsRelease } from '../platform.js';
import type { Check, PlatformFacts, ProbeContext } from './types.js';

/** The source behind ctx.platform(). */
export async function readPlatform(ctx: Pick<ProbeContext, 'host' | 'linux'>): Promise<PlatformFacts> {
  const { host, linux } = ctx;
  const osr = linux ? await host.readText('/etc/os-release') : null;
  const dxg = linux ? await host.stat('/dev/dxg') : null;
  return { distro: parseOsRelease(osr), wsl: linux && (isWslKernel(host.kernelRelease) || dxg !== null) };
}

export const platformCheck: Check<PlatformFacts> = {
  id: 'platform',
  label: 'Operating system',
  applies: () => true,
  absent: { distro: null, wsl: false },
  gather: (ctx) => ctx.platform(),
  judge: (v, { host }) => ({
    state: 'ok',
    detail: [v.distro?.name ?? host.platform, v.wsl ? 'WSL2' : null, host.arch, `kernel ${host.kernelRelease}`].filter(Boolean).join(' · '),
  }),
};
