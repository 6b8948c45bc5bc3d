// The probe: runs the table of checks (./checks) through a Host, independent
// sources concurrently and every external command bounded, streams a
// CheckEvent per check for the wizard, and returns the Facts. It decides
// nothing: src/assess turns the facts into the Report. The whole probe is
// bounded too: no command may outlive PROBE_BUDGET_MS, so a hanging tool costs
// at most that.
import { sanitizeLine } from '../util/sanitize.js';
import type { Host, RunResult } from '../host/types.js';
import type { Facts, ToolRun } from './facts.js';
import { PROBE_BUDGET_MS, TOOL_TIMEOUT_MS } from './limits.js';
import { readPci } from './pci.js';
import { readKfd } from './kfd.js';
import { readDevNodes } from './devnodes.js';
import type { Check, CheckEvent, ProbeContext } from './checks/types.js';
import { platformCheck, readPlatform } from './checks/platform.js';
import { gpusCheck } from './checks/gpus.js';
import { kfdCheck } from './checks/kfd.js';
import { rocmCheck } from './checks/rocm.js';
import { nvidiaCheck, readNvidia } from './checks/nvidia.js';
import { readPciIds } from './names.js';
import { dockerCheck } from './checks/docker.js';
import { macCheck } from './checks/mac.js';
import { monotonicMs } from '../util/clock.js';

export type { Facts } from './facts.js';
export type { CheckEvent, CheckState } from './checks/types.js';

export interface ProbeOptions {
  onCheck?: (ev: CheckEvent) => void;
  /** Aborting kills the tools still running (the wizard's Ctrl+C), so the process can end at once. */
  signal?: AbortSignal;
}

/** The checks, in the order the wizard lists them. */
export const CHECKS = [platformCheck, gpusCheck, kfdCheck, rocmCheck, nvidiaCheck, dockerCheck, macCheck] as const;

type Results<T extends readonly Check<unknown>[]> = { [K in keyof T]: T[K] extends Check<infer V> ? V : never };

class Runner {
  readonly tools: ToolRun[] = [];
  private readonly deadline = monotonicMs() + PROBE_BUDGET_MS;
  constructor(
    private readonly host: Host,
    private readonly signal?: AbortSignal,
  ) {}
  async run(command: string, args: string[]): Promise<RunResult> {
    const left = Math.floor(this.deadline - monotonicMs());
    const r =
      left <= 0
        ? { status: 'timeout' as const, exitCode: null, stdout: '', stderr: '', ms: 0, command, args }
        : await this.host.run(command, args, { timeoutMs: Math.min(TOOL_TIMEOUT_MS, left), maxBytes: 1 << 20, signal: this.signal });
    this.tools.push({ command, args, status: r.status, exitCode: r.exitCode, ms: r.ms });
    return r;
  }
}

function once<T>(read: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= read());
}

function context(host: Host, runner: Runner): ProbeContext {
  const linux = host.platform === 'linux';
  const darwin = host.platform === 'darwin';
  // docker info is the slowest source (a process to start, a daemon to ask):
  // started before any file is read, it runs while the rest is gathered.
  const dockerInfo = runner.run('docker', ['info', '--format', '{{json .}}']);
  const ctx: ProbeContext = {
    host,
    linux,
    darwin,
    run: (command, args) => runner.run(command, args),
    platform: once(() => readPlatform(ctx)),
    pci: once(() => (linux ? readPci(host) : Promise.resolve({ readable: false, devices: [] }))),
    kfd: once(() => (linux ? readKfd(host) : Promise.resolve({ topology: false, nodes: [] }))),
    devices: once(() => (linux ? readDevNodes(host) : Promise.resolve({ kfd: { path: '/dev/kfd', present: false }, render: [] }))),
    pciIds: once(async () => {
      const [pci, kfd] = await Promise.all([ctx.pci(), ctx.kfd()]);
      return readPciIds(host, [...pci.devices.map((d) => d.vendorId), ...(kfd.nodes.length ? ['0x1002'] : [])]);
    }),
    nvidia: once(() => readNvidia(ctx)),
    dockerInfo: () => dockerInfo,
  };
  return ctx;
}

/** Gathers the host's facts; `facts.durationMs` is the time it took. */
export async function probe(host: Host, opts: ProbeOptions = {}): Promise<Facts> {
  const started = monotonicMs();
  const runner = new Runner(host, opts.signal);
  // A check's one-line verdict can quote the host (a GPU name, a tool's message): made safe for the terminal.
  const emit = opts.onCheck ? (ev: CheckEvent) => opts.onCheck!(ev.detail ? { ...ev, detail: sanitizeLine(ev.detail) } : ev) : () => {};
  const ctx = context(host, runner);
  const runCheck = async <T>(c: Check<T>): Promise<T> => {
    if (!c.applies(ctx)) return c.absent;
    emit({ id: c.id, label: c.label, state: 'running' });
    const v = await c.gather(ctx);
    const j = c.judge(v, ctx);
    emit({ id: c.id, label: c.label, state: j.state, detail: j.detail });
    return v;
  };
  const [plat, gpus, kfd, rocm, nvidia, dockerc, mac] = (await Promise.all(CHECKS.map((c) => runCheck<unknown>(c as Check<unknown>)))) as unknown as Results<typeof CHECKS>;

  // Plain code-unit order: localeCompare would start ICU's collator, a cost of its own at start-up.
  const line = (t: { command: string; args: readonly string[] }) => `${t.command} ${t.args.join(' ')}`;
  const tools = [...runner.tools].sort((a, b) => (line(a) < line(b) ? -1 : line(a) > line(b) ? 1 : 0));
  const { skipped: _skipped, ...nvidiaFacts } = nvidia;
  return {
    platform: host.platform,
    arch: host.arch,
    kernelRelease: host.kernelRelease,
    identity: host.identity,
    distro: plat.distro,
    wsl: plat.wsl,
    pciReadable: gpus.pci.readable,
    pci: gpus.pci.devices,
    pciIds: gpus.pciIds,
    kfd: gpus.kfd,
    wslAmdDriver: gpus.wslAmdDriver,
    devices: kfd.devices,
    rocm,
    nvidia: nvidiaFacts,
    docker: dockerc.docker,
    mac,
    tools,
    durationMs: monotonicMs() - started,
  };
}
