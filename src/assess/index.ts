// The decision, as a pure function of the probe's facts and the catalog: each
// mode's status with its findings and requirements, the recommendation, and
// what an amd-host overlay must carry. Rules: test/hosts/README.md.
//   ready    every requirement verified
//   degraded runs, but something needs attention (incl. Docker absent/stopped)
//   blocked  a requirement is verifiably missing, or a hardware-side one
//            cannot be verified (driver silent, tool timed out)
import { MODES, catalog, gfxSupport, imageTagFor, modeSpec, variantOf, type Mode } from '../catalog.js';
import type { AmdOverlay, Finding, FindingCode, Gpu, ModeAssessment, Severity } from '../report.js';
import type { Facts, KfdNode } from '../probe/facts.js';
import { majorMinor } from '../probe/rocm.js';
import { formatBytes } from '../present/bytes.js';

export type Requirement = ModeAssessment['requirements'][number];

export interface Assessment {
  modes: ModeAssessment[];
  recommendation: { mode: Mode; imageTag: string; reason: string };
  findings: Finding[];
  amdOverlay: AmdOverlay | null;
}

interface ModeEval {
  findings: Finding[];
  requirements: Requirement[];
  blocked: boolean;
  /** What is verified, for the reason line when nothing is wrong. */
  summary: string;
  vramBytes: number;
}

function finding(code: FindingCode, severity: Severity, message: string, fix: string, mode?: Mode): Finding {
  return mode ? { code, severity, message, fix, mode } : { code, severity, message, fix };
}

function gib(n: number): string {
  return formatBytes(n);
}

/** Codes that block the mode they are attached to. */
const BLOCKING: ReadonlySet<string> = new Set<FindingCode>([
  'MODE_NOT_APPLICABLE',
  'NVIDIA_DRIVER_MISSING',
  'NVIDIA_TOOLKIT_MISSING',
  'KFD_MISSING',
  'GFX_UNSUPPORTED',
  'ROCM_ARCH_UNSUPPORTED',
  'WSL_NO_ROCM',
  'DOCKER_DESKTOP_NO_GPU',
  'RENDER_NODE_MISSING',
  'ROOTLESS_NO_GPU_ACCESS',
]);

function toolLine(t: { command: string; args: string[] }): string {
  return [t.command, ...t.args].join(' ');
}

function timeoutFinding(t: { command: string; args: string[] }, mode?: Mode): Finding {
  const name = t.command.split('/').pop() ?? t.command;
  const fix =
    name === 'nvidia-smi'
      ? 'Check the GPU: `sudo dmesg | grep -i -E "nvrm|xid"`; a GPU in an error state usually needs a reboot.'
      : name === 'docker'
        ? 'Check the daemon: `sudo systemctl status docker` (or restart Docker Desktop).'
        : `Run \`${toolLine(t)}\` by hand to see why it hangs.`;
  return finding('PROBE_TIMEOUT', 'warning', `${name} did not answer within 2 s (\`${toolLine(t)}\`)`, fix, mode);
}

/** Container-side requirement: Docker present and answering (degrades when it cannot be checked). */
function dockerRequirement(f: Facts, mode: Mode, ev: ModeEval): void {
  const d = f.docker;
  const darwin = f.platform === 'darwin';
  if (!d.installed) {
    const fix = darwin
      ? 'Install Docker Desktop: https://docs.docker.com/desktop/setup/install/mac-install/'
      : 'Install Docker Engine: https://docs.docker.com/engine/install/ (then `sudo systemctl enable --now docker`)';
    ev.findings.push(finding('DOCKER_NOT_FOUND', 'warning', 'docker is not installed: container-side requirements cannot be verified', fix, mode));
    ev.requirements.push({ label: 'Docker', state: 'unverified', detail: 'docker is not installed', fix });
  } else if (!d.running) {
    const fix = darwin || d.desktop ? 'Start Docker Desktop, then run kg-init again.' : 'Start the daemon: `sudo systemctl start docker`';
    const msg = d.timedOut ? 'docker is installed but `docker info` did not answer' : 'docker is installed but its daemon does not answer';
    ev.findings.push(finding('DOCKER_NOT_RUNNING', 'warning', msg, fix, mode));
    ev.requirements.push({ label: 'Docker daemon', state: 'unverified', detail: msg, fix });
  } else {
    ev.requirements.push({ label: 'Docker daemon', state: 'met', detail: `Docker ${d.version ?? ''}`.trim() });
  }
}

function desktopOnLinux(f: Facts, mode: Mode, ev: ModeEval): void {
  if (f.platform === 'linux' && !f.wsl && f.docker.running && f.docker.desktop) {
    const fix = 'Use Docker Engine for GPU containers: install it and `docker context use default`.';
    ev.findings.push(
      finding('DOCKER_DESKTOP_NO_GPU', 'error', 'Docker Desktop on Linux runs containers in a VM that cannot reach the GPU', fix, mode),
    );
    ev.requirements.push({ label: 'GPU reachable from containers', state: 'missing', detail: 'Docker Desktop VM', fix });
  }
}

function notApplicable(mode: Mode, message: string, fix: string): ModeEval {
  return {
    findings: [finding('MODE_NOT_APPLICABLE', 'info', message, fix, mode)],
    requirements: [{ label: 'Applies to this host', state: 'missing', detail: message }],
    blocked: true,
    summary: message,
    vramBytes: 0,
  };
}

function fresh(): ModeEval {
  return { findings: [], requirements: [], blocked: false, summary: '', vramBytes: 0 };
}

// ---------------------------------------------------------------- nvidia

function assessNvidia(f: Facts, gpus: Gpu[]): ModeEval {
  const mode: Mode = 'nvidia';
  if (f.platform !== 'linux') {
    return notApplicable(mode, `nvidia mode needs a Linux host (this is ${f.platform})`, 'Use the mac or cpu mode on this host.');
  }
  const nv = gpus.filter((g) => g.vendor === 'nvidia');
  const n = f.nvidia;
  if (nv.length === 0 && !n.driverVersion && n.procGpus.length === 0) {
    return notApplicable(mode, 'no NVIDIA GPU found', 'Nothing to do unless this host has an NVIDIA GPU that the probe missed.');
  }
  const ev = fresh();
  const driverFix = 'Install the NVIDIA driver (Ubuntu: `sudo ubuntu-drivers install`; others: https://www.nvidia.com/Download/index.aspx), then reboot.';
  const nouveau = nv.some((g) => g.driver === 'nouveau');
  const vfio = nv.length > 0 && nv.every((g) => g.driver === 'vfio-pci');
  if (n.smi === 'ok') {
    ev.requirements.push({ label: 'NVIDIA driver answers', state: 'met', detail: `driver ${n.driverVersion ?? '?'} (${n.smiPath})` });
  } else if (n.smi === 'timeout') {
    const t = f.tools.find((x) => x.status === 'timeout' && /nvidia-smi$/.test(x.command));
    ev.findings.push(timeoutFinding(t ?? { command: 'nvidia-smi', args: [] }, mode));
    ev.requirements.push({ label: 'NVIDIA driver answers', state: 'unverified', detail: 'nvidia-smi did not answer', fix: 'Check `sudo dmesg | grep -i nvrm`; a reboot usually clears a hung GPU.' });
  } else {
    let msg: string;
    if (nouveau) msg = 'the NVIDIA GPU is driven by nouveau: no NVIDIA driver for CUDA';
    else if (vfio) msg = 'the NVIDIA GPU is bound to vfio-pci (reserved for a VM): no NVIDIA driver on this host';
    else if (n.smi === 'error') msg = n.smiMessage ?? 'nvidia-smi failed: the NVIDIA driver does not answer';
    else if (n.driverVersion) msg = '';
    else msg = 'an NVIDIA GPU is present but no NVIDIA driver is loaded (no nvidia-smi, no /proc/driver/nvidia)';
    if (msg) {
      ev.findings.push(finding('NVIDIA_DRIVER_MISSING', 'error', msg, driverFix, mode));
      ev.requirements.push({ label: 'NVIDIA driver answers', state: 'missing', detail: msg, fix: driverFix });
    } else {
      // Kernel module loaded (its version is in /proc) but nvidia-smi is not installed.
      ev.requirements.push({ label: 'NVIDIA driver answers', state: 'met', detail: `kernel module ${n.driverVersion} (nvidia-smi not found)` });
    }
  }
  desktopOnLinux(f, mode, ev);
  dockerRequirement(f, mode, ev);
  if (f.docker.running) {
    const toolkitFix =
      'Install nvidia-container-toolkit (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html), then `sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker`';
    const rootless = f.docker.rootless === true || f.docker.podman === true;
    const engine = f.docker.podman ? `Podman${f.docker.rootless ? ' (rootless)' : ''}` : 'rootless Docker';
    if (rootless && f.docker.cdiSpecs.length === 0) {
      // A rootless engine cannot use the nvidia runtime's privileged hook: it reaches GPUs through CDI only.
      const cdiFix = 'Install nvidia-container-toolkit, then generate a CDI spec: `sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/cdi-support.html)';
      const msg = `${engine} reaches NVIDIA GPUs through CDI only, and there is no NVIDIA CDI spec in /etc/cdi or /var/run/cdi`;
      ev.findings.push(finding('NVIDIA_TOOLKIT_MISSING', 'error', msg, cdiFix, mode));
      ev.requirements.push({ label: 'NVIDIA Container Toolkit', state: 'missing', detail: `${engine}: no NVIDIA CDI spec`, fix: cdiFix });
    } else if (f.docker.nvidiaRuntime || f.docker.cdiSpecs.length > 0) {
      ev.requirements.push({
        label: 'NVIDIA Container Toolkit',
        state: 'met',
        detail: f.docker.nvidiaRuntime ? 'nvidia runtime registered in Docker' : `CDI spec ${f.docker.cdiSpecs[0]}`,
      });
    } else {
      ev.findings.push(
        finding('NVIDIA_TOOLKIT_MISSING', 'error', 'Docker has neither an nvidia runtime nor an NVIDIA CDI spec', toolkitFix, mode),
      );
      ev.requirements.push({ label: 'NVIDIA Container Toolkit', state: 'missing', detail: 'no nvidia runtime, no CDI spec', fix: toolkitFix });
    }
  } else {
    ev.requirements.push({
      label: 'NVIDIA Container Toolkit',
      state: f.docker.cdiSpecs.length ? 'met' : 'unverified',
      detail: f.docker.cdiSpecs.length ? `CDI spec ${f.docker.cdiSpecs[0]}` : 'Docker is not answering',
    });
  }
  ev.vramBytes = Math.max(0, ...nv.map((g) => g.vramBytes ?? 0));
  const best = nv.find((g) => (g.vramBytes ?? 0) === ev.vramBytes && g.name) ?? nv[0];
  ev.summary = `${best?.name ?? 'NVIDIA GPU'}${ev.vramBytes ? ` (${gib(ev.vramBytes)})` : ''}, driver ${n.driverVersion ?? '?'}, NVIDIA Container Toolkit in Docker`;
  return ev;
}

// ---------------------------------------------------------------- amd-host

interface AmdChoice {
  chosen: KfdNode | null;
  pinned: string | null;
  igpuPinned: boolean;
  hsaOverride: string | null;
  used: KfdNode[];
}

function chooseAmd(f: Facts, gpus: Gpu[]): AmdChoice {
  const variant = variantOf('amd-host');
  const nodes = f.kfd.nodes;
  const info = (n: KfdNode) => gpus.find((g) => g.vendor === 'amd' && g.kfdIndex === n.index);
  const integrated = (n: KfdNode) => info(n)?.integrated === true;
  const support = (n: KfdNode) => gfxSupport(variant, n.gfx);
  const usable = nodes.filter((n) => support(n) !== null);
  if (usable.length === 0) return { chosen: null, pinned: null, igpuPinned: false, hsaOverride: null, used: [] };
  const rank = (n: KfdNode): [number, number, number, number] => [
    integrated(n) ? 1 : 0,
    'built' in support(n)! ? 0 : 1,
    -(info(n)?.vramBytes ?? 0),
    n.index,
  ];
  const chosen = [...usable].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return 0;
  })[0]!;
  const s = support(chosen)!;
  const hsaOverride = 'override' in s ? s.override : null;
  // Other visible GPUs that the chosen settings would break or that we do not want:
  // an iGPU next to a discrete GPU, an unsupported target, or one needing a different override.
  const others = nodes.filter((n) => n !== chosen);
  const igpuPinned = !integrated(chosen) && others.some(integrated);
  const clash = others.some((n) => {
    const o = support(n);
    if (o === null || integrated(n)) return true;
    const oo = 'override' in o ? o.override : null;
    return hsaOverride !== null ? oo !== hsaOverride && n.gfx !== chosen.gfx : oo !== null;
  });
  const pin = igpuPinned || clash;
  return {
    chosen,
    pinned: pin ? (chosen.uuid ?? String(chosen.index)) : null,
    igpuPinned,
    hsaOverride,
    used: pin ? [chosen] : nodes.filter((n) => support(n) !== null),
  };
}

function assessAmd(f: Facts, gpus: Gpu[]): { ev: ModeEval; overlay: AmdOverlay | null } {
  const mode: Mode = 'amd-host';
  const variant = variantOf(mode);
  const rocm = variant.rocm!;
  if (f.platform !== 'linux') {
    return { ev: notApplicable(mode, `amd-host needs a Linux host with /dev/kfd (this is ${f.platform})`, 'Use the mac or cpu mode on this host.'), overlay: null };
  }
  const amd = gpus.filter((g) => g.vendor === 'amd');
  const hasAmd = amd.length > 0 || f.kfd.nodes.length > 0 || f.wslAmdDriver;
  if (!hasAmd) return { ev: notApplicable(mode, 'no AMD GPU found', 'Nothing to do unless this host has an AMD GPU that the probe missed.'), overlay: null };

  const ev = fresh();
  const block = (code: FindingCode, message: string, fix: string, label: string) => {
    ev.findings.push(finding(code, 'error', message, fix, mode));
    ev.requirements.push({ label, state: 'missing', detail: message, fix });
  };
  if (!variant.arches.includes(f.arch as 'x64')) {
    block('ROCM_ARCH_UNSUPPORTED', `the ROCm image exists for ${variant.arches.join(', ')} only; this host is ${f.arch}`, 'Use --gpu=cpu: the default image runs on this architecture.', 'x86-64 host');
  } else {
    ev.requirements.push({ label: 'x86-64 host', state: 'met', detail: f.arch });
  }
  const kfd = f.devices.kfd;
  if (f.wsl && !kfd.present) {
    block('WSL_NO_ROCM', 'WSL2 has no /dev/kfd: the ROCm image cannot reach the GPU', 'Run kg-init on a native Linux install for amd-host, or use --gpu=cpu under WSL2.', '/dev/kfd');
  } else if (!kfd.present || !f.kfd.topology) {
    const radeon = amd.some((g) => g.driver === 'radeon');
    const what = !kfd.present ? '/dev/kfd is missing' : 'the KFD topology (/sys/class/kfd) is missing';
    block(
      'KFD_MISSING',
      `an AMD GPU is present but ${what}${radeon ? ' (the GPU is driven by the old radeon driver)' : ''}`,
      radeon
        ? 'Switch the GPU to amdgpu (kernel parameters `radeon.si_support=0 amdgpu.si_support=1` or cik equivalents), then reboot.'
        : 'Use a kernel with CONFIG_HSA_AMD=y and the amdgpu driver (`sudo modprobe amdgpu`), then check `ls -l /dev/kfd`.',
      '/dev/kfd',
    );
  } else if (f.kfd.nodes.length === 0) {
    block('KFD_MISSING', 'the KFD topology lists no GPU: amdgpu did not bring up compute on this GPU', 'Check `sudo dmesg | grep -i kfd` for why the GPU was not added to KFD.', '/dev/kfd');
  } else {
    ev.requirements.push({ label: '/dev/kfd', state: 'met', detail: `${f.kfd.nodes.length} GPU node(s)` });
  }

  const choice = chooseAmd(f, gpus);
  let overlay: AmdOverlay | null = null;
  if (f.kfd.nodes.length > 0) {
    if (!choice.chosen) {
      const list = f.kfd.nodes.map((n) => n.gfx).join(', ');
      block(
        'GFX_UNSUPPORTED',
        `${list} ${f.kfd.nodes.length > 1 ? 'are' : 'is'} not built into the ROCm ${rocm.version} image and has no known override`,
        `Use --gpu=cpu; the image supports ${rocm.gfxTargets.join(', ')}.`,
        'Supported gfx target',
      );
    } else {
      const c = choice.chosen;
      const g = gpus.find((x) => x.vendor === 'amd' && x.kfdIndex === c.index);
      ev.vramBytes = g?.vramBytes ?? 0;
      if (choice.hsaOverride) {
        ev.findings.push(
          finding('GFX_OVERRIDE', 'warning', `${c.gfx} is not built into the ROCm ${rocm.version} image; HSA_OVERRIDE_GFX_VERSION=${choice.hsaOverride} is applied`, 'Nothing to do: the overlay sets it. If kernels fail, use --gpu=cpu.', mode),
        );
        ev.requirements.push({ label: 'Supported gfx target', state: 'met', detail: `${c.gfx} via HSA_OVERRIDE_GFX_VERSION=${choice.hsaOverride}` });
      } else {
        ev.requirements.push({ label: 'Supported gfx target', state: 'met', detail: c.gfx });
      }
      if (choice.igpuPinned) {
        ev.findings.push(
          finding('AMD_IGPU_PINNED', 'info', `an integrated and a discrete AMD GPU are visible; ROCR_VISIBLE_DEVICES=${choice.pinned} pins the discrete ${c.gfx}`, 'Nothing to do: the overlay sets ROCR_VISIBLE_DEVICES.', mode),
        );
      }
      // Render nodes of the GPU(s) the container will use.
      const missing = choice.used.filter((n) => n.renderMinor === null || !f.devices.render.some((r) => r.minor === n.renderMinor && r.present));
      if (missing.length > 0) {
        block(
          'RENDER_NODE_MISSING',
          `no /dev/dri render node for ${missing.map((n) => n.gfx).join(', ')}: ROCm needs /dev/dri/renderD* next to /dev/kfd`,
          'Check `ls -l /dev/dri`; in a container or VM, pass /dev/dri through as well as /dev/kfd.',
          'Render node',
        );
      } else {
        ev.requirements.push({ label: 'Render node', state: 'met', detail: choice.used.map((n) => `/dev/dri/renderD${n.renderMinor}`).join(', ') });
      }
    }
    const usedMinors = new Set((choice.used.length ? choice.used : f.kfd.nodes).map((n) => n.renderMinor));
    const renders = f.devices.render.filter((r) => r.present && usedMinors.has(r.minor ?? -1));
    const gids = [kfd, ...renders].filter((d) => d.present && d.gid !== undefined).map((d) => d.gid!);
    overlay = { groupGids: [...new Set(gids)], rocrVisibleDevices: choice.pinned, hsaOverrideGfxVersion: choice.hsaOverride };

    const denied = [kfd, ...renders].filter((d) => d.present && d.userAccess === false);
    const rootless = f.docker.running && (f.docker.rootless === true || f.docker.podman === true);
    if (denied.length > 0 && rootless) {
      // The engine runs containers with this user's own permissions: group_add cannot grant what the user lacks.
      const groups = [...new Set(['render', 'video', ...denied.map((d) => d.group).filter((g): g is string => !!g)])];
      const fix = `sudo usermod -aG ${groups.join(',')} $USER, then log out and back in (check with \`id\`)`;
      const engine = f.docker.podman ? `Podman${f.docker.rootless ? ' (rootless)' : ''}` : 'rootless Docker';
      block(
        'ROOTLESS_NO_GPU_ACCESS',
        `${engine} runs containers as ${f.identity.user}, who cannot open ${denied.map((d) => d.path).join(', ')}: the ROCm image cannot reach the GPU`,
        fix,
        'Device access for this user',
      );
    } else if (denied.length > 0) {
      const groups = [...new Set(denied.map((d) => d.group ?? (d.gid !== undefined ? String(d.gid) : 'render')))];
      const fix = `sudo usermod -aG ${groups.join(',')} $USER  (then log out and back in)`;
      ev.findings.push(
        finding('KFD_NO_USER_ACCESS', 'warning', `${denied.map((d) => d.path).join(', ')} ${denied.length > 1 ? 'are' : 'is'} not read-writable by ${f.identity.user} (rootless Docker or Podman will fail)`, fix, mode),
      );
      ev.requirements.push({ label: 'Device access for this user', state: 'missing', detail: denied.map((d) => d.path).join(', '), fix });
    } else if (kfd.present) {
      ev.requirements.push({ label: 'Device access for this user', state: 'met' });
    }
  }

  // Host ROCm userspace: informational unless its major is older than the image's.
  if (f.rocm.version === null) {
    ev.findings.push(finding('ROCM_USERSPACE_ABSENT', 'info', 'no ROCm userspace on the host (the image brings its own; only the kernel driver is needed)', 'Nothing to do.', mode));
    ev.requirements.push({ label: `Host ROCm (optional)`, state: 'met', detail: 'none; the image brings ROCm ' + rocm.version });
  } else {
    const host = majorMinor(f.rocm.version);
    const img = majorMinor(rocm.version)!;
    if (host && host[0] < img[0]) {
      ev.findings.push(
        finding('ROCM_HOST_OLDER', 'warning', `host ROCm ${f.rocm.version} is an older major than the image's ROCm ${rocm.version}`, `Upgrade the host's ROCm/amdgpu-dkms to ${img[0]}.x (https://rocm.docs.amd.com), or rely on the distribution's inbox amdgpu driver.`, mode),
      );
      ev.requirements.push({ label: 'Host ROCm', state: 'met', detail: `${f.rocm.version} (older major than ${rocm.version})` });
    } else {
      ev.requirements.push({ label: 'Host ROCm', state: 'met', detail: f.rocm.version });
    }
  }
  desktopOnLinux(f, mode, ev);
  dockerRequirement(f, mode, ev);
  const c = choice.chosen;
  const g = c ? gpus.find((x) => x.vendor === 'amd' && x.kfdIndex === c.index) : undefined;
  // Named as everywhere else, and an integrated GPU is called one (its VRAM is a carve-out of system memory).
  const label = g?.name ?? c?.gfx ?? 'AMD GPU';
  const extra = [
    c && !label.includes(c.gfx) ? c.gfx : null,
    g?.integrated ? 'integrated' : null,
    g?.vramBytes ? `${gib(g.vramBytes)}${g.integrated ? ' carved out of system memory' : ''}` : null,
  ].filter(Boolean);
  ev.summary = c
    ? `${label}${extra.length ? ` (${extra.join(', ')})` : ''} through /dev/kfd with the ROCm ${rocm.version} image`
    : 'AMD GPU through /dev/kfd';
  return { ev, overlay };
}

// ---------------------------------------------------------------- mac, cpu

function assessMac(f: Facts): ModeEval {
  const mode: Mode = 'mac';
  if (f.platform !== 'darwin') return notApplicable(mode, `mac mode is for macOS hosts (this is ${f.platform})`, 'Use another mode on this host.');
  const ev = fresh();
  ev.findings.push(
    finding('MAC_NO_GPU_IN_CONTAINERS', 'info', "Docker's Linux VM cannot reach Metal/MPS: embeddings run on the CPU", 'Nothing to do; for GPU embeddings use a Linux host with an NVIDIA or AMD GPU.', mode),
  );
  ev.requirements.push({ label: 'macOS', state: 'met', detail: [f.mac?.chip, f.mac?.version ? `macOS ${f.mac.version}` : null].filter(Boolean).join(', ') || undefined });
  dockerRequirement(f, mode, ev);
  ev.summary = `macOS${f.mac?.chip ? ` on ${f.mac.chip}` : ''} with Docker Desktop`;
  return ev;
}

function assessCpu(f: Facts): ModeEval {
  const mode: Mode = 'cpu';
  const variant = variantOf(mode);
  const spec = modeSpec(mode);
  if (!spec.platforms.includes(f.platform as 'linux') || !variant.arches.includes(f.arch as 'x64')) {
    return notApplicable(mode, `no kg-api image for ${f.platform}/${f.arch}`, 'Run kg-init on a supported host (linux or macOS, x64 or arm64).');
  }
  const ev = fresh();
  ev.requirements.push({ label: 'Image for this architecture', state: 'met', detail: `${f.arch}` });
  dockerRequirement(f, mode, ev);
  ev.summary = 'embeddings on the CPU; works everywhere, slower';
  return ev;
}

// ---------------------------------------------------------------- all

function statusOf(ev: ModeEval): ModeAssessment['status'] {
  if (ev.blocked || ev.findings.some((x) => BLOCKING.has(x.code) || x.code === 'PROBE_TIMEOUT')) return 'blocked';
  if (ev.findings.some((x) => x.severity !== 'info')) return 'degraded';
  return 'ready';
}

function reasonOf(ev: ModeEval, status: ModeAssessment['status']): string {
  if (status === 'blocked') {
    const b = ev.findings.find((x) => BLOCKING.has(x.code) || x.code === 'PROBE_TIMEOUT');
    return b?.message ?? ev.summary;
  }
  if (status === 'degraded') {
    const w = ev.findings.find((x) => x.severity !== 'info');
    return `${ev.summary} (to check: ${w?.message ?? 'something needs attention'})`;
  }
  return ev.summary;
}

export function assess(f: Facts, gpus: Gpu[]): Assessment {
  const host: Finding[] = [];
  const linux = f.platform === 'linux';
  const compute = gpus.filter((g) => g.vendor === 'nvidia' || g.vendor === 'amd');
  if (linux && !f.pciReadable && !f.wsl) {
    host.push(
      finding('SYSFS_UNAVAILABLE', 'warning', '/sys/bus/pci is not readable (a container or sandbox?): GPUs could not be listed', 'Run kg-init on the host itself, or mount /sys read-only into this container.'),
    );
  }
  if (linux && compute.length === 0 && f.kfd.nodes.length === 0 && !f.wslAmdDriver && f.nvidia.smi !== 'timeout' && !f.nvidia.driverVersion) {
    host.push(finding('GPU_NONE', 'info', 'no GPU usable for compute was found (no NVIDIA or AMD GPU)', 'Nothing to do: the cpu mode works on this host.'));
  }
  const intel = gpus.filter((g) => g.vendor === 'intel');
  if (intel.length > 0) {
    host.push(finding('INTEL_GPU_UNSUPPORTED', 'info', `an Intel GPU is present (${intel.map((g) => g.name ?? g.deviceId ?? '').join(', ')}); no kg-api image uses it`, 'Nothing to do: embeddings run on the CPU (or add an NVIDIA/AMD GPU).'));
  }
  for (const t of f.tools) if (t.status === 'timeout') host.push(timeoutFinding(t));
  if (f.docker.running === false) {
    const tmp = fresh();
    dockerRequirement(f, 'cpu', tmp);
    for (const x of tmp.findings) host.push({ code: x.code, severity: x.severity, message: x.message, ...(x.fix ? { fix: x.fix } : {}) });
  }

  const amd = assessAmd(f, gpus);
  const evals: Record<Mode, ModeEval> = {
    nvidia: assessNvidia(f, gpus),
    'amd-host': amd.ev,
    mac: assessMac(f),
    cpu: assessCpu(f),
  };
  const modes: ModeAssessment[] = MODES.map((mode) => {
    const ev = evals[mode];
    const status = statusOf(ev);
    return {
      mode,
      status,
      imageTag: imageTagFor(mode),
      overlay: catalog.modes[mode].overlay,
      reason: reasonOf(ev, status),
      findings: ev.findings,
      requirements: ev.requirements,
    };
  });
  const byMode = new Map(modes.map((m) => [m.mode, m]));

  // Recommendation: the best GPU mode that is not blocked (ready over degraded,
  // then more VRAM, then NVIDIA), else mac on macOS, else cpu.
  const gpuModes = (['nvidia', 'amd-host'] as const)
    .filter((m) => byMode.get(m)!.status !== 'blocked')
    .sort((a, b) => {
      const sa = byMode.get(a)!.status === 'ready' ? 0 : 1;
      const sb = byMode.get(b)!.status === 'ready' ? 0 : 1;
      if (sa !== sb) return sa - sb;
      const va = evals[a].vramBytes;
      const vb = evals[b].vramBytes;
      if (va !== vb) return vb - va;
      return a === 'nvidia' ? -1 : 1;
    });
  let mode: Mode;
  if (gpuModes.length > 0) mode = gpuModes[0]!;
  else if (f.platform === 'darwin' && byMode.get('mac')!.status !== 'blocked') mode = 'mac';
  else mode = 'cpu';
  const chosen = byMode.get(mode)!;
  const passed = (['nvidia', 'amd-host'] as const)
    .filter((m) => m !== mode && !(byMode.get(m)!.findings.some((x) => x.code === 'MODE_NOT_APPLICABLE')))
    .map((m) => `${m} ${byMode.get(m)!.status}: ${byMode.get(m)!.reason}`);
  const reason = [chosen.reason, ...passed.map((p) => `passed over ${p}`)].join('; ');

  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const x of [...host, ...modes.flatMap((m) => m.findings)]) {
    const key = `${x.code}\u0000${x.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(x);
  }
  return {
    modes,
    recommendation: { mode, imageTag: imageTagFor(mode), reason },
    findings,
    amdOverlay: amd.overlay,
  };
}
