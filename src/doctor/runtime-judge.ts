// doctor --runtime's judgement, pure: what torch said inside kg-api (and what
// the container's log says) against the configured mode. amd-host needs a HIP
// build that sees the GPU kg-init pinned; nvidia needs a CUDA build that sees
// a GPU; cpu and mac are fine either way. Every problem is a finding with a
// stable code (documented in docs/gpu-modes.md) and the command that fixes it.
import type { Mode } from '../catalog.js';
import type { Finding, Report } from '../report.js';
import type { ContainerInfo, TorchFacts } from './runtime-probe.js';

export const RUNTIME_FINDING_CODES = [
  'RUNTIME_NOT_RUNNING',
  'RUNTIME_TIMEOUT',
  'RUNTIME_NO_TORCH',
  'RUNTIME_WRONG_BUILD',
  'RUNTIME_NO_DEVICE',
  'RUNTIME_PIN_MISSED',
  'RUNTIME_DEVICE_FAILED',
  'RUNTIME_FALLBACK_LIE',
  'RUNTIME_MODEL_NOT_LOADED',
  'RUNTIME_MODEL_FAILED',
  'RUNTIME_NO_NVIDIA_DRIVER',
  'RUNTIME_CPU_FALLBACK',
] as const;
export type RuntimeFindingCode = (typeof RUNTIME_FINDING_CODES)[number];

export type RuntimeFinding = Omit<Finding, 'code'> & { code: RuntimeFindingCode | 'DOCKER_NOT_FOUND' | 'DOCKER_NOT_RUNNING'; fix: string };

/** Which torch a container runs. */
export type TorchBuild = 'rocm' | 'cuda' | 'cpu';

export function torchBuild(t: TorchFacts): TorchBuild {
  if (t.hip) return 'rocm';
  if (t.cuda) return 'cuda';
  return 'cpu';
}

/** "torch 2.9.1+rocm7.2.0 (HIP 7.2.53211)", "torch 2.9.1+cu128 (CUDA 12.8)", "torch 2.9.1+cpu". */
export function describeTorch(t: TorchFacts): string {
  const b = torchBuild(t);
  const extra = b === 'rocm' ? ` (HIP ${t.hip})` : b === 'cuda' ? ` (CUDA ${t.cuda})` : '';
  return `torch ${t.torch ?? '?'}${extra}`;
}

/** Control characters and escapes out of text that came from a container. */
export function clean(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export interface RuntimeInput {
  mode: Mode | null;
  /** The kg-api image the install configures (registry/kg-api:tag). */
  expectedImage: string | null;
  /** ROCR_VISIBLE_DEVICES the install's amd-host overlay sets (null: none). */
  pinned: string | null;
  report: Pick<Report, 'gpus' | 'docker' | 'devices' | 'findings'>;
  /** The command that (re)creates kg-api with the current files. */
  startCommand: string;
  /** `kg-init --yes --dir DIR`: re-render the files for this host. */
  reinitCommand: string;
  /** `kg-init doctor --runtime=run --dir DIR`. */
  runCommand: string;
  /** How the container was found (or started). */
  container: ContainerInfo | null;
  oneOff: boolean;
  /** What went wrong before torch could answer, when it did. */
  failure: { code: 'RUNTIME_NOT_RUNNING' | 'RUNTIME_TIMEOUT' | 'RUNTIME_NO_TORCH' | 'DOCKER_NOT_FOUND' | 'DOCKER_NOT_RUNNING'; message: string; fix?: string } | null;
  torch: TorchFacts | null;
  /** The container's recent log, both streams. */
  logs: string;
}

export interface RuntimeVerdict {
  /** The configured GPU path is real (no error-severity finding). */
  ok: boolean;
  /** torch answered and its build and device fit the mode (the log may still show the platform failing). */
  torchOk: boolean;
  /** One line: the torch build and the device it runs on, or what is wrong. */
  line: string;
  findings: RuntimeFinding[];
}

const err = (code: RuntimeFinding['code'], message: string, fix: string): RuntimeFinding => ({ code, severity: 'error', message, fix });
const warn = (code: RuntimeFinding['code'], message: string, fix: string): RuntimeFinding => ({ code, severity: 'warning', message, fix });

function imageTag(image: string): string {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(at + 1) : 'latest';
}

/** The GPU ROCR_VISIBLE_DEVICES names on this host (a UUID or a KFD index). */
function pinnedGpu(input: RuntimeInput) {
  const amd = input.report.gpus.filter((g) => g.vendor === 'amd' && g.gfxTarget);
  if (input.pinned === null) return amd.length === 1 ? amd[0]! : null;
  const p = input.pinned.split(',')[0]!.trim();
  return amd.find((g) => g.uuid && g.uuid.toLowerCase() === p.toLowerCase()) ?? (/^\d+$/.test(p) ? amd.find((g) => g.kfdIndex === Number(p)) : undefined) ?? null;
}

function deviceWords(t: TorchFacts): string {
  const d = t.devices?.[0];
  if (!d) return 'no device';
  const gfx = d.gcnArchName ? ` (${d.gcnArchName.split(':')[0]})` : '';
  return `${d.name ?? `device ${d.index}`}${gfx}`;
}

/** The container's process cannot open the GPU's nodes: say which and why. */
function amdNoDevice(input: RuntimeInput, t: TorchFacts): RuntimeFinding {
  const why = t.initError ? `: ${clean(t.initError, 160)}` : '';
  const head = `kg-api's ${describeTorch(t)} is the ROCm build but sees no GPU${why}`;
  const kfd = t.nodes?.kfd;
  const hostGid = input.report.devices.kfd.gid;
  if (kfd === 'absent') {
    return err('RUNTIME_NO_DEVICE', `${head}; /dev/kfd is not in the container: it was created without the amd-host overlay's devices`, `Recreate kg-api with the overlay: ${input.startCommand}`);
  }
  if (kfd === 'denied' || (t.nodes?.render.length && t.nodes.render.every((r) => !r.rw))) {
    const groups = t.groups?.length ? t.groups.join(',') : 'none';
    const gidWords = hostGid !== undefined ? ` (gid ${hostGid} owns /dev/kfd on this host)` : '';
    return err(
      'RUNTIME_NO_DEVICE',
      `${head}; the container's process cannot open /dev/kfd or the render node: its groups (${groups}) lack the one that owns them${gidWords}`,
      `Write this host's gids into the overlay's group_add, then recreate kg-api: ${input.reinitCommand} && ${input.startCommand}`,
    );
  }
  return err('RUNTIME_NO_DEVICE', head, `Check the host's ROCm driver (dmesg | grep -i amdgpu; ls -l /dev/kfd), then recreate kg-api: ${input.startCommand}`);
}

function judgeTorch(input: RuntimeInput, t: TorchFacts, out: RuntimeFinding[]): string {
  const mode = input.mode ?? 'cpu';
  const build = torchBuild(t);
  const torchWords = describeTorch(t);
  const where = input.oneOff ? 'a one-off kg-api container' : 'kg-api';
  const image = input.container?.image;
  const stale = image && input.expectedImage && imageTag(image) !== imageTag(input.expectedImage)
    ? ` (the container runs ${image}; the install configures ${input.expectedImage})`
    : '';
  const available = t.available === true && (t.count ?? 0) > 0;

  if (mode === 'amd-host') {
    if (build !== 'rocm') {
      const what = build === 'cuda' ? 'the CUDA image on an AMD GPU' : 'a CPU-only torch on an AMD GPU';
      const line = `${where} runs torch ${t.torch ?? '?'} on an amd-host install: ${what}`;
      out.push(err('RUNTIME_WRONG_BUILD', `${line}${stale}`, stale ? `Recreate kg-api with the configured image: ${input.startCommand}` : `Select the ROCm image, then recreate kg-api: ${input.reinitCommand} --gpu amd-host && ${input.startCommand}`));
      return line;
    }
    if (!available) {
      const f = amdNoDevice(input, t);
      out.push(f);
      return f.message;
    }
    const gpu = pinnedGpu(input);
    const actualPin = t.env?.ROCR_VISIBLE_DEVICES ?? null;
    if (input.pinned !== null && actualPin !== input.pinned) {
      out.push(err('RUNTIME_PIN_MISSED', `kg-init pinned ROCR_VISIBLE_DEVICES=${input.pinned}${gpu?.name ? ` (${gpu.name})` : ''}, but kg-api runs with ${actualPin === null ? 'no ROCR_VISIBLE_DEVICES' : `ROCR_VISIBLE_DEVICES=${actualPin}`}: it was created before the overlay pinned the GPU`, `Recreate kg-api with the overlay: ${input.startCommand}`));
    }
    const arch = t.devices?.[0]?.gcnArchName?.split(':')[0];
    const override = t.env?.HSA_OVERRIDE_GFX_VERSION;
    if (gpu?.gfxTarget && arch && arch !== gpu.gfxTarget && !override) {
      out.push(err('RUNTIME_PIN_MISSED', `torch's device 0 is ${deviceWords(t)}, not the ${gpu.gfxTarget} GPU kg-init pinned${gpu.name ? ` (${gpu.name})` : ''}`, `Re-render the pin for this host and recreate kg-api: ${input.reinitCommand} && ${input.startCommand}`));
    }
  } else if (mode === 'nvidia') {
    if (build !== 'cuda') {
      const what = build === 'rocm' ? 'the ROCm image on an NVIDIA GPU' : 'a CPU-only torch on an NVIDIA GPU';
      const line = `${where} runs torch ${t.torch ?? '?'} on an nvidia install: ${what}`;
      out.push(err('RUNTIME_WRONG_BUILD', `${line}${stale}`, stale ? `Recreate kg-api with the configured image: ${input.startCommand}` : `Select the CUDA image, then recreate kg-api: ${input.reinitCommand} --gpu nvidia && ${input.startCommand}`));
      return line;
    }
    if (!available) {
      const why = t.initError ? `: ${clean(t.initError, 160)}` : '';
      const head = `${where}'s ${torchWords} sees no GPU${why}`;
      const toolkit = input.report.docker.nvidiaRuntime || input.report.docker.cdiSpecs.length > 0;
      if (!t.nodes?.nvidia.length && !toolkit) {
        out.push(err('RUNTIME_NO_DEVICE', `${head}; Docker has no NVIDIA runtime, so no GPU is passed into the container`, `Install the NVIDIA Container Toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker && ${input.startCommand}`));
      } else if (!t.nodes?.nvidia.length) {
        out.push(err('RUNTIME_NO_DEVICE', `${head}; no /dev/nvidia* in the container: it was created without the GPU reservation of docker-compose.gpu-nvidia.yml`, `Recreate kg-api with the overlay: ${input.startCommand}`));
      } else {
        out.push(err('RUNTIME_NO_DEVICE', head, `Check the host driver (nvidia-smi), then recreate kg-api: ${input.startCommand}`));
      }
      return head;
    }
  } else {
    // cpu and mac: embeddings on the CPU are the plan; a visible GPU is a bonus.
    const line = available
      ? `${where} runs ${torchWords} on ${deviceWords(t)}; the ${mode} mode needs no GPU`
      : `${where} runs ${torchWords} on the CPU, as the ${mode} mode intends`;
    return line;
  }

  // A device is visible: the tensor operation is the proof.
  if (t.tensor && !t.tensor.ok) {
    const e = clean(t.tensor.error ?? 'wrong result', 160);
    const gfxHint = /invalid device function|no kernel image|hipErrorNoBinaryForGpu/i.test(e)
      ? ` (the image has no kernels for this GPU's gfx target)`
      : '';
    out.push(err('RUNTIME_DEVICE_FAILED', `a tensor operation on ${deviceWords(t)} failed: ${e}${gfxHint}`, gfxHint ? `Let kg-init set the gfx override for this GPU, then recreate kg-api: ${input.reinitCommand} && ${input.startCommand}` : `Read the container's log (docker logs --tail 50 ${input.container?.name ?? 'kg-api'}) and the kernel's (dmesg | tail), then recreate kg-api: ${input.startCommand}`));
    return `${where} runs ${torchWords}; ${deviceWords(t)} is visible but failed a tensor operation`;
  }
  const pinWords = mode === 'amd-host' && input.pinned !== null && !out.some((f) => f.code === 'RUNTIME_PIN_MISSED') ? ', the GPU kg-init pinned' : '';
  return `${where} runs ${torchWords} on ${deviceWords(t)}${pinWords}; a tensor operation ran on it`;
}

interface LogRule {
  code: RuntimeFindingCode;
  re: RegExp;
  /** Applies on these modes (all when absent). */
  modes?: Mode[];
  make(input: RuntimeInput, line: string, count: number, lines: string[]): RuntimeFinding;
}

/** Up to the end of the first sentence ("… was unavailable)." of a longer line). */
function firstSentence(s: string): string {
  const m = /^(.{20,}?[.)])\s/.exec(s);
  return m ? m[1]! : s;
}

function lastMatch(lines: string[], re: RegExp): string | null {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i]!)) return lines[i]!;
  return null;
}

/** The platform's own symptoms in kg-api's log (api/app/main.py and the embedding model manager's lines). */
const LOG_RULES: LogRule[] = [
  {
    code: 'RUNTIME_FALLBACK_LIE',
    re: /Falling back to API-based embeddings/,
    make: (input, _line, _n, lines) => {
      const cause = lastMatch(lines, /Failed to initialize local embedding model/);
      const why = cause ? ` after "${clean(cause.replace(/^.*?Failed to initialize/, 'Failed to initialize'), 140)}"` : '';
      return err('RUNTIME_FALLBACK_LIE', `kg-api's log says "Falling back to API-based embeddings"${why}, but no fallback happens: the local embedding profile stays active and every concept fails`, `Fix the GPU path, then restart kg-api (${input.startCommand}); platform releases after the fix for issue #405 fall back to the CPU honestly (./operator.sh upgrade)`);
    },
  },
  {
    code: 'RUNTIME_MODEL_NOT_LOADED',
    re: /Embedding model not loaded/,
    make: (input, _line, n) => err('RUNTIME_MODEL_NOT_LOADED', `kg-api's log has "Embedding model not loaded" ${n} time${n > 1 ? 's' : ''}: ingestion and semantic search fail`, `Fix the cause of the failed model load (the findings above), then restart kg-api: ${input.startCommand}`),
  },
  {
    code: 'RUNTIME_MODEL_FAILED',
    re: /Failed to initialize local embedding model \(including CPU fallback\)/,
    make: (input, line) => err('RUNTIME_MODEL_FAILED', `kg-api could not load its local embedding model, not even on the CPU: "${clean(line.replace(/^.*?Failed to initialize/, 'Failed to initialize'), 160)}"`, `Repair the embedding model configuration (./operator.sh embedding), then restart kg-api: ${input.startCommand}`),
  },
  {
    code: 'RUNTIME_NO_NVIDIA_DRIVER',
    re: /Found no NVIDIA driver on your system/,
    modes: ['amd-host', 'nvidia'],
    make: (input) => input.mode === 'amd-host'
      ? err('RUNTIME_NO_NVIDIA_DRIVER', `kg-api's log has "Found no NVIDIA driver on your system": the CUDA torch build is looking for an NVIDIA GPU on an AMD host (ADR-101)`, `Recreate kg-api with the ROCm image the install configures: ${input.startCommand}`)
      : err('RUNTIME_NO_NVIDIA_DRIVER', `kg-api's log has "Found no NVIDIA driver on your system": the container cannot reach the NVIDIA driver`, `Check nvidia-smi on the host and the NVIDIA Container Toolkit (sudo nvidia-ctk runtime configure --runtime=docker), then: ${input.startCommand}`),
  },
  {
    code: 'RUNTIME_CPU_FALLBACK',
    re: /on CPU \(configured device=|Attempting CPU fallback|No GPU detected - Using CPU/,
    modes: ['amd-host', 'nvidia'],
    make: (input, line) => warn('RUNTIME_CPU_FALLBACK', `kg-api runs its embeddings on the CPU, not the GPU: "${clean(firstSentence(line.replace(/^.*?(Loaded|Attempting|No GPU)/, '$1')), 160)}"`, `Fix the GPU path (the findings above), then restart kg-api: ${input.startCommand}`),
  },
];

export function scanLogs(input: RuntimeInput): RuntimeFinding[] {
  if (!input.logs) return [];
  const lines = input.logs.split('\n');
  const out: RuntimeFinding[] = [];
  for (const rule of LOG_RULES) {
    if (rule.modes && !rule.modes.includes(input.mode ?? 'cpu')) continue;
    const hits = lines.filter((l) => rule.re.test(l));
    if (hits.length) out.push(rule.make(input, hits[hits.length - 1]!, hits.length, lines));
  }
  return out;
}

export function judgeRuntime(input: RuntimeInput): RuntimeVerdict {
  const findings: RuntimeFinding[] = [];
  let line: string;
  let torchOk = false;
  if (input.failure) {
    findings.push(err(input.failure.code, input.failure.message, input.failure.fix ?? input.startCommand));
    line = input.failure.message;
  } else if (input.torch) {
    line = judgeTorch(input, input.torch, findings);
    torchOk = !findings.some((f) => f.severity === 'error');
  } else {
    line = 'torch gave no answer';
  }
  for (const f of scanLogs(input)) if (!findings.some((g) => g.code === f.code)) findings.push(f);
  const ok = !findings.some((f) => f.severity === 'error');
  return { ok, torchOk, line, findings };
}
