// diagnose() unit tests: for every check, an install that fails it and one
// that passes, on hand-built reports. (test/doctor/doctor.test.ts runs the built CLI
// against replayed hosts.)
import { describe, expect, it } from 'vitest';
import { CHECKS, diagnose, type DoctorResult } from '../../src/doctor/checks.js';
import { shellQuote } from '../../src/present/shell.js';
import { renderJson, renderText } from '../../src/doctor/render.js';
import { makeStyle } from '../../src/cli/color.js';
import {
  AMD_OVERLAY, GHCR, NVIDIA_OVERLAY, amdReport, healthyAmd, healthyNvidia, install, nvidiaReport, withReport, AMD_CONF,
} from '../helpers/doctor-fixtures.js';

function check(r: DoctorResult, id: string) {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

function only(r: DoctorResult, id: string) {
  const others = r.problems.filter((p) => p.id !== id && p.severity !== 'info');
  expect(others, `unexpected problems besides ${id}`).toEqual([]);
  return check(r, id);
}

describe('healthy installs', () => {
  it('an amd-host install on the AMD host passes every check', () => {
    const r = diagnose(healthyAmd(), amdReport());
    expect(r.problems).toEqual([]);
    expect(r.healthy).toBe(true);
    expect(r.mode).toBe('amd-host');
    expect(r.imageTag).toBe('rocm72-host');
    for (const c of r.checks) expect(['ok', 'skipped']).toContain(c.status);
    // The AMD-specific checks ran rather than skipped.
    for (const id of ['overlay-gids', 'overlay-rocr-visible-devices', 'overlay-hsa-override', 'host-kfd', 'host-gpu-driver', 'host-device-access']) {
      expect(check(r, id).status).toBe('ok');
    }
  });

  it('an nvidia install on the NVIDIA host passes every check', () => {
    const r = diagnose(healthyNvidia(), nvidiaReport());
    expect(r.problems).toEqual([]);
    expect(check(r, 'host-nvidia-toolkit').status).toBe('ok');
    expect(check(r, 'compose-overlay').status).toBe('ok');
  });

  it('every check in the table is exercised and has a unique id', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(18);
  });
});

describe('.operator.conf checks', () => {
  it('conf-readable: a binary config fails with a fix that moves it aside', () => {
    const st = install(null, { 'docker-compose.ghcr.yml': GHCR('latest') }, { confText: null, confProblem: 'contains NUL bytes (not a text file)' });
    st.conf.exists = true;
    const r = diagnose(st, amdReport());
    const c = check(r, 'conf-readable');
    expect(c.status).toBe('error');
    expect(c.problems[0]!.message).toContain('NUL bytes');
    expect(c.problems[0]!.fix).toBe('mv /opt/kg/.operator.conf /opt/kg/.operator.conf.broken && kg-init --yes --dir /opt/kg');
    expect(r.healthy).toBe(false);
    // Checks that need the config are skipped, not failed twice.
    expect(check(r, 'conf-gpu-mode').status).toBe('skipped');
  });

  it('conf-readable: a missing config fails', () => {
    const st = install(null, {});
    expect(check(diagnose(st, amdReport()), 'conf-readable').status).toBe('error');
    expect(check(diagnose(healthyAmd(), amdReport()), 'conf-readable').status).toBe('ok');
  });

  it('conf-gpu-mode: an unknown or missing GPU_MODE is an error whose fix is the recommendation', () => {
    const bad = only(diagnose(healthyAmd({ GPU_MODE: 'rocm' }), amdReport()), 'conf-gpu-mode');
    expect(bad.status).toBe('error');
    expect(bad.problems[0]!.message).toContain('GPU_MODE="rocm" is not a mode');
    expect(bad.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
    const st = healthyAmd();
    delete st.conf.values.GPU_MODE;
    expect(check(diagnose(st, amdReport()), 'conf-gpu-mode').problems[0]!.message).toContain('GPU_MODE is not set');
    expect(check(diagnose(healthyAmd(), amdReport()), 'conf-gpu-mode').status).toBe('ok');
  });

  it('conf-gpu-mode-alias: GPU_MODE=amd is reported as deprecated, read as amd-host, and still healthy', () => {
    const r = diagnose(healthyAmd({ GPU_MODE: 'amd' }), amdReport());
    const c = only(r, 'conf-gpu-mode-alias');
    expect(c.status).toBe('warning');
    expect(c.problems[0]!.message).toContain('deprecated alias of amd-host');
    expect(c.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
    expect(r.mode).toBe('amd-host');
    expect(r.healthy).toBe(true);
    expect(check(diagnose(healthyAmd(), amdReport()), 'conf-gpu-mode-alias').status).toBe('ok');
  });

  it('conf-image-source: local builds need a clone; unset means the platform default (ghcr, local with DEV_MODE=true)', () => {
    const c = only(diagnose(healthyAmd({ IMAGE_SOURCE: 'local' }), amdReport()), 'conf-image-source');
    expect(c.status).toBe('error');
    expect(c.problems[0]!.message).toContain('IMAGE_SOURCE="local"');
    const clone = healthyAmd({ IMAGE_SOURCE: 'local' });
    clone.platform = { ...clone.platform, kind: 'clone', composeDir: 'docker' };
    expect(check(diagnose(clone, amdReport()), 'conf-image-source').status).toBe('ok');
    const st = healthyAmd();
    delete st.conf.values.IMAGE_SOURCE;
    expect(check(diagnose(st, amdReport()), 'conf-image-source').status).toBe('ok');
    st.confExtra = { DEV_MODE: 'true' };
    expect(check(diagnose(st, amdReport()), 'conf-image-source').problems[0]!.message).toContain('IMAGE_SOURCE is not set and DEV_MODE=true');
    expect(check(diagnose(healthyAmd(), amdReport()), 'conf-image-source').status).toBe('ok');
  });

  it('conf-image-tag: amd-host with latest is the ADR-101 failure, naming the tag it has and the one it needs', () => {
    const r = diagnose(healthyAmd({ KG_API_IMAGE_TAG: 'latest' }, { 'docker-compose.ghcr.yml': GHCR('rocm72-host') }), amdReport());
    const c = check(r, 'conf-image-tag');
    expect(c.status).toBe('error');
    const m = c.problems[0]!.message;
    expect(m).toContain('KG_API_IMAGE_TAG=latest');
    expect(m).toContain('CUDA image on an AMD host');
    expect(m).toContain('needs rocm72-host');
    expect(c.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
    expect(r.healthy).toBe(false);
  });

  it('conf-image-tag: a release-pinned ROCm tag is consistent; a pinned CUDA tag under amd-host needs the pinned ROCm tag', () => {
    const ok = diagnose(healthyAmd({ KG_API_IMAGE_TAG: '0.13.1-rocm72-host' }), amdReport());
    expect(ok.problems).toEqual([]);
    expect(ok.imageTag).toBe('0.13.1-rocm72-host');
    const bad = check(diagnose(healthyAmd({ KG_API_IMAGE_TAG: '0.13.1' }, { 'docker-compose.ghcr.yml': GHCR('0.13.1-rocm72-host') }), amdReport()), 'conf-image-tag');
    expect(bad.status).toBe('error');
    expect(bad.problems[0]!.message).toContain('needs 0.13.1-rocm72-host');
    expect(bad.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg --release 0.13.1');
  });

  it('conf-image-tag: a ROCm tag under nvidia is an error; an unknown custom tag is a warning; no tag uses the derived one', () => {
    const nv = check(diagnose(healthyNvidia({ KG_API_IMAGE_TAG: 'rocm72-host' }, { 'docker-compose.ghcr.yml': GHCR('latest') }), nvidiaReport()), 'conf-image-tag');
    expect(nv.status).toBe('error');
    expect(nv.problems[0]!.message).toContain('nvidia needs latest');
    const custom = check(diagnose(healthyAmd({ KG_API_IMAGE_TAG: 'my-build' }), amdReport()), 'conf-image-tag');
    expect(custom.status).toBe('warning');
    const st = healthyAmd();
    delete st.conf.values.KG_API_IMAGE_TAG;
    const r = diagnose(st, amdReport());
    expect(check(r, 'conf-image-tag').status).toBe('ok');
    expect(r.imageTag).toBe('rocm72-host');
  });
});

describe('compose checks', () => {
  it('compose-ghcr: missing or invalid YAML fails', () => {
    expect(only(diagnose(healthyAmd({}, { 'docker-compose.ghcr.yml': null }), amdReport()), 'compose-ghcr').status).toBe('error');
    const bad = check(diagnose(healthyAmd({}, { 'docker-compose.ghcr.yml': 'services:\n  api: [unclosed\n' }), amdReport()), 'compose-ghcr');
    expect(bad.status).toBe('error');
    expect(bad.problems[0]!.message).toContain('not valid YAML');
  });

  it('compose-api-image: the default must be the selected tag, and parametric', () => {
    const wrongDefault = check(diagnose(healthyAmd({}, { 'docker-compose.ghcr.yml': GHCR('latest') }), amdReport()), 'compose-api-image');
    expect(wrongDefault.status).toBe('error');
    expect(wrongDefault.problems[0]!.message).toContain('defaults to latest, an image that cannot run amd-host');
    expect(wrongDefault.problems[0]!.message).toContain('expected kg-api:${KG_API_IMAGE_TAG:-rocm72-host}');
    // Another release of the right variant works: a warning.
    const otherRelease = check(diagnose(healthyAmd({ KG_API_IMAGE_TAG: '0.13.1-rocm72-host' }, { 'docker-compose.ghcr.yml': GHCR('0.13.0-rocm72-host') }), amdReport()), 'compose-api-image');
    expect(otherRelease.status).toBe('warning');
    expect(otherRelease.problems[0]!.message).toContain('defaults to 0.13.0-rocm72-host but this install uses 0.13.1-rocm72-host');
    const hard = check(
      diagnose(healthyAmd({}, { 'docker-compose.ghcr.yml': 'services:\n  api:\n    image: ghcr.io/aaronsb/knowledge-graph-system/kg-api:latest\n' }), amdReport()),
      'compose-api-image',
    );
    expect(hard.status).toBe('error');
    expect(hard.problems[0]!.message).toContain('hard-coded');
    const noDefault = check(
      diagnose(healthyAmd({}, { 'docker-compose.ghcr.yml': 'services:\n  api:\n    image: ghcr.io/x/kg-api:${KG_API_IMAGE_TAG}\n' }), amdReport()),
      'compose-api-image',
    );
    expect(noDefault.problems[0]!.message).toContain('has no default');
    const missing = check(diagnose(healthyAmd({}, { 'docker-compose.ghcr.yml': 'services:\n  web:\n    image: nginx\n' }), amdReport()), 'compose-api-image');
    expect(missing.problems[0]!.message).toContain('no kg-api image');
    expect(check(diagnose(healthyAmd(), amdReport()), 'compose-api-image').detail).toBe(
      'ghcr.io/aaronsb/knowledge-graph-system/kg-api:${KG_API_IMAGE_TAG:-rocm72-host}',
    );
  });

  it('a mirror registry is kept in the fix command', () => {
    const st = healthyAmd({ KG_API_IMAGE_TAG: 'latest' }, { 'docker-compose.ghcr.yml': GHCR('latest', 'registry.example.com/mirror/kg') });
    const p = diagnose(st, amdReport()).problems.find((x) => x.id === 'conf-image-tag')!;
    expect(p.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg --registry registry.example.com/mirror/kg');
  });

  it('a registry in a hand-edited image line is carried into the fix command only when it is one, quoted for the shell', () => {
    const ipv6 = healthyAmd({ KG_API_IMAGE_TAG: 'latest' }, { 'docker-compose.ghcr.yml': GHCR('latest', '[::1]:5000/kg').replace(/image: (.*)$/gm, 'image: "$1"') });
    expect(diagnose(ipv6, amdReport()).problems.find((x) => x.id === 'conf-image-tag')!.fix).toBe("kg-init --yes --gpu=amd-host --dir /opt/kg --registry '[::1]:5000/kg'");
    const hostile = healthyAmd({ KG_API_IMAGE_TAG: 'latest' }, { 'docker-compose.ghcr.yml': GHCR('latest', 'x;touch${IFS}/tmp/p') });
    expect(diagnose(hostile, amdReport()).problems.find((x) => x.id === 'conf-image-tag')!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
  });

  it("compose-overlay: the mode's overlay must be present and reach the GPU", () => {
    const gone = only(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': null }), amdReport()), 'compose-overlay');
    expect(gone.status).toBe('error');
    expect(gone.problems[0]!.message).toContain('docker-compose.gpu-amd-host.yml is missing');
    const noKfd = check(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ devices: ['/dev/dri:/dev/dri'] }) }), amdReport()), 'compose-overlay');
    expect(noKfd.problems[0]!.message).toContain('does not pass /dev/kfd');
    const nvNoGpu = check(diagnose(healthyNvidia({}, { 'docker-compose.gpu-nvidia.yml': 'services:\n  api:\n    environment: [A=1]\n' }), nvidiaReport()), 'compose-overlay');
    expect(nvNoGpu.problems[0]!.message).toContain('reserves no NVIDIA GPU');
    const cpu = diagnose(install({ ...AMD_CONF, GPU_MODE: 'cpu', KG_API_IMAGE_TAG: 'latest' }, { 'docker-compose.ghcr.yml': GHCR('latest') }), amdReport());
    expect(check(cpu, 'compose-overlay').status).toBe('ok');
  });

  it('compose-stale-overlay: an overlay of another mode is reported; one kg-init did not write gets a mv, not a re-init', () => {
    const r = diagnose(healthyAmd({}, { 'docker-compose.gpu-nvidia.yml': NVIDIA_OVERLAY }), amdReport());
    const c = only(r, 'compose-stale-overlay');
    expect(c.status).toBe('warning');
    expect(c.problems[0]!.message).toContain('docker-compose.gpu-nvidia.yml is a stale nvidia overlay');
    expect(c.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
    const foreign = diagnose(healthyAmd({}, { 'docker-compose.gpu-nvidia.yml': NVIDIA_OVERLAY.replace(/^# generated.*\n/, '') }), amdReport());
    expect(check(foreign, 'compose-stale-overlay').problems[0]!.fix).toBe('mv /opt/kg/docker-compose.gpu-nvidia.yml /opt/kg/docker-compose.gpu-nvidia.yml.disabled');
    expect(check(diagnose(healthyAmd(), amdReport()), 'compose-stale-overlay').status).toBe('ok');
  });

  it('overlay-gids: gids that no longer own /dev/kfd and the render nodes are named, with the current ones', () => {
    const rep = withReport(amdReport(), {
      devices: {
        kfd: { path: '/dev/kfd', present: true, gid: 992, group: 'render', userAccess: true },
        render: [
          { path: '/dev/dri/renderD128', present: true, gid: 992, group: 'render', userAccess: true },
          { path: '/dev/dri/renderD129', present: true, gid: 992, group: 'render', userAccess: true },
        ],
      },
      amdOverlay: { groupGids: [992], rocrVisibleDevices: 'GPU-5e2a81c09d1b4f13', hsaOverrideGfxVersion: null },
    });
    const c = only(diagnose(healthyAmd(), rep), 'overlay-gids');
    expect(c.status).toBe('error');
    const m = c.problems[0]!.message;
    expect(m).toContain('adds gid 989');
    expect(m).toContain('owned by gid 992 (render)');
    expect(m).toContain('/dev/kfd');
    expect(c.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
    expect(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ gids: [992] }) }), rep).problems).toEqual([]);
  });

  it('overlay-rocr-visible-devices: a pin that names a GPU no longer present, or the iGPU, fails; the index of the dGPU passes', () => {
    const gone = only(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ rocr: 'GPU-ffffffffffffffff' }) }), amdReport()), 'overlay-rocr-visible-devices');
    expect(gone.status).toBe('error');
    expect(gone.problems[0]!.message).toContain('no AMD GPU here is GPU-ffffffffffffffff');
    const igpu = check(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ rocr: '1' }) }), amdReport()), 'overlay-rocr-visible-devices');
    expect(igpu.status).toBe('error');
    expect(igpu.problems[0]!.message).toContain('gfx1036');
    const unset = check(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ rocr: null }) }), amdReport()), 'overlay-rocr-visible-devices');
    expect(unset.status).toBe('warning');
    expect(check(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ rocr: '0' }) }), amdReport()), 'overlay-rocr-visible-devices').status).toBe('ok');
    // One GPU, no pin wanted: not setting it is right.
    const single = withReport(amdReport(), { amdOverlay: { groupGids: [989], rocrVisibleDevices: null, hsaOverrideGfxVersion: null } });
    expect(check(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ rocr: null }) }), single), 'overlay-rocr-visible-devices').status).toBe('ok');
  });

  it('overlay-hsa-override: an override where none applies, an empty one, or a missing needed one fails', () => {
    const extra = only(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ hsa: '10.3.0' }) }), amdReport()), 'overlay-hsa-override');
    expect(extra.status).toBe('error');
    expect(extra.problems[0]!.message).toContain('HSA_OVERRIDE_GFX_VERSION=10.3.0 but gfx1100');
    const empty = check(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ hsa: '' }) }), amdReport()), 'overlay-hsa-override');
    expect(empty.problems[0]!.message).toContain('empty value');
    const rdna2 = withReport(amdReport(), { amdOverlay: { groupGids: [989], rocrVisibleDevices: 'GPU-5e2a81c09d1b4f13', hsaOverrideGfxVersion: '10.3.0' } });
    const missing = check(diagnose(healthyAmd(), rdna2), 'overlay-hsa-override');
    expect(missing.status).toBe('error');
    expect(missing.problems[0]!.message).toContain('needs 10.3.0');
    expect(check(diagnose(healthyAmd({}, { 'docker-compose.gpu-amd-host.yml': AMD_OVERLAY({ hsa: '10.3.0' }) }), rdna2), 'overlay-hsa-override').status).toBe('ok');
  });
});

describe('host checks', () => {
  it('host-kfd: a vanished /dev/kfd fails the amd-host install, and the overlay checks are skipped rather than guessed', () => {
    const rep = withReport(amdReport(), {
      devices: { kfd: { path: '/dev/kfd', present: false }, render: amdReport().devices.render },
      amdOverlay: null,
      modes: amdReport().modes.map((m) =>
        m.mode === 'amd-host'
          ? { ...m, status: 'blocked' as const, findings: [{ code: 'KFD_MISSING', severity: 'error' as const, message: '/dev/kfd is absent', fix: 'sudo modprobe amdgpu', mode: 'amd-host' as const }] }
          : m,
      ),
      recommendation: { mode: 'cpu', imageTag: 'latest', reason: 'no usable GPU' },
    });
    const r = diagnose(healthyAmd(), rep);
    const c = check(r, 'host-kfd');
    expect(c.status).toBe('error');
    expect(c.problems[0]!.message).toContain('/dev/kfd is missing');
    expect(c.problems[0]!.fix).toBe('sudo modprobe amdgpu');
    expect(check(r, 'overlay-gids').status).toBe('skipped');
    expect(check(r, 'host-mode').status).toBe('skipped');
    expect(r.healthy).toBe(false);
    expect(check(diagnose(healthyAmd(), amdReport()), 'host-kfd').status).toBe('ok');
  });

  it('host-gpu-driver: an AMD GPU without amdgpu, an NVIDIA GPU whose driver does not answer, or no GPU of the vendor at all', () => {
    const unbound = withReport(amdReport(), { gpus: amdReport().gpus.map((g) => ({ ...g, driver: null })) });
    const c = check(diagnose(healthyAmd(), unbound), 'host-gpu-driver');
    expect(c.status).toBe('error');
    expect(c.problems[0]!.fix).toBe('sudo modprobe amdgpu');
    const noDriver = withReport(nvidiaReport(), { nvidia: { smi: 'error', driverVersion: null } });
    expect(check(diagnose(healthyNvidia(), noDriver), 'host-gpu-driver').problems[0]!.message).toContain('no working driver');
    // The GPU swap: an nvidia install on the AMD host.
    const swapped = check(diagnose(healthyNvidia(), amdReport()), 'host-gpu-driver');
    expect(swapped.problems[0]!.message).toContain('no NVIDIA GPU');
    expect(swapped.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
    expect(check(diagnose(healthyNvidia(), nvidiaReport()), 'host-gpu-driver').status).toBe('ok');
  });

  it('host-device-access: a user outside the render group gets a warning with the usermod command', () => {
    const rep = withReport(amdReport(), {
      devices: {
        kfd: { path: '/dev/kfd', present: true, gid: 989, group: 'render', userAccess: false },
        render: [{ path: '/dev/dri/renderD128', present: true, gid: 989, group: 'render', userAccess: false }],
      },
    });
    const c = only(diagnose(healthyAmd(), rep), 'host-device-access');
    expect(c.status).toBe('warning');
    expect(c.problems[0]!.fix).toBe('sudo usermod -aG render $USER');
    expect(diagnose(healthyAmd(), rep).healthy).toBe(true);
  });

  it('host-nvidia-toolkit: Docker without the nvidia runtime or CDI spec fails; CDI alone passes', () => {
    const rep = withReport(nvidiaReport(), { docker: { runtimes: ['runc'], nvidiaRuntime: false, cdiSpecs: [] } });
    const c = only(diagnose(healthyNvidia(), rep), 'host-nvidia-toolkit');
    expect(c.status).toBe('error');
    expect(c.problems[0]!.fix).toContain('nvidia-ctk runtime configure');
    const cdi = withReport(nvidiaReport(), { docker: { runtimes: ['runc'], nvidiaRuntime: false, cdiSpecs: ['/etc/cdi/nvidia.yaml'] } });
    expect(check(diagnose(healthyNvidia(), cdi), 'host-nvidia-toolkit').status).toBe('ok');
  });

  it('host-docker: no docker is an error, a stopped daemon a warning', () => {
    const none = withReport(amdReport(), { docker: { installed: false, running: false, version: null } });
    expect(check(diagnose(healthyAmd(), none), 'host-docker').status).toBe('error');
    const stopped = withReport(amdReport(), { docker: { running: false } });
    const c = only(diagnose(healthyAmd(), stopped), 'host-docker');
    expect(c.status).toBe('warning');
    expect(c.problems[0]!.fix).toBe('sudo systemctl start docker');
  });

  it('host-mode: a blocking finding no dedicated check covers is reported with its own fix', () => {
    const rep = withReport(amdReport(), {
      modes: amdReport().modes.map((m) =>
        m.mode === 'amd-host'
          ? { ...m, status: 'blocked' as const, findings: [{ code: 'GFX_UNSUPPORTED', severity: 'error' as const, message: 'gfx803 is not supported by the ROCm 7.2 image', fix: 'kg-init --yes --gpu=cpu', mode: 'amd-host' as const }] }
          : m,
      ),
    });
    const c = only(diagnose(healthyAmd(), rep), 'host-mode');
    expect(c.status).toBe('error');
    expect(c.problems[0]!.message).toContain('GFX_UNSUPPORTED');
    expect(check(diagnose(healthyAmd(), amdReport()), 'host-mode').status).toBe('ok');
  });

  it('host-recommendation: a working mode that is no longer the recommendation is a GPU_CHANGED warning', () => {
    const cpuInstall = install({ ...AMD_CONF, GPU_MODE: 'cpu', KG_API_IMAGE_TAG: 'latest' }, { 'docker-compose.ghcr.yml': GHCR('latest') });
    const r = diagnose(cpuInstall, amdReport());
    const c = only(r, 'host-recommendation');
    expect(c.status).toBe('warning');
    expect(c.problems[0]!.message).toContain('GPU_CHANGED');
    expect(c.problems[0]!.fix).toBe('kg-init --yes --gpu=amd-host --dir /opt/kg');
    expect(r.healthy).toBe(true);
  });
});

describe('output', () => {
  it('text: problems first (errors before warnings), each with its fix, then one summary line; no colour when disabled', () => {
    const r = diagnose(healthyAmd({ KG_API_IMAGE_TAG: 'latest' }), amdReport());
    const plain = renderText(r, makeStyle(false), { width: 200 });
    const rows = plain.trimEnd().split('\n');
    expect(rows[0]).toBe('kg-init doctor /opt/kg · amd-host, kg-api:latest');
    expect(rows[1]).toBe('  platform: standalone install (compose files beside operator.sh)');
    expect(rows[3]).toMatch(/^✗ .*KG_API_IMAGE_TAG=latest/);
    expect(plain).toContain('  fix: kg-init --yes --gpu=amd-host --dir /opt/kg');
    expect(plain).not.toContain('✓ .operator.conf is readable text');
    expect(rows.at(-1)).toMatch(/^✗ \d+ problems? will stop this install from working.*--verbose lists every check\)\.$/);
    expect(plain).not.toMatch(/\u001b\[/);
    expect(renderText(r, makeStyle(true))).toMatch(/\u001b\[31m✗/);
  });

  it('text --verbose: a mark per check, fixes under problems', () => {
    const r = diagnose(healthyAmd({ KG_API_IMAGE_TAG: 'latest' }), amdReport());
    const plain = renderText(r, makeStyle(false), { verbose: true, width: 200 });
    expect(plain).toContain('✗ KG_API_IMAGE_TAG is the image the mode needs');
    expect(plain).toContain('fix: kg-init --yes --gpu=amd-host --dir /opt/kg');
    expect(plain).toContain('✓ .operator.conf is readable text');
  });

  it('text: a healthy install is a few lines; warnings lead; prose wraps, a fix never breaks', () => {
    const healthy = renderText(diagnose(healthyAmd(), amdReport()), makeStyle(false), { width: 80 });
    expect(healthy.trimEnd().split('\n').length).toBeLessThanOrEqual(12);
    expect(healthy).toMatch(/✓ Healthy: this install fits this host/);
    const narrow = renderText(diagnose(healthyAmd({ KG_API_IMAGE_TAG: 'latest' }), amdReport()), makeStyle(false), { width: 40 });
    expect(narrow).toContain('fix: kg-init --yes --gpu=amd-host --dir /opt/kg\n');
    // Only a fix or a single word wider than a row (a path, an image reference) may run over.
    for (const row of narrow.split('\n')) if (!row.includes('fix:') && row.trim().includes(' ')) expect(row.length).toBeLessThanOrEqual(40);
  });

  it('json: healthy, mode, imageTag, problems and checks', () => {
    const j = JSON.parse(renderJson(diagnose(healthyAmd({ KG_API_IMAGE_TAG: 'latest' }), amdReport())));
    expect(j.healthy).toBe(false);
    expect(j.mode).toBe('amd-host');
    expect(j.imageTag).toBe('latest');
    expect(j.problems.map((p: { id: string }) => p.id)).toContain('conf-image-tag');
    expect(j.checks.length).toBe(CHECKS.length);
  });

  it('fix commands quote directories that need it', () => {
    expect(shellQuote('/opt/kg')).toBe('/opt/kg');
    expect(shellQuote("/home/a b/it's")).toBe(`'/home/a b/it'\\''s'`);
    const p = diagnose(healthyAmd({ KG_API_IMAGE_TAG: 'latest' }), amdReport(), { dirArg: '/srv/my kg' }).problems[0]!;
    expect(p.fix).toBe("kg-init --yes --gpu=amd-host --dir '/srv/my kg'");
  });
});
