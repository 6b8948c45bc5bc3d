// `kg-init doctor --runtime`: proves the GPU path inside the running platform
// instead of predicting it from the host. Finds this install's kg-api
// container (or, with --runtime=run, starts a one-off one from the configured
// image with the overlay's devices and environment), asks torch inside it in
// one bounded call, reads the container's recent log for the platform's own
// symptoms, and judges the answer against the configured mode
// (./runtime-judge.ts).
import { GHCR_COMPOSE_FILE, modeSpec, type Mode } from '../catalog.js';
import type { Host } from '../host/types.js';
import type { InstallState } from '../install/types.js';
import type { Report } from '../report.js';
import { shellQuote } from '../present/shell.js';
import { apiImage, envValue, loadComposeParser, parseCompose } from './compose.js';
import { composeInvocation, type ComposeInvocation } from './runtime-layout.js';
import { judgeRuntime, type RuntimeFinding, type RuntimeInput, type RuntimeVerdict } from './runtime-judge.js';
import {
  boundsFrom, Docker, dockerError, manifestBytes, parsePs, parseTorchOutput, pickApiContainer,
  type ContainerInfo, type TorchFacts,
} from './runtime-probe.js';

export { RUNTIME_FINDING_CODES } from './runtime-judge.js';

export type RuntimeHow = 'exec' | 'run';

export interface RuntimeResult extends RuntimeVerdict {
  how: RuntimeHow;
  /** The compose project kg-init looked in, and where its name came from. */
  project: string;
  projectFrom: string;
  container: (ContainerInfo & { foundBy: string }) | null;
  oneOff: boolean;
  /** The kg-api image the install configures. */
  image: string | null;
  /** --runtime=run only: whether the image had to be pulled, and its compressed size when the registry said. */
  pull: { needed: boolean; bytes: number | null } | null;
  torch: TorchFacts | null;
  /** Log lines read from the container (0 when none). */
  logLines: number;
}

export interface RuntimeOptions {
  how: RuntimeHow;
  /** How the directory is named in commands. */
  dirArg: string;
  mode: Mode | null;
  imageTag: string | null;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Progress for people (pull notices, pull progress); never on stdout. */
  notify(text: string): void;
}

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

function startCommand(install: InstallState, inv: ComposeInvocation, dirArg: string): string {
  if (install.operatorScript) return `cd ${shellQuote(dirArg)} && ./operator.sh start`;
  // No operator.sh: the files kg-init rendered, as its own next command names them.
  const rel = (p: string) => (p.startsWith(`${install.dir}/`) ? p.slice(install.dir.length + 1) : p);
  const files = inv.files.flatMap((f) => ['-f', rel(f)]);
  const envFile = inv.envFile ? ['--env-file', rel(inv.envFile)] : [];
  return `cd ${shellQuote(dirArg)} && docker compose ${[...files, ...envFile].map(shellQuote).join(' ')} up -d api`;
}

export async function checkRuntime(host: Host, install: InstallState, report: Report, opts: RuntimeOptions): Promise<RuntimeResult> {
  await loadComposeParser();
  const inv = composeInvocation(install, opts.mode, opts.imageTag, opts.env);
  const bounds = boundsFrom(opts.env);
  const docker = new Docker(host, bounds, opts.signal);
  const dir = shellQuote(opts.dirArg);

  const ghcrText = install.compose[GHCR_COMPOSE_FILE]?.text;
  const ghcr = ghcrText ? parseCompose(ghcrText) : null;
  const api = ghcr?.ok ? apiImage(ghcr.doc) : null;
  const image = api && opts.imageTag ? `${api.registry ? `${api.registry}/` : ''}kg-api:${opts.imageTag}` : null;
  const overlayFile = opts.mode ? modeSpec(opts.mode).overlay : null;
  const overlayText = overlayFile ? install.compose[overlayFile]?.text : undefined;
  const overlay = overlayText ? parseCompose(overlayText) : null;
  const pinned = overlay?.ok && opts.mode === 'amd-host' ? envValue(overlay.doc, 'ROCR_VISIBLE_DEVICES') ?? null : null;

  const input: RuntimeInput = {
    mode: opts.mode,
    expectedImage: image,
    pinned,
    report,
    startCommand: startCommand(install, inv, opts.dirArg),
    reinitCommand: `kg-init --yes --dir ${dir}`,
    runCommand: `kg-init doctor --runtime=run --dir ${dir}`,
    container: null,
    oneOff: opts.how === 'run',
    failure: null,
    torch: null,
    logs: '',
  };
  const result = (extra: Partial<RuntimeResult> = {}): RuntimeResult => ({
    ...judgeRuntime(input),
    how: opts.how,
    project: inv.project,
    projectFrom: inv.projectFrom,
    container: null,
    oneOff: opts.how === 'run',
    image,
    pull: null,
    torch: input.torch,
    logLines: input.logs ? input.logs.split('\n').filter(Boolean).length : 0,
    ...extra,
  });

  // Docker must answer before anything else means something.
  const ps = await docker.psApi();
  if (opts.signal?.aborted) throw abortError();
  if (ps.status === 'missing') {
    input.failure = { code: 'DOCKER_NOT_FOUND', message: 'docker is not installed here: the platform cannot be running', fix: 'Install Docker Engine (https://docs.docker.com/engine/install/), then start the platform.' };
    return result();
  }
  if (ps.status !== 'ok') {
    const why = dockerError(ps);
    const denied = /permission denied/i.test(why);
    input.failure = {
      code: 'DOCKER_NOT_RUNNING',
      message: `docker did not answer (docker ps: ${why})`,
      fix: denied ? 'Add yourself to the docker group (sudo usermod -aG docker "$USER", then log in again), or run kg-init with sudo.' : 'Start Docker (sudo systemctl start docker), then run this again.',
    };
    return result();
  }
  const found = pickApiContainer(parsePs(ps.stdout), inv);
  const container = found.container ? { ...found.container, foundBy: found.how } : null;
  input.container = container;

  if (opts.how === 'run') return runOneOff(docker, inv, input, result, container, opts, image);

  if (!container) {
    input.failure = {
      code: 'RUNTIME_NOT_RUNNING',
      message: `no kg-api container of this install (compose project ${inv.project}, from ${inv.projectFrom}): the platform is not started`,
      fix: `Start it (${input.startCommand}), or test the GPU path in a one-off container without starting the platform: ${input.runCommand}`,
    };
    return result();
  }
  // The log explains a container that stopped as much as one that runs.
  const logs = await docker.logs(container.id);
  if (opts.signal?.aborted) throw abortError();
  if (logs.status === 'ok') input.logs = `${logs.stdout}\n${logs.stderr}`;
  if (container.state !== 'running') {
    input.failure = {
      code: 'RUNTIME_NOT_RUNNING',
      message: `kg-api (${container.name}) is not running: ${container.status || container.state}`,
      fix: `Start it (${input.startCommand}) and read why it stopped (docker logs --tail 50 ${container.name}), or test the GPU path in a one-off container: ${input.runCommand}`,
    };
    return result({ container });
  }
  let r = await docker.execTorch(container.id);
  if (r.status === 'exit' && /"timeout".*not found|timeout: (?:not found|No such file)/i.test(r.stderr)) {
    // An image without coreutils' timeout: the outer bound alone holds.
    r = await docker.execTorch(container.id);
  }
  if (opts.signal?.aborted) throw abortError();
  input.torch = parseTorchOutput(r.stdout);
  if (!input.torch) input.failure = torchFailure(r, bounds.torchMs, container.name, input.startCommand);
  return result({ container });
}

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

function torchFailure(r: { status: string; exitCode: number | null; stdout: string; stderr: string; ms: number }, torchMs: number, name: string, start: string): RuntimeInput['failure'] {
  if (r.status === 'timeout' || (r.status === 'exit' && (r.exitCode === 137 || r.exitCode === 124))) {
    return {
      code: 'RUNTIME_TIMEOUT',
      message: `torch inside ${name} did not answer within ${Math.round(torchMs / 1000)} s: the GPU hangs on initialisation, or the container is overloaded`,
      fix: `Read the kernel's and the container's log (dmesg | tail; docker logs --tail 50 ${name}); to wait longer: KG_INIT_RUNTIME_TIMEOUT=180 kg-init doctor --runtime`,
    };
  }
  const why = dockerError(r as Parameters<typeof dockerError>[0]);
  return {
    code: 'RUNTIME_NO_TORCH',
    message: `torch could not be asked inside ${name}: ${why}`,
    fix: `Check that the container is the platform's kg-api image (docker ps), then recreate it: ${start}`,
  };
}

async function runOneOff(
  docker: Docker, inv: ComposeInvocation, input: RuntimeInput, result: (extra?: Partial<RuntimeResult>) => RuntimeResult,
  found: (ContainerInfo & { foundBy: string }) | null, opts: RuntimeOptions, image: string | null,
): Promise<RuntimeResult> {
  if (!inv.files.length) {
    input.failure = { code: 'RUNTIME_NOT_RUNNING', message: `no docker-compose.yml in ${inv.dockerDir}: the platform is not installed here, so there is no api service to run`, fix: 'Install the platform first (its install.sh), then run this again.' };
    return result();
  }
  let pull: RuntimeResult['pull'] = null;
  if (image) {
    const present = await docker.imageInspect(image);
    if (opts.signal?.aborted) throw abortError();
    if (present.status !== 'ok') {
      const m = await docker.manifest(image);
      if (opts.signal?.aborted) throw abortError();
      const bytes = m.status === 'ok' ? manifestBytes(m.stdout, process.arch) : null;
      pull = { needed: true, bytes };
      opts.notify(`${image} is not on this host: pulling it${bytes ? ` (about ${gb(bytes)} to download)` : ' (size unknown: the registry did not say)'}; Ctrl+C stops.`);
      const pr = await docker.pull(inv, (_s, text) => opts.notify(text.replace(/\r/g, '\n').split('\n').filter((l) => l.trim()).slice(-1)[0] ?? ''));
      if (opts.signal?.aborted) throw abortError();
      if (pr.status !== 'ok') {
        input.failure = { code: 'RUNTIME_NO_TORCH', message: `pulling ${image} failed: ${dockerError(pr)}`, fix: `Check the tag and your access to the registry: docker pull ${image}` };
        return result({ pull });
      }
    } else {
      pull = { needed: false, bytes: null };
    }
  }
  const name = `kg-init-runtime-${process.pid}`;
  input.container = { id: name, name, image: image ?? 'kg-api', state: 'running', status: 'one-off', project: inv.project };
  opts.notify(`starting a one-off kg-api container (${name}) with the install's overlay…`);
  const r = await docker.runTorch(inv, name);
  if (r.status === 'timeout' || r.status === 'error' || opts.signal?.aborted) {
    // Killing the docker CLI leaves the container: remove it by name.
    await docker.remove(name);
    if (opts.signal?.aborted) throw abortError();
  }
  input.torch = parseTorchOutput(r.stdout);
  if (!input.torch) input.failure = torchFailure(r, boundsFrom(opts.env).torchMs + 30_000, name, input.startCommand);
  // The running platform's log, when there is one, still tells its own story.
  if (found) {
    const logs = await docker.logs(found.id);
    if (logs.status === 'ok') input.logs = `${logs.stdout}\n${logs.stderr}`;
  }
  return result({ container: { ...input.container, foundBy: 'docker compose run' }, pull });
}

export type { RuntimeFinding };
