// doctor --runtime, the part that talks to Docker: find this install's kg-api
// container (or start a one-off one), ask torch inside it what it is and what
// it sees in ONE bounded call, and read the container's recent logs. Every
// docker call goes through Host.run with its own time bound (a pull is the one
// long call, with progress); an abort (Ctrl+C) kills the call in flight and
// removes a one-off container.
import type { Host, RunResult } from '../host/types.js';
import type { ComposeInvocation } from './runtime-layout.js';

/** What torch said inside the container (the script below prints it as one JSON line). */
export interface TorchFacts {
  python?: string;
  /** Set when `import torch` failed. */
  importError?: string;
  torch?: string;
  /** torch.version.cuda: '12.8' on a CUDA build, null otherwise. */
  cuda?: string | null;
  /** torch.version.hip: '7.2.xxxxx' on a ROCm build, null otherwise. */
  hip?: string | null;
  available?: boolean;
  count?: number;
  /** Why the device layer did not initialise (torch.cuda.init()'s error), when it did not. */
  initError?: string;
  devices?: Array<{ index: number; name?: string; gcnArchName?: string; memory?: number; uuid?: string; error?: string }>;
  /** The tiny tensor operation on device 0. */
  tensor?: { ok: boolean; device?: string; error?: string };
  /** Device-visibility environment inside the container. */
  env?: Record<string, string>;
  /** What the container's process can open (the user and groups the platform runs with). */
  nodes?: { kfd: 'rw' | 'denied' | 'absent'; render: Array<{ path: string; rw: boolean }>; nvidia: string[] };
  groups?: number[];
}

/** The one script torch runs: prints `KGINIT-RUNTIME {json}`; never raises. Kept short: it travels as an argument. */
export const TORCH_SCRIPT = String.raw`import json,os,sys,glob
r={"python":sys.version.split()[0]}
def w(x):return str(x).strip().splitlines()[0][:300] if str(x).strip() else type(x).__name__
r["env"]={k:os.environ[k] for k in ("ROCR_VISIBLE_DEVICES","HIP_VISIBLE_DEVICES","CUDA_VISIBLE_DEVICES","HSA_OVERRIDE_GFX_VERSION","NVIDIA_VISIBLE_DEVICES") if k in os.environ}
k="/dev/kfd"
r["nodes"]={"kfd":("rw" if os.access(k,os.R_OK|os.W_OK) else "denied") if os.path.exists(k) else "absent","render":[{"path":p,"rw":os.access(p,os.R_OK|os.W_OK)} for p in sorted(glob.glob("/dev/dri/renderD*"))],"nvidia":sorted(glob.glob("/dev/nvidia[0-9]*"))}
r["groups"]=os.getgroups()
try:
 import torch
except Exception as e:
 r["importError"]=w(e);print("KGINIT-RUNTIME "+json.dumps(r));sys.exit(0)
c=torch.cuda
r.update(torch=torch.__version__,cuda=getattr(torch.version,"cuda",None),hip=getattr(torch.version,"hip",None))
try:
 r["available"]=bool(c.is_available());r["count"]=c.device_count()
except Exception as e:
 r["available"]=False;r["count"]=0;r["initError"]=w(e)
if not r["available"] and "initError" not in r:
 try:c.init()
 except Exception as e:r["initError"]=w(e)
d=[]
for i in range(r["count"]):
 x={"index":i}
 try:
  p=c.get_device_properties(i);x["name"]=p.name;x["memory"]=p.total_memory
  g=getattr(p,"gcnArchName",None)
  if g:x["gcnArchName"]=g
  u=getattr(p,"uuid",None)
  if u is not None:x["uuid"]=str(u)
 except Exception as e:x["error"]=w(e)
 d.append(x)
r["devices"]=d
if r["available"]:
 try:
  t=torch.ones(8,device="cuda");s=float((t*2).sum().item());r["tensor"]={"ok":s==16.0,"device":str(t.device)}
 except Exception as e:r["tensor"]={"ok":False,"error":w(e)}
print("KGINIT-RUNTIME "+json.dumps(r))`;

export const MARKER = 'KGINIT-RUNTIME ';

export function parseTorchOutput(stdout: string): TorchFacts | null {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(MARKER));
  if (!line) return null;
  try {
    const v: unknown = JSON.parse(line.slice(MARKER.length));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as TorchFacts) : null;
  } catch {
    return null;
  }
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  /** 'running', 'exited', 'restarting', 'created', 'paused', 'dead'. */
  state: string;
  /** Docker's words: "Up 3 hours (healthy)", "Exited (1) 2 minutes ago". */
  status: string;
  project: string | null;
}

/** `docker ps --format '{{json .}}'` lines → containers (labels read from the comma list). */
export function parsePs(stdout: string): ContainerInfo[] {
  const out: ContainerInfo[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(t) as Record<string, unknown>;
    } catch {
      continue;
    }
    const labels = typeof j.Labels === 'string' ? j.Labels : '';
    const project = /(?:^|,)com\.docker\.compose\.project=([^,]*)/.exec(labels)?.[1] ?? null;
    // A one-off `compose run` container (ours or anyone's) is not the platform's kg-api.
    if (/(?:^|,)com\.docker\.compose\.oneoff=True(?:,|$)/.test(labels)) continue;
    out.push({
      id: String(j.ID ?? ''),
      name: String(j.Names ?? '').split(',')[0] ?? '',
      image: String(j.Image ?? ''),
      state: String(j.State ?? '').toLowerCase(),
      status: String(j.Status ?? ''),
      project,
    });
  }
  return out.filter((c) => c.id);
}

/** The kg-api container of this install: by the project's label, else by the platform's fixed container names. */
export function pickApiContainer(all: ContainerInfo[], inv: ComposeInvocation): { container: ContainerInfo | null; how: string } {
  const inProject = all.filter((c) => c.project === inv.project);
  const running = (cs: ContainerInfo[]) => cs.find((c) => c.state === 'running') ?? cs[0] ?? null;
  if (inProject.length) return { container: running(inProject), how: `compose project ${inv.project}` };
  for (const p of inv.otherProjects) {
    const cs = all.filter((c) => c.project === p);
    if (cs.length) return { container: running(cs), how: `compose project ${p}` };
  }
  const named = all.filter((c) => c.name === 'kg-api' || c.name === 'kg-api-dev');
  if (named.length) return { container: running(named), how: `container name ${named[0]!.name}` };
  return { container: null, how: '' };
}

export interface Bounds {
  /** docker ps, docker logs, docker rm. */
  quickMs: number;
  /** The torch call (exec or one-off run). */
  torchMs: number;
}

export function boundsFrom(env: NodeJS.ProcessEnv): Bounds {
  const s = Number(env.KG_INIT_RUNTIME_TIMEOUT);
  const torchMs = Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : 60_000;
  return { quickMs: 10_000, torchMs };
}

export type DockerCall = Pick<RunResult, 'status' | 'exitCode' | 'stdout' | 'stderr' | 'ms'>;

/** The first line of a docker error worth showing. */
export function dockerError(r: DockerCall): string {
  if (r.status === 'timeout') return 'no answer within its time bound';
  if (r.status === 'missing') return 'docker is not installed';
  const line = (r.stderr || r.stdout).split('\n').map((l) => l.trim()).find(Boolean);
  return line ? line.slice(0, 300) : `exit ${r.exitCode ?? '?'}`;
}

export class Docker {
  constructor(private readonly host: Host, private readonly bounds: Bounds, private readonly signal?: AbortSignal) {}

  private run(args: string[], timeoutMs: number, extra: { env?: Record<string, string>; onOutput?: (s: 'stdout' | 'stderr', t: string) => void; maxBytes?: number } = {}): Promise<RunResult> {
    return this.host.run('docker', args, { timeoutMs, long: true, signal: this.signal, ...extra });
  }

  /** Every container of any compose project's `api` service, running or not. */
  psApi(): Promise<RunResult> {
    return this.run(['ps', '--all', '--no-trunc', '--filter', 'label=com.docker.compose.service=api', '--format', '{{json .}}'], this.bounds.quickMs);
  }

  /** torch inside the running container; `timeout` inside bounds the process there too. */
  execTorch(id: string): Promise<RunResult> {
    const inner = String(Math.max(1, Math.floor(this.bounds.torchMs / 1000) - 2));
    return this.run(['exec', id, 'timeout', '-s', 'KILL', inner, 'python', '-c', TORCH_SCRIPT], this.bounds.torchMs);
  }

  /** The last lines of the container's log (the platform logs to both streams). */
  logs(id: string): Promise<RunResult> {
    return this.run(['logs', '--tail', '3000', id], this.bounds.quickMs, { maxBytes: 4 << 20 });
  }

  /** Whether an image is on this host already. */
  imageInspect(image: string): Promise<RunResult> {
    return this.run(['image', 'inspect', '--format', '{{.Size}}', image], this.bounds.quickMs);
  }

  /** The registry's manifest (layer sizes), to say how large a pull is. */
  manifest(image: string): Promise<RunResult> {
    return this.run(['manifest', 'inspect', '-v', image], 20_000);
  }

  /** Pulls the api image the compose files name: the one long call, with progress. */
  pull(inv: ComposeInvocation, onOutput: (s: 'stdout' | 'stderr', t: string) => void): Promise<RunResult> {
    return this.run([...inv.argv, 'pull', 'api'], 4 * 3600 * 1000, { env: inv.env, onOutput });
  }

  /** A one-off api container with the overlay's devices and environment, removed when done. */
  runTorch(inv: ComposeInvocation, name: string): Promise<RunResult> {
    return this.run(
      [...inv.argv, 'run', '--rm', '--no-deps', '-T', '--name', name, '--entrypoint', 'python', 'api', '-c', TORCH_SCRIPT],
      this.bounds.torchMs + 30_000,
      { env: inv.env },
    );
  }

  /** Removes a one-off container (after a timeout or Ctrl+C); never aborted itself. */
  remove(name: string): Promise<RunResult> {
    return this.host.run('docker', ['rm', '-f', name], { timeoutMs: this.bounds.quickMs, long: true });
  }
}

/** Sum of compressed layer sizes in `docker manifest inspect -v` output for this architecture; null when unknown. */
export function manifestBytes(stdout: string, arch: string): number | null {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch {
    return null;
  }
  const entries = Array.isArray(v) ? v : [v];
  const want = arch === 'x64' ? 'amd64' : arch;
  const pick = entries.find((e) => (e as { Descriptor?: { platform?: { architecture?: string } } }).Descriptor?.platform?.architecture === want) ?? (entries.length === 1 ? entries[0] : null);
  const layers = (pick as { SchemaV2Manifest?: { layers?: Array<{ size?: number }> }; OCIManifest?: { layers?: Array<{ size?: number }> } } | null);
  const list = layers?.SchemaV2Manifest?.layers ?? layers?.OCIManifest?.layers;
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.reduce((n, l) => n + (typeof l.size === 'number' ? l.size : 0), 0);
}
