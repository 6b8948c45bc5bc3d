// The probe: gathers Facts through a Host (independent sources concurrently,
// every external command bounded), streams CheckEvents for the wizard, and
// hands the facts to the pure assessment. The whole probe is bounded too: no
// command may outlive PROBE_BUDGET_MS, so a hanging tool costs at most that.
import type { Host, RunResult } from '../host/types.js';
import type { Report } from '../report.js';
import { assess } from '../assess/index.js';
import { VERSION } from '../version.js';
import type { Facts, ToolRun } from './facts.js';
import { readPci } from './pci.js';
import { readKfd } from './kfd.js';
import { readDevNodes } from './devnodes.js';
import { parseAmdSmiVersion, parseModuleVersion, parseRocmInfoVersion, parseRocmVersionHeader } from './rocm.js';
import { SMI_QUERY_ARGS, parseNvidiaProcModel, parseNvidiaProcVersion, parseNvidiaSmiQuery, smiFailureLine } from './nvidia.js';
import { isNvidiaCdiSpec, parseDockerInfo } from './docker.js';
import { isWslKernel, parseOsRelease } from './platform.js';
import { isAppleSilicon, parseMacChip, parseMacVersion } from './mac.js';
import { buildGpus } from './gpus.js';

export type { Facts } from './facts.js';

export type CheckState = 'running' | 'ok' | 'warn' | 'fail' | 'skip';
export interface CheckEvent {
  id: string;
  label: string;
  state: CheckState;
  /** One line: the result (or what is being looked at while running). */
  detail?: string;
}

export interface ProbeOptions {
  onCheck?: (ev: CheckEvent) => void;
  /** Aborting kills the tools still running (the wizard's Ctrl+C), so the process can end at once. */
  signal?: AbortSignal;
}

/** Per-command bound. */
export const TOOL_TIMEOUT_MS = 2000;
/** Whole-probe bound for commands: none may run past this. */
export const PROBE_BUDGET_MS = 2700;

export const WSL_NVIDIA_SMI = '/usr/lib/wsl/lib/nvidia-smi';

type Checked = { state: Exclude<CheckState, 'running'>; detail: string };

class Runner {
  readonly tools: ToolRun[] = [];
  private readonly deadline = performance.now() + PROBE_BUDGET_MS;
  constructor(
    private readonly host: Host,
    private readonly signal?: AbortSignal,
  ) {}
  async run(command: string, args: string[]): Promise<RunResult> {
    const left = Math.floor(this.deadline - performance.now());
    const r =
      left <= 0
        ? { status: 'timeout' as const, exitCode: null, stdout: '', stderr: '', ms: 0, command, args }
        : await this.host.run(command, args, { timeoutMs: Math.min(TOOL_TIMEOUT_MS, left), maxBytes: 1 << 20, signal: this.signal });
    this.tools.push({ command, args, status: r.status, exitCode: r.exitCode, ms: r.ms });
    return r;
  }
}

function fmtBytes(n: number | undefined): string {
  if (n === undefined) return '';
  const gib = n / 1024 ** 3;
  return gib >= 1 ? `${Math.round(gib)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`;
}

export async function probe(host: Host, opts: ProbeOptions = {}): Promise<Report> {
  const started = performance.now();
  const runner = new Runner(host, opts.signal);
  const emit = opts.onCheck ?? (() => {});
  const check = async <T>(id: string, label: string, work: () => Promise<T>, judge: (v: T) => Checked): Promise<T> => {
    emit({ id, label, state: 'running' });
    const v = await work();
    const j = judge(v);
    emit({ id, label, state: j.state, detail: j.detail });
    return v;
  };

  const linux = host.platform === 'linux';
  const darwin = host.platform === 'darwin';
  // docker info is the slowest source (a process to start, a daemon to ask):
  // started before any file is read, it runs while the rest is gathered.
  const dockerInfoP = runner.run('docker', ['info', '--format', '{{json .}}']);

  const platformP = check(
    'platform',
    'Operating system',
    async () => {
      const osr = linux ? await host.readText('/etc/os-release') : null;
      const dxg = linux ? await host.stat('/dev/dxg') : null;
      return { distro: parseOsRelease(osr), wsl: linux && (isWslKernel(host.kernelRelease) || dxg !== null) };
    },
    (v) => ({
      state: 'ok',
      detail: [v.distro?.name ?? host.platform, v.wsl ? 'WSL2' : null, host.arch, `kernel ${host.kernelRelease}`]
        .filter(Boolean)
        .join(' · '),
    }),
  );

  const pciP = linux ? readPci(host) : Promise.resolve({ readable: false, devices: [] });
  const kfdP = linux ? readKfd(host) : Promise.resolve({ topology: false, nodes: [] });

  const gpusP = linux
    ? check(
        'gpus',
        'GPUs',
        async () => {
          const [pci, kfd] = await Promise.all([pciP, kfdP]);
          return { pci, kfd };
        },
        ({ pci, kfd }) => {
          if (!pci.readable && kfd.nodes.length === 0) return { state: 'warn', detail: '/sys/bus/pci is not readable: GPUs cannot be listed' };
          const compute = pci.devices.filter((d) => d.vendor === 'nvidia' || d.vendor === 'amd');
          if (compute.length === 0 && kfd.nodes.length === 0) {
            return { state: 'skip', detail: pci.devices.length ? `no NVIDIA or AMD GPU (${pci.devices.length} display device${pci.devices.length > 1 ? 's' : ''})` : 'no GPU on the PCI bus' };
          }
          return {
            state: 'ok',
            detail: compute.map((d) => `${d.vendor.toUpperCase()} ${d.deviceId} at ${d.address} (${d.driver ?? 'no driver'})`).join(', ') || `${kfd.nodes.length} KFD GPU node(s)`,
          };
        },
      )
    : Promise.resolve(null);

  const devP: Promise<Facts['devices']> = linux ? readDevNodes(host) : Promise.resolve({ kfd: { path: '/dev/kfd', present: false }, render: [] });

  const wslAmdP = platformP.then(async (p) => {
    if (!p.wsl) return false;
    const entries = (await host.list('/usr/lib/wsl/drivers')) ?? [];
    // AMD driver packages are u0xxxxxx.inf_amd64_*; `_amd64_` is the architecture, not the vendor.
    return entries.some((e) => /^u\d{6,}\.inf/i.test(e) || /(amd|radeon|ati)/i.test(e.replace(/_amd64_/gi, '_')));
  });

  const kfdCheckP = linux
    ? check(
        'kfd',
        'AMD ROCm kernel driver (/dev/kfd)',
        async () => {
          const [pci, kfd, dev] = await Promise.all([pciP, kfdP, devP]);
          return { pci, kfd, dev };
        },
        ({ pci, kfd, dev }): Checked => {
          const amd = pci.devices.some((d) => d.vendor === 'amd');
          if (!amd && kfd.nodes.length === 0) return { state: 'skip', detail: 'no AMD GPU' };
          if (!dev.kfd.present || !kfd.topology) return { state: 'fail', detail: '/dev/kfd or the KFD topology is missing' };
          const gfx = kfd.nodes.map((n) => n.gfx).join(', ') || 'no GPU nodes';
          if (dev.kfd.userAccess === false) return { state: 'warn', detail: `${gfx}; /dev/kfd is not read-writable by ${host.identity.user}` };
          return { state: 'ok', detail: `${gfx}; /dev/kfd accessible` };
        },
      )
    : Promise.resolve(null);

  const rocmP = linux
    ? check(
        'rocm',
        'ROCm userspace',
        async () => {
          const [info, header, module] = await Promise.all([
            host.readText('/opt/rocm/.info/version'),
            host.readText('/opt/rocm/include/rocm-core/rocm_version.h'),
            host.readText('/sys/module/amdgpu/version'),
          ]);
          let version = parseRocmInfoVersion(info);
          let source: string | null = version ? '/opt/rocm/.info/version' : null;
          if (!version) {
            version = parseRocmVersionHeader(header);
            if (version) source = '/opt/rocm/include/rocm-core/rocm_version.h';
          }
          if (!version) {
            // amd-smi only when an AMD GPU is there: it is slow and pointless otherwise.
            const [pci, kfd] = await Promise.all([pciP, kfdP]);
            if (kfd.nodes.length > 0 || pci.devices.some((d) => d.vendor === 'amd')) {
              const r = await runner.run('amd-smi', ['version']);
              if (r.status === 'ok') {
                version = parseAmdSmiVersion(r.stdout);
                if (version) source = 'amd-smi version';
              }
            }
          }
          return { version, source, amdgpuModule: parseModuleVersion(module) };
        },
        (v) =>
          v.version
            ? { state: 'ok', detail: `ROCm ${v.version} (${v.source})` }
            : { state: 'skip', detail: 'no ROCm userspace on the host (the image brings its own)' },
      )
    : Promise.resolve({ version: null, source: null, amdgpuModule: null });

  const nvidiaP = linux
    ? check(
        'nvidia',
        'NVIDIA driver',
        async (): Promise<Facts['nvidia'] & { skipped: boolean }> => {
          const [pci, plat] = await Promise.all([pciP, platformP]);
          const [ver, procGpus] = await Promise.all([host.readText('/proc/driver/nvidia/version'), host.list('/proc/driver/nvidia/gpus')]);
          const proc = parseNvidiaProcVersion(ver);
          const procModels: Record<string, string> = {};
          await Promise.all(
            (procGpus ?? []).map(async (addr) => {
              const model = parseNvidiaProcModel(await host.readText(`/proc/driver/nvidia/gpus/${addr}/information`));
              if (model) procModels[addr] = model;
            }),
          );
          const base: Facts['nvidia'] & { skipped: boolean } = {
            driverVersion: proc?.version ?? null,
            kernelModule: proc?.kernelModule ?? null,
            smi: 'missing',
            smiPath: null,
            smiMessage: null,
            smiGpus: [],
            procGpus: (procGpus ?? []).sort(),
            procModels,
            skipped: false,
          };
          const nvidiaPci = pci.devices.some((d) => d.vendor === 'nvidia');
          if (!nvidiaPci && !plat.wsl && !proc && pci.readable) {
            return { ...base, skipped: true };
          }
          let r = await runner.run('nvidia-smi', SMI_QUERY_ARGS);
          let path = 'nvidia-smi';
          if (r.status === 'missing' && plat.wsl) {
            r = await runner.run(WSL_NVIDIA_SMI, SMI_QUERY_ARGS);
            path = WSL_NVIDIA_SMI;
          }
          if (r.status === 'missing') return base;
          base.smiPath = path;
          if (r.truncated) {
            // Megabytes where a few lines are expected: a broken tool, not a list of GPUs.
            base.smi = 'error';
            base.smiMessage = `${path} printed more than 1 MiB where a few lines were expected; its answer was not used`;
            return base;
          }
          if (r.status === 'timeout') {
            base.smi = 'timeout';
            base.smiMessage = `${path} did not answer within ${TOOL_TIMEOUT_MS / 1000} s`;
            return base;
          }
          const rows = r.status === 'ok' ? parseNvidiaSmiQuery(r.stdout) : [];
          if (rows.length === 0) {
            base.smi = 'error';
            base.smiMessage = r.status === 'ok' ? 'nvidia-smi answered but listed no GPU it could read' : smiFailureLine(r.stdout, r.stderr);
            return base;
          }
          base.smi = 'ok';
          base.smiGpus = rows;
          base.driverVersion = base.driverVersion ?? rows.find((g) => g.driverVersion)?.driverVersion ?? null;
          return base;
        },
        (n): Checked => {
          if (n.skipped) return { state: 'skip', detail: 'no NVIDIA GPU' };
          if (n.smi === 'ok') {
            return { state: 'ok', detail: `driver ${n.driverVersion ?? '?'}: ${n.smiGpus.map((g) => `${g.name}${g.vramBytes ? ` ${fmtBytes(g.vramBytes)}` : ''}`).join(', ')}` };
          }
          if (n.smi === 'timeout') return { state: 'fail', detail: n.smiMessage ?? 'nvidia-smi timed out' };
          if (n.smi === 'error') return { state: 'fail', detail: n.smiMessage ?? 'nvidia-smi failed' };
          return n.driverVersion
            ? { state: 'warn', detail: `kernel module ${n.driverVersion}, but no nvidia-smi` }
            : { state: 'fail', detail: 'no NVIDIA driver answers (no nvidia-smi, no /proc/driver/nvidia)' };
        },
      )
    : Promise.resolve(null);

  const dockerP = check(
    'docker',
    'Docker',
    async (): Promise<Facts['docker']> => {
      const r = await dockerInfoP;
      const cdiSpecs: string[] = [];
      if (linux) {
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
      const info = parseDockerInfo(r.stdout, r.exitCode, r.stderr);
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
    (d): Checked => {
      if (!d.installed) return { state: 'warn', detail: 'docker is not installed' };
      if (d.timedOut) return { state: 'fail', detail: `docker info did not answer within ${TOOL_TIMEOUT_MS / 1000} s` };
      if (!d.running) return { state: 'warn', detail: 'docker is installed but its daemon does not answer' };
      const rt = d.nvidiaRuntime ? ', nvidia runtime' : d.cdiSpecs.length ? ', NVIDIA CDI spec' : '';
      return { state: 'ok', detail: `Docker ${d.version ?? '?'}${d.desktop ? ' (Docker Desktop)' : ''}${rt}` };
    },
  );

  const macP = darwin
    ? check(
        'mac',
        'Mac hardware',
        async () => {
          const [chip, ver] = await Promise.all([
            runner.run('sysctl', ['-n', 'machdep.cpu.brand_string']),
            runner.run('sw_vers', ['-productVersion']),
          ]);
          const c = chip.status === 'ok' ? parseMacChip(chip.stdout) : null;
          return { appleSilicon: isAppleSilicon(host.arch, c), chip: c, version: ver.status === 'ok' ? parseMacVersion(ver.stdout) : null };
        },
        (m) => ({ state: 'ok', detail: `${m.chip ?? (m.appleSilicon ? 'Apple Silicon' : 'Intel Mac')}${m.version ? ` · macOS ${m.version}` : ''}` }),
      )
    : Promise.resolve(null);

  const [plat, pci, kfd, dev, rocm, nvidia, docker, mac, wslAmd] = await Promise.all([
    platformP,
    pciP,
    kfdP,
    devP,
    rocmP,
    nvidiaP,
    dockerP,
    macP,
    wslAmdP,
    gpusP,
    kfdCheckP,
  ]);

  const tools = [...runner.tools].sort((a, b) => `${a.command} ${a.args.join(' ')}`.localeCompare(`${b.command} ${b.args.join(' ')}`));
  const { skipped: _skipped, ...nvidiaFacts } = nvidia ?? {
    driverVersion: null, kernelModule: null, smi: 'missing' as const, smiPath: null, smiMessage: null, smiGpus: [], procGpus: [], skipped: true,
  };
  const facts: Facts = {
    platform: host.platform,
    arch: host.arch,
    kernelRelease: host.kernelRelease,
    identity: host.identity,
    distro: plat.distro,
    wsl: plat.wsl,
    pciReadable: pci.readable,
    pci: pci.devices,
    kfd,
    wslAmdDriver: wslAmd,
    devices: dev,
    rocm,
    nvidia: nvidiaFacts,
    docker,
    mac,
    tools,
  };
  return reportFrom(host, facts, performance.now() - started);
}

/** Builds the public Report from facts (pure apart from the version constant). */
export function reportFrom(host: Pick<Host, 'source'>, facts: Facts, durationMs: number): Report {
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
    },
    mac: facts.mac,
    tools: facts.tools,
    modes: a.modes,
    recommendation: a.recommendation,
    amdOverlay: a.amdOverlay,
    findings: a.findings,
    durationMs: Math.round(durationMs),
  };
  // Typed by construction; validated where it leaves the process (probe
  // --json) and where one comes in (KG_INIT_REPORT). Parsing it here too cost
  // a headless run about a tenth of its start-up time.
  return report;
}
