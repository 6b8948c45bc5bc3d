// doctor --runtime's pure parts on real-format samples: docker ps lines, the
// compose project name, the registry manifest, torch's answer, and the
// judgement against each mode (the built CLI on recorded hosts: ./runtime.test.ts).
import { makeLayout } from '../../src/platform/layout.js';
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeInvocation, dotenvValue, normalizeProjectName } from '../../src/doctor/runtime-layout.js';
import { manifestBytes, parsePs, parseTorchOutput, pickApiContainer, TORCH_SCRIPT } from '../../src/doctor/runtime-probe.js';
import { judgeRuntime, type RuntimeInput } from '../../src/doctor/runtime-judge.js';
import { boundedTimeout } from '../../src/host/spawn.js';
import { HOSTS } from '../helpers/cli.js';
import { openSnapshot } from '../../src/host/index.js';
import { runtimeOffer } from '../../src/doctor/runtime-offer.js';
import type { InstallState } from '../../src/install/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'kg-runtime-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runtime parsers', () => {
  it('parsePs reads docker ps JSON lines, the project label, and skips one-off containers', () => {
    const line = (name: string, project: string, oneoff: string, state = 'running') => JSON.stringify({
      ID: `id-${name}`, Image: 'ghcr.io/x/kg-api:latest', Names: name, State: state, Status: 'Up 1 hour',
      Labels: `com.docker.compose.oneoff=${oneoff},com.docker.compose.project=${project},com.docker.compose.service=api`,
    });
    const cs = parsePs([line('kg-api', 'knowledge-graph', 'False'), line('kg-init-runtime-1', 'knowledge-graph', 'True'), 'garbage'].join('\n'));
    expect(cs.map((c) => [c.name, c.project])).toEqual([['kg-api', 'knowledge-graph']]);
  });

  it('pickApiContainer prefers this project, then the platform\'s other project names, then the container name', () => {
    const c = (name: string, project: string | null, state = 'running') => ({ id: name, name, image: 'i', state, status: '', project });
    const inv = { project: 'kg', otherProjects: ['knowledge-graph'] } as Parameters<typeof pickApiContainer>[1];
    expect(pickApiContainer([c('a', 'other'), c('b', 'kg')], inv).container?.name).toBe('b');
    expect(pickApiContainer([c('a', 'other'), c('b', 'knowledge-graph')], inv).how).toBe('compose project knowledge-graph');
    expect(pickApiContainer([c('kg-api', 'other')], inv).how).toBe('container name kg-api');
    expect(pickApiContainer([c('x', 'other')], inv).container).toBeNull();
  });

  it('compose project names are normalised as compose does; dotenv values are read, never sourced', () => {
    expect(normalizeProjectName('My KG.Install')).toBe('mykginstall');
    expect(normalizeProjectName('_kg')).toBe('kg');
    expect(dotenvValue('A=1\nCOMPOSE_PROJECT_NAME="kg prod"\n# x\n', 'COMPOSE_PROJECT_NAME')).toBe('kg prod');
    expect(dotenvValue('COMPOSE_PROJECT_NAME=$(rm -rf /)', 'COMPOSE_PROJECT_NAME')).toBe('$(rm -rf /)');
  });

  it('composeInvocation: the directory name, unless .env names the project', () => {
    const dir = join(tmp, 'My-KG');
    const base: InstallState = { dir, dirExists: true, conf: { path: join(dir, '.operator.conf'), exists: true, text: 'GPU_MODE=cpu\n', problem: null, values: {} }, compose: {}, operatorScript: false, baseCompose: false, platform: makeLayout() };
    expect(composeInvocation(base, 'cpu', 'latest', {}).project).toBe('my-kg');
    expect(composeInvocation(base, 'cpu', 'latest', { COMPOSE_PROJECT_NAME: 'Shell' }).project).toBe('shell');
  });

  it('manifestBytes sums the compressed layers of this architecture', () => {
    const m = JSON.stringify([
      { Descriptor: { platform: { architecture: 'arm64' } }, OCIManifest: { layers: [{ size: 1 }] } },
      { Descriptor: { platform: { architecture: 'amd64' } }, OCIManifest: { layers: [{ size: 1000 }, { size: 2000 }] } },
    ]);
    expect(manifestBytes(m, 'x64')).toBe(3000);
    expect(manifestBytes(m, 'arm64')).toBe(1);
    expect(manifestBytes('not json', 'x64')).toBeNull();
  });

  it('parseTorchOutput takes the marked line among other output', () => {
    expect(parseTorchOutput('warning: x\nKGINIT-RUNTIME {"torch":"2.9.1+cpu"}\n')).toEqual({ torch: '2.9.1+cpu' });
    expect(parseTorchOutput('Traceback ...')).toBeNull();
    // The script asks what the issue asks: build, availability, count, names, gcnArchName, a tensor op.
    for (const w of ['torch.version', 'is_available', 'device_count', 'get_device_properties', 'gcnArchName', 'torch.ones']) expect(TORCH_SCRIPT).toContain(w);
  });
});

describe('judgeRuntime', () => {
  const base: RuntimeInput = {
    mode: 'cpu', expectedImage: 'r/kg-api:latest', pinned: null,
    report: { gpus: [], docker: { installed: true, running: true, version: '28', runtimes: [], nvidiaRuntime: false, cdiSpecs: [], desktop: false }, devices: { kfd: { path: '/dev/kfd', present: false }, render: [] }, findings: [] },
    startCommand: 'start', reinitCommand: 'reinit', runCommand: 'run', container: null, oneOff: false, failure: null,
    torch: { torch: '2.9.1+cu128', cuda: '12.8', hip: null, available: false, count: 0 }, logs: '',
  };
  it('cpu and mac are fine with any build, seen device or not', () => {
    expect(judgeRuntime(base).ok).toBe(true);
    expect(judgeRuntime({ ...base, mode: 'mac', torch: { torch: '2.9.1', cuda: null, hip: null, available: false } }).ok).toBe(true);
  });
  it('a ROCm build on an nvidia install is the wrong build', () => {
    const v = judgeRuntime({ ...base, mode: 'nvidia', torch: { torch: '2.9.1+rocm7.2', hip: '7.2', cuda: null, available: true, count: 1, devices: [{ index: 0, name: 'AMD Radeon RX 7900 XTX' }] } });
    expect(v.ok).toBe(false);
    expect(v.findings[0]!.message).toBe('kg-api runs torch 2.9.1+rocm7.2 on an nvidia install: the ROCm image on an NVIDIA GPU');
  });
  it('a device that fails the tensor operation with "invalid device function" points at the gfx override', () => {
    const v = judgeRuntime({ ...base, mode: 'amd-host', torch: { torch: '2.9.1+rocm7.2', hip: '7.2', cuda: null, available: true, count: 1, devices: [{ index: 0, name: 'AMD Radeon RX 6700 XT', gcnArchName: 'gfx1031' }], tensor: { ok: false, error: 'HIP error: invalid device function' } } });
    expect(v.findings.map((f) => f.code)).toEqual(['RUNTIME_DEVICE_FAILED']);
    expect(v.findings[0]!.message).toContain('no kernels for this GPU');
  });
  it('a container of the pinned GPU that runs without the pin', () => {
    const v = judgeRuntime({
      ...base, mode: 'amd-host', pinned: 'GPU-5e2a81c09d1b4f13',
      report: { ...base.report, gpus: [{ vendor: 'amd', name: 'RX 7900 XTX', gfxTarget: 'gfx1100', uuid: 'GPU-5e2a81c09d1b4f13', kfdIndex: 1 }, { vendor: 'amd', name: 'Radeon Graphics', gfxTarget: 'gfx1036', kfdIndex: 0, integrated: true }] },
      torch: { torch: '2.9.1+rocm7.2', hip: '7.2', cuda: null, available: true, count: 2, env: {}, devices: [{ index: 0, name: 'AMD Radeon Graphics', gcnArchName: 'gfx1036' }], tensor: { ok: true } },
    });
    expect(v.findings.map((f) => f.code)).toEqual(['RUNTIME_PIN_MISSED', 'RUNTIME_PIN_MISSED']);
    expect(v.ok).toBe(false);
  });
});

describe('Host.run bounds for doctor --runtime', () => {
  it('a `long` call may wait past the probe\'s 2 s ceiling; every other call may not', () => {
    expect(boundedTimeout(60_000)).toBe(2000);
    expect(boundedTimeout(60_000, true)).toBe(60_000);
    expect(boundedTimeout(undefined, true)).toBe(2000);
  });
});

describe('the wizard\'s offer after a write', () => {
  const install = (dir: string): InstallState => ({ dir, dirExists: true, conf: { path: join(dir, '.operator.conf'), exists: true, text: 'GPU_MODE=amd-host\n', problem: null, values: {} }, compose: {}, operatorScript: true, baseCompose: true, platform: makeLayout({ kind: "standalone", operatorScript: true, composeFiles: ["docker-compose.yml"] }) });
  const hosts = join(HOSTS, 'runtime');

  it('names doctor --runtime when this install\'s platform is running', async () => {
    const host = await openSnapshot(join(hosts, 'rocm-healthy'));
    const line = await runtimeOffer(host, install(join(tmp, 'knowledge-graph')), 'kg-init');
    expect(line).toContain('The platform is running here (kg-api)');
    expect(line).toContain('./operator.sh start');
    expect(line).toContain(`kg-init doctor --runtime --dir ${join(tmp, 'knowledge-graph')}`);
  });

  it('says nothing when kg-api is not running or Docker does not answer', async () => {
    expect(await runtimeOffer(await openSnapshot(join(hosts, 'container-not-running')), install(join(tmp, 'knowledge-graph')), 'kg-init')).toBeNull();
    expect(await runtimeOffer(await openSnapshot(join(HOSTS, 'nvidia-4090-docker-stopped')), install(join(tmp, 'knowledge-graph')), 'kg-init')).toBeNull();
  });
});
