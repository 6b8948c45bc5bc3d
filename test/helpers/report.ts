// Hand-built probe Reports for tests of the configure path (the real probe is
// exercised by replaying test/hosts).
import { imageTagFor, MODES, modeSpec, type Mode } from '../../src/catalog.js';
import { reportSchema, type AmdOverlay, type Finding, type ModeStatus, type Report } from '../../src/report.js';

export interface ReportSpec {
  recommend: Mode;
  statuses?: Partial<Record<Mode, ModeStatus>>;
  amdOverlay?: AmdOverlay | null;
  findings?: Finding[];
  modeFindings?: Partial<Record<Mode, Finding[]>>;
}

export function makeReport(spec: ReportSpec): Report {
  const modes = MODES.map((mode) => {
    const status: ModeStatus = spec.statuses?.[mode] ?? (mode === spec.recommend || mode === 'cpu' ? 'ready' : 'blocked');
    return {
      mode,
      status,
      imageTag: imageTagFor(mode),
      overlay: modeSpec(mode).overlay,
      reason: status === 'blocked' ? `no ${mode} GPU on this host` : 'every requirement verified',
      findings: spec.modeFindings?.[mode] ?? [],
      requirements: [],
    };
  });
  return reportSchema.parse({
    schemaVersion: 1,
    kgInitVersion: '0.0.0-test',
    source: 'test',
    host: { platform: 'linux', arch: 'x64', kernelRelease: '6.8.0', distro: null, wsl: false, user: 'tester' },
    gpus: [],
    devices: { kfd: { path: '/dev/kfd', present: false }, render: [] },
    rocm: { version: null, source: null, amdgpuModule: null },
    nvidia: { driverVersion: null, kernelModule: null, smi: 'missing', smiPath: null },
    docker: { installed: true, running: true, version: '27.0.0', runtimes: ['runc'], nvidiaRuntime: false, cdiSpecs: [], desktop: false },
    mac: null,
    tools: [],
    modes,
    recommendation: { mode: spec.recommend, imageTag: imageTagFor(spec.recommend), reason: 'test' },
    amdOverlay: spec.amdOverlay ?? null,
    findings: spec.findings ?? [],
    durationMs: 1,
  });
}

export const AMD_OVERLAY: AmdOverlay = { groupGids: [110, 992], rocrVisibleDevices: null, hsaOverrideGfxVersion: '10.3.0' };

export const amdReport = (): Report =>
  makeReport({
    recommend: 'amd-host',
    amdOverlay: AMD_OVERLAY,
    modeFindings: {
      'amd-host': [{ code: 'GFX_OVERRIDE', severity: 'warning', message: 'gfx1031 runs with HSA_OVERRIDE_GFX_VERSION=10.3.0', mode: 'amd-host' }],
      nvidia: [{ code: 'MODE_NOT_APPLICABLE', severity: 'info', message: 'no NVIDIA GPU', mode: 'nvidia' }],
    },
  });
