// The NVIDIA driver: /proc/driver/nvidia (the kernel module, and each GPU's
// model) and nvidia-smi (the driver answering), run with a time bound.
import type { Facts } from '../facts.js';
import { TOOL_TIMEOUT_MS } from '../limits.js';
import { SMI_QUERY_ARGS, parseNvidiaProcModel, parseNvidiaProcVersion, parseNvidiaSmiQuery, smiFailureLine } from '../nvidia.js';
import type { Check, ProbeContext } from './types.js';
import { formatBytes } from '../../present/bytes.js';

export const WSL_NVIDIA_SMI = '/usr/lib/wsl/lib/nvidia-smi';

export type NvidiaFacts = Facts['nvidia'] & { skipped: boolean };

/** The source behind ctx.nvidia(). */
export async function readNvidia(ctx: ProbeContext): Promise<NvidiaFacts> {
  const { host } = ctx;
  const [pci, plat] = await Promise.all([ctx.pci(), ctx.platform()]);
  const [ver, procGpus] = await Promise.all([host.readText('/proc/driver/nvidia/version'), host.list('/proc/driver/nvidia/gpus')]);
  const proc = parseNvidiaProcVersion(ver);
  const procModels: Record<string, string> = {};
  await Promise.all(
    (procGpus ?? []).map(async (addr) => {
      const model = parseNvidiaProcModel(await host.readText(`/proc/driver/nvidia/gpus/${addr}/information`));
      if (model) procModels[addr] = model;
    }),
  );
  const base: NvidiaFacts = {
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
  let r = await ctx.run('nvidia-smi', SMI_QUERY_ARGS);
  let path = 'nvidia-smi';
  if (r.status === 'missing' && plat.wsl) {
    r = await ctx.run(WSL_NVIDIA_SMI, SMI_QUERY_ARGS);
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
}

export const nvidiaCheck: Check<NvidiaFacts> = {
  id: 'nvidia',
  label: 'NVIDIA driver',
  applies: (ctx) => ctx.linux,
  absent: { driverVersion: null, kernelModule: null, smi: 'missing', smiPath: null, smiMessage: null, smiGpus: [], procGpus: [], skipped: true },
  gather: (ctx) => ctx.nvidia(),
  judge(n) {
    if (n.skipped) return { state: 'skip', detail: 'no NVIDIA GPU' };
    if (n.smi === 'ok') {
      return { state: 'ok', detail: `driver ${n.driverVersion ?? '?'}: ${n.smiGpus.map((g) => `${g.name}${g.vramBytes ? ` ${formatBytes(g.vramBytes)}` : ''}`).join(', ')}` };
    }
    if (n.smi === 'timeout') return { state: 'fail', detail: n.smiMessage ?? 'nvidia-smi timed out' };
    if (n.smi === 'error') return { state: 'fail', detail: n.smiMessage ?? 'nvidia-smi failed' };
    return n.driverVersion
      ? { state: 'warn', detail: `kernel module ${n.driverVersion}, but no nvidia-smi` }
      : { state: 'fail', detail: 'no NVIDIA driver answers (no nvidia-smi, no /proc/driver/nvidia)' };
  },
};
