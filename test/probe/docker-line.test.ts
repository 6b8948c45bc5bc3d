// Docker as the user first sees it: rootless engines and Podman recognised, and a
// missing NVIDIA Container Toolkit said on the wizard's probe screen (the docker
// check's line) and on probe's Docker line, not only under the nvidia mode.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { HOSTS } from '../helpers/cli.js';
import { probeReport } from '../../src/assess/report.js';
import { openSnapshot } from '../../src/host/index.js';
import type { CheckEvent } from '../../src/probe/index.js';
import { formatReport } from '../../src/commands/probe.js';
import { makeStyle } from '../../src/cli/color.js';
import { parseDockerInfo } from '../../src/probe/docker.js';

async function seen(host: string) {
  const events: CheckEvent[] = [];
  const report = await probeReport(await openSnapshot(path.join(HOSTS, host)), { onCheck: (e) => events.push(e) });
  const docker = events.find((e) => e.id === 'docker' && e.state !== 'running')!;
  const line = formatReport(report, makeStyle(false), 10_000).split('\n').find((l) => l.startsWith('Docker'))!;
  return { report, docker, line };
}

describe('the NVIDIA Container Toolkit on the Docker lines', () => {
  it('missing: said on the probe screen and in probe', async () => {
    const { docker, line } = await seen('nvidia-1080ti-no-toolkit');
    expect(docker).toMatchObject({ state: 'warn' });
    expect(docker.detail).toContain('NVIDIA Container Toolkit missing');
    expect(line).toContain('NVIDIA Container Toolkit missing');
  });

  it('present: not said', async () => {
    const { docker, line } = await seen('nvidia-4090-toolkit');
    expect(docker).toMatchObject({ state: 'ok' });
    expect(`${docker.detail}\n${line}`).not.toContain('missing');
  });

  it('rootless Podman without a CDI spec: missing, because CDI is the only way there', async () => {
    const { report, docker, line } = await seen('nvidia-4070-podman-no-cdi');
    expect(report.docker).toMatchObject({ running: true, podman: true, rootless: true, version: '5.6.1' });
    expect(docker.detail).toMatch(/^Podman 5\.6\.1 \(rootless\); NVIDIA Container Toolkit missing/);
    expect(line).toContain('NVIDIA Container Toolkit missing');
    expect(report.modes.find((m) => m.mode === 'nvidia')!.findings.find((f) => f.code === 'NVIDIA_TOOLKIT_MISSING')!.fix).toContain('nvidia-ctk cdi generate');
  });
});

describe('rootless Docker', () => {
  it('is read from SecurityOptions name=rootless', () => {
    const info = (opts: string[]) => parseDockerInfo(JSON.stringify({ ServerVersion: '28.4.0', Runtimes: { runc: {} }, SecurityOptions: opts }), 0);
    expect(info(['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns']).rootless).toBe(true);
    expect(info(['name=apparmor', 'name=seccomp,profile=builtin']).rootless).toBe(false);
  });

  it('without render access blocks amd-host with the fix, and says rootless on the Docker line', async () => {
    const { report, docker, line } = await seen('amd-7900xtx-rootless-no-render');
    expect(docker.detail).toContain('(rootless)');
    expect(line).toContain('(rootless)');
    const amd = report.modes.find((m) => m.mode === 'amd-host')!;
    expect(amd.status).toBe('blocked');
    expect(amd.findings.find((f) => f.code === 'ROOTLESS_NO_GPU_ACCESS')!.fix).toContain('usermod -aG render,video $USER');
  });

  it('rootful Docker without render access stays a warning (group_add grants it)', async () => {
    const { report } = await seen('amd-7800xt-user-not-in-render');
    expect(report.findings.map((f) => f.code)).toContain('KFD_NO_USER_ACCESS');
    expect(report.findings.map((f) => f.code)).not.toContain('ROOTLESS_NO_GPU_ACCESS');
  });
});
