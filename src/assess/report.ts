// The public Report, built from the probe's facts: the GPU list, the
// assessment of every mode, and the facts worth showing. `probeReport` is the
// probe and this together, for the commands and the wizard.
import { sanitizeDeep } from '../util/sanitize.js';
import type { Host } from '../host/types.js';
import type { Report } from '../report.js';
import { VERSION } from '../version.js';
import type { Facts } from '../probe/facts.js';
import { buildGpus } from '../probe/gpus.js';
import { probe, type ProbeOptions } from '../probe/index.js';
import { assess } from './index.js';

/** Probes the host and assesses what it found. */
export async function probeReport(host: Host, opts: ProbeOptions = {}): Promise<Report> {
  // Host data (a GPU name from nvidia-smi or sysfs, a tool's error line) reaches every front end
  // (probe, configure, doctor, the wizard) with no escape sequence or control character.
  return sanitizeDeep(reportFrom(host, await probe(host, opts)));
}

/** Builds the public Report from facts (pure apart from the version constant). */
export function reportFrom(host: Pick<Host, 'source'>, facts: Facts): Report {
  const gpus = buildGpus(facts);
  const a = assess(facts, gpus);
  const strip = <T extends { minor?: number }>(n: T) => {
    const { minor: _m, ...rest } = n;
    return rest;
  };
  const report: Report = {
    schemaVersion: 1,
    kgInitVersion: VERSION,
    source: host.source === 'live' ? 'live' : host.source.snapshot,
    host: {
      platform: facts.platform,
      arch: facts.arch,
      kernelRelease: facts.kernelRelease,
      distro: facts.distro,
      wsl: facts.wsl,
      user: facts.identity.user,
    },
    gpus,
    devices: { kfd: strip(facts.devices.kfd), render: facts.devices.render.map(strip) },
    rocm: facts.rocm,
    nvidia: {
      driverVersion: facts.nvidia.driverVersion,
      kernelModule: facts.nvidia.kernelModule,
      smi: facts.nvidia.smi,
      smiPath: facts.nvidia.smiPath,
    },
    docker: {
      installed: facts.docker.installed,
      running: facts.docker.running,
      version: facts.docker.version,
      runtimes: facts.docker.runtimes,
      nvidiaRuntime: facts.docker.nvidiaRuntime,
      cdiSpecs: facts.docker.cdiSpecs,
      desktop: facts.docker.desktop,
      ...(facts.docker.rootless ? { rootless: true } : {}),
      ...(facts.docker.podman ? { podman: true } : {}),
    },
    mac: facts.mac,
    tools: facts.tools,
    modes: a.modes,
    recommendation: a.recommendation,
    amdOverlay: a.amdOverlay,
    findings: a.findings,
    durationMs: Math.round(facts.durationMs ?? 0),
  };
  // Typed by construction; validated where it leaves the process (probe
  // --json) and where one comes in (KG_INIT_REPORT). Parsing it here too cost
  // a headless run about a tenth of its start-up time.
  return report;
}
