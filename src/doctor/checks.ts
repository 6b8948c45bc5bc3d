// `kg-init doctor`'s judgement, pure: an install directory as read
// (InstallState) against this host as probed (Report) gives a list of checks,
// each passed, failed with problems, or skipped with a reason. Every problem
// names its severity and the exact command that fixes it. The checks are data
// (CHECKS below), run in order; the command only prints the result.
import { BASE_COMPOSE_FILE, DEFAULT_REGISTRY, GHCR_COMPOSE_FILE, OPERATOR_CONF_FILE, catalog, imageTagFor, modeOfOverlay, modeSpec, resolveMode, type Mode } from '../catalog.js';
import type { InstallState } from '../install/types.js';
import { composeFilesFor, composePath, ENV_FILE, LAYOUT_LABELS, type LayoutKind } from '../platform/layout.js';
import { missingVars } from '../platform/env.js';
import type { DevNode, Finding, Gpu, Report } from '../report.js';
import { parseImageTag, releaseOfTag, tagFitsMode } from '../tags.js';
import { registryProblem } from '../util/image-ref.js';
import { apiImage, deviceHostPaths, envValue, groupAdds, numericGids, parseCompose, reservesNvidia, type ParsedYaml } from './compose.js';
import { gpuLabel } from '../present/gpu.js';
import { preRocm7Family } from '../catalog.js';
import { shellQuote } from '../present/shell.js';
import { renderFile, type RenderInput } from '../render/render.js';
import { renderedDoc } from '../render/docs.js';
import { registryInUse } from '../plan/make.js';
import { VERSION } from '../version.js';

export type ProblemSeverity = 'error' | 'warning' | 'info';

export interface Problem {
  /** The id of the check that found it (stable). */
  id: string;
  severity: ProblemSeverity;
  /** One line: what is wrong, with the values involved. */
  message: string;
  /** The exact command that fixes it. */
  fix: string;
}

export type CheckStatus = 'ok' | ProblemSeverity | 'skipped';

export interface CheckOutcome {
  id: string;
  title: string;
  /** 'ok', the worst severity among its problems, or 'skipped'. */
  status: CheckStatus;
  /** One line: what was verified, or why it was skipped. */
  detail: string;
  problems: Problem[];
}

export interface DoctorResult {
  dir: string;
  /** How the platform is laid out in dir (standalone, repository clone, none). */
  layout: LayoutKind;
  /** No error-severity problem (warnings and infos allowed). */
  healthy: boolean;
  /** The configured mode (an alias resolved), null when GPU_MODE is missing or invalid. */
  mode: Mode | null;
  /** The kg-api tag the install uses (KG_API_IMAGE_TAG, else the mode's default). */
  imageTag: string | null;
  problems: Problem[];
  checks: CheckOutcome[];
}

export interface DiagnoseOptions {
  /** How the directory is named in fix commands (default: install.dir). */
  dirArg?: string;
}

/** Everything a check reads, derived once. */
interface Ctx {
  install: InstallState;
  report: Report;
  dirArg: string;
  confReadable: boolean;
  rawMode: string | null;
  mode: Mode | null;
  /** KG_API_IMAGE_TAG as written, null when absent. */
  confTag: string | null;
  /** The tag in effect: KG_API_IMAGE_TAG, else what the platform derives from GPU_MODE (latest without image-tag.sh). */
  tag: string | null;
  /** IMAGE_SOURCE as the platform resolves it (ghcr unless set otherwise or DEV_MODE=true). */
  imageSource: string;
  ghcr: ParsedYaml | null;
  /** The configured mode's overlay, parsed, when present. */
  overlay: ParsedYaml | null;
  /** `kg-init --yes ...` re-rendering this install for a mode, keeping its release pin and registry. */
  reinit(mode?: Mode): string;
}

type Verdict = { ok: string } | { skip: string } | Problem[];

interface CheckSpec {
  id: string;
  title: string | ((c: Ctx) => string);
  run(c: Ctx): Verdict;
}

// ---------------------------------------------------------------- helpers


function problem(id: string, severity: ProblemSeverity, message: string, fix: string): Problem {
  return { id, severity, message, fix };
}

function modeFinding(c: Ctx, code: string): Finding | undefined {
  const m = c.mode ? c.report.modes.find((a) => a.mode === c.mode) : undefined;
  return m?.findings.find((f) => f.code === code) ?? c.report.findings.find((f) => f.code === code);
}

function describeNode(n: DevNode): string {
  return n.group ? `gid ${n.gid} (${n.group})` : `gid ${n.gid}`;
}

/** AMD GPUs visible to KFD, by every name ROCR_VISIBLE_DEVICES may use (index or UUID). */
function gpuByRocrName(report: Report, name: string): Gpu | undefined {
  const n = name.trim();
  return report.gpus.find((g) => g.vendor === 'amd' && g.kfdIndex !== undefined && (String(g.kfdIndex) === n || (g.uuid !== undefined && g.uuid.toLowerCase() === n.toLowerCase())));
}


const needsOverlay = (c: Ctx): string | null => {
  if (c.mode !== 'amd-host') return c.mode ? `not needed for ${c.mode}` : 'no valid GPU_MODE';
  if (!c.overlay) return `${modeSpec('amd-host').overlay} is missing (see above)`;
  if (!c.overlay.ok) return `${modeSpec('amd-host').overlay} is not valid YAML (see above)`;
  if (!c.report.amdOverlay) return 'no AMD GPU is visible to KFD on this host (see the host checks)';
  return null;
};

const doc = (p: ParsedYaml | null): Record<string, unknown> => (p && p.ok ? p.doc : {});

// ---------------------------------------------------------------- checks

export const CHECKS: readonly CheckSpec[] = [
  {
    id: 'platform',
    title: 'the platform is installed here',
    run(c) {
      const p = c.install.platform;
      const dir = shellQuote(c.dirArg);
      if (p.kind === 'none') {
        return [problem(this.id, 'error',
          `no Knowledge Graph platform in ${c.install.dir} (no operator.sh, no docker-compose.yml, no docker/): nothing here can start it (PLATFORM_MISSING)`,
          `kg-init --yes --dir ${dir}`)];
      }
      const base = composePath(p, BASE_COMPOSE_FILE);
      if (!c.install.baseCompose) {
        return [problem(this.id, 'error',
          `${base} is missing: the platform's compose command starts from it, so nothing here can start`,
          p.kind === 'clone' ? `git -C ${dir} checkout -- ${base}` : `kg-init --yes --dir ${dir}`)];
      }
      if (!p.operatorScript) {
        return [problem(this.id, 'warning',
          `${LAYOUT_LABELS[p.kind]} without operator.sh: the platform's start, migrations and admin commands are not here`,
          `kg-init --yes --dir ${dir}`)];
      }
      return { ok: LAYOUT_LABELS[p.kind] };
    },
  },
  {
    id: 'env-file',
    title: '.env has what the compose files require',
    run(c) {
      const p = c.install.platform;
      if (p.kind === 'none') return { skip: 'no platform here' };
      const dir = shellQuote(c.dirArg);
      const fix = p.kind === 'clone' ? `cd ${dir} && ./operator.sh init` : `kg-init --yes --dir ${dir}`;
      if (!p.env.exists) {
        return [problem(this.id, 'error', `${ENV_FILE} is missing: operator.sh stops before starting anything, and Compose would start the database without a password`, fix)];
      }
      if (p.env.text === null) return [problem(this.id, 'error', `${ENV_FILE} is not readable text`, `mv ${dir}/${ENV_FILE} ${dir}/${ENV_FILE}.broken && ${fix}`)];
      const missing = missingVars((c.install.requiredVars ?? []).filter((v) => v !== 'KG_API_IMAGE_TAG'), p.env.text);
      if (missing.length) {
        return [problem(this.id, 'error',
          `the compose files require ${missing.join(', ')}, which ${ENV_FILE} does not set: Compose would start ${missing.length > 1 ? 'them' : 'it'} empty (ENV_VAR_MISSING)`,
          `add ${missing.map((m) => `${m}=<value>`).join(' ')} to ${dir}/${ENV_FILE}`)];
      }
      return { ok: `${ENV_FILE} sets the ${(c.install.requiredVars ?? []).length} variables the compose files require` };
    },
  },
  {
    id: 'conf-readable',
    title: `${OPERATOR_CONF_FILE} is readable text`,
    run(c) {
      const conf = c.install.conf;
      if (!conf.exists) {
        return [problem(this.id, 'error', `no ${OPERATOR_CONF_FILE} in ${c.install.dir}`, c.reinit())];
      }
      if (conf.text === null) {
        const why = conf.problem ?? 'it cannot be read as text';
        const path = shellQuote(conf.path);
        const line = / line (\d+): /.exec(why);
        if (line) {
          // The config editor refuses it (src/conf/edit.ts): bash would not end up with what kg-init reads.
          return [
            problem(this.id, 'error', `${OPERATOR_CONF_FILE} cannot be checked: ${why}`,
              `edit line ${line[1]} of ${path} (see docs/security.md), then: ${c.reinit()}`),
          ];
        }
        return [
          problem(this.id, 'error', `${OPERATOR_CONF_FILE} cannot be used: ${why}; the platform cannot source it`,
            `mv ${path} ${path}.broken && ${c.reinit()}`),
        ];
      }
      return { ok: conf.path };
    },
  },
  {
    id: 'conf-gpu-mode',
    title: 'GPU_MODE names a GPU mode',
    run(c) {
      if (!c.confReadable) return { skip: `${OPERATOR_CONF_FILE} is not readable` };
      const rec = c.report.recommendation.mode;
      if (c.rawMode === null || c.rawMode.trim() === '') {
        return [problem(this.id, 'error', 'GPU_MODE is not set: the platform cannot pick a GPU overlay or an image', c.reinit(rec))];
      }
      if (!c.mode) {
        return [
          problem(this.id, 'error', `GPU_MODE=${JSON.stringify(c.rawMode)} is not a mode (expected ${Object.keys(catalog.modes).join(', ')})`, c.reinit(rec)),
        ];
      }
      return { ok: `GPU_MODE=${c.rawMode}` };
    },
  },
  {
    id: 'conf-gpu-mode-alias',
    title: 'GPU_MODE is not a deprecated alias',
    run(c) {
      if (!c.mode || c.rawMode === null) return { skip: 'no valid GPU_MODE' };
      const r = resolveMode(c.rawMode);
      if (r?.deprecated) {
        return [
          problem(this.id, 'warning',
            `GPU_MODE=${c.rawMode} is the deprecated alias of ${r.mode} (DEPRECATED_GPU_MODE); the platform reads it as ${r.mode} and warns at every start`,
            c.reinit(r.mode)),
        ];
      }
      return { ok: `GPU_MODE=${c.mode}` };
    },
  },
  {
    id: 'conf-image-source',
    title: 'IMAGE_SOURCE fits the layout',
    run(c) {
      if (!c.confReadable) return { skip: `${OPERATOR_CONF_FILE} is not readable` };
      const v = c.install.conf.values.IMAGE_SOURCE;
      if (c.imageSource === 'ghcr') return { ok: `${v === undefined ? 'IMAGE_SOURCE not set: ' : ''}images are pulled from the registry` };
      if (c.imageSource === 'local' && c.install.platform.kind === 'clone') return { ok: 'IMAGE_SOURCE=local: this clone builds its images' };
      const what = v === undefined ? 'IMAGE_SOURCE is not set and DEV_MODE=true' : `IMAGE_SOURCE=${JSON.stringify(v)}`;
      return [
        problem(this.id, 'error',
          `${what}: the platform adds ${GHCR_COMPOSE_FILE} only with IMAGE_SOURCE=ghcr, so it would try to build kg-api from a source checkout this install does not have`,
          `${c.reinit(c.mode ?? c.report.recommendation.mode)} --image-source ghcr`),
      ];
    },
  },
  {
    id: 'conf-image-tag',
    title: 'KG_API_IMAGE_TAG is the image the mode needs',
    run(c) {
      if (!c.mode) return { skip: 'no valid GPU_MODE' };
      const need = imageTagFor(c.mode, releaseOfTag(c.confTag ?? undefined));
      if (c.confTag === null) {
        if (c.install.platform.imageTagHelper || c.tag === imageTagFor(c.mode)) {
          return { ok: `not set: the platform derives ${c.tag} from GPU_MODE=${c.mode}` };
        }
        return [
          problem(this.id, 'error',
            `KG_API_IMAGE_TAG is not set and operator/lib/image-tag.sh is missing: the platform falls back to kg-api:latest, the CUDA image, but GPU_MODE=${c.mode} needs ${need}`,
            c.reinit(c.mode)),
        ];
      }
      const fits = tagFitsMode(c.confTag, c.mode);
      if (fits === 'yes') return { ok: `KG_API_IMAGE_TAG=${c.confTag} (${catalog.variants[catalog.modes[c.mode].variant]!.description})` };
      if (fits === 'unknown') {
        return [
          problem(this.id, 'warning',
            `KG_API_IMAGE_TAG=${c.confTag} is not a tag kg-init knows: it cannot tell whether it is the ${need} image GPU_MODE=${c.mode} needs`,
            c.reinit(c.mode)),
        ];
      }
      const have = parseImageTag(c.confTag);
      const haveDesc = have.variant ? catalog.variants[have.variant]!.description : '';
      const consequence =
        c.mode === 'amd-host'
          ? 'a CUDA image on an AMD host: the embedding model never loads and every ingest fails (ADR-101)'
          : 'a ROCm image cannot use this mode\'s hardware';
      return [
        problem(this.id, 'error',
          `GPU_MODE=${c.mode} with KG_API_IMAGE_TAG=${c.confTag} (${haveDesc}) — ${consequence}; ${c.mode} needs ${need}`,
          c.reinit(c.mode)),
      ];
    },
  },
  {
    id: 'compose-ghcr',
    title: `${GHCR_COMPOSE_FILE} is present and valid`,
    run(c) {
      if (c.imageSource !== 'ghcr') return { skip: 'images are built locally (IMAGE_SOURCE is not ghcr)' };
      if (!c.ghcr) return [problem(this.id, 'error', `${GHCR_COMPOSE_FILE} is missing: the platform has no image to pull for kg-api`, c.reinit(c.mode ?? undefined))];
      if (!c.ghcr.ok) return [problem(this.id, 'error', `${GHCR_COMPOSE_FILE} is not valid YAML: ${c.ghcr.error}`, c.reinit(c.mode ?? undefined))];
      return { ok: GHCR_COMPOSE_FILE };
    },
  },
  {
    id: 'compose-api-image',
    title: 'the kg-api image is parametric with the right default',
    run(c) {
      if (c.imageSource !== 'ghcr') return { skip: 'images are built locally (IMAGE_SOURCE is not ghcr)' };
      if (!c.ghcr?.ok) return { skip: `${GHCR_COMPOSE_FILE} is missing or invalid` };
      const img = apiImage(c.ghcr.doc);
      const fix = c.reinit(c.mode ?? undefined);
      if (!img) return [problem(this.id, 'error', `${GHCR_COMPOSE_FILE} has no kg-api image`, fix)];
      if (!c.mode || !c.tag) return { skip: 'no valid GPU_MODE to compare the default with' };
      const want = '${KG_API_IMAGE_TAG:-' + c.tag + '}';
      if (!img.parametric) {
        const fits = tagFitsMode(img.tagExpr, c.mode);
        if (fits === 'no' || img.tagExpr !== c.tag) {
          return [
            problem(this.id, 'error',
              `the kg-api image is hard-coded to ${img.image}: KG_API_IMAGE_TAG=${c.tag} from ${OPERATOR_CONF_FILE} is ignored (expected kg-api:${want})`,
              fix),
          ];
        }
        return [problem(this.id, 'warning', `the kg-api image is hard-coded to ${img.image}; a later tag change in ${OPERATOR_CONF_FILE} will be ignored (expected kg-api:${want})`, fix)];
      }
      if (img.effectiveDefault === null) {
        return [problem(this.id, 'error', `the kg-api image ${img.image} has no default: a bare \`docker compose\` gets an empty tag (expected kg-api:${want})`, fix)];
      }
      if (tagFitsMode(img.effectiveDefault, c.mode) === 'no') {
        return [
          problem(this.id, 'error',
            `the kg-api image defaults to ${img.effectiveDefault}, an image that cannot run ${c.mode}: a bare \`docker compose\` pulls it (expected kg-api:\${KG_API_IMAGE_TAG:-${imageTagFor(c.mode, releaseOfTag(img.effectiveDefault))}})`,
            fix),
        ];
      }
      if (img.effectiveDefault !== c.tag) {
        // Same image variant, another tag (e.g. another release): works, but not what the config says.
        return [problem(this.id, 'warning', `the kg-api image defaults to ${img.effectiveDefault} but this install uses ${c.tag}`, fix)];
      }
      return { ok: `${img.registry}/kg-api:${img.tagExpr}` };
    },
  },
  {
    id: 'compose-overlay',
    title: "the mode's GPU overlay is present",
    run(c) {
      if (!c.mode) return { skip: 'no valid GPU_MODE' };
      const file = modeSpec(c.mode).overlay;
      if (file === null) return { ok: `${c.mode} needs no overlay` };
      const fix = c.reinit(c.mode);
      if (!c.overlay) return [problem(this.id, 'error', `${file} is missing: the kg-api container gets no GPU (${c.mode})`, fix)];
      if (!c.overlay.ok) return [problem(this.id, 'error', `${file} is not valid YAML: ${c.overlay.error}`, fix)];
      if (c.mode === 'amd-host') {
        const devs = deviceHostPaths(c.overlay.doc);
        const missing = ['/dev/kfd', '/dev/dri'].filter((d) => !devs.some((x) => x === d || x.startsWith(`${d}/`)));
        if (missing.length) {
          return [problem(this.id, 'error', `${file} does not pass ${missing.join(' and ')} to the container: ROCm cannot reach the GPU`, fix)];
        }
      }
      if (c.mode === 'nvidia' && !reservesNvidia(c.overlay.doc)) {
        return [problem(this.id, 'error', `${file} reserves no NVIDIA GPU (deploy.resources.reservations.devices): kg-api runs on the CPU`, fix)];
      }
      return { ok: file };
    },
  },
  {
    id: 'compose-stale-overlay',
    title: 'no overlay of another mode',
    run(c) {
      if (!c.mode) return { skip: 'no valid GPU_MODE' };
      const out: Problem[] = [];
      for (const [file, entry] of Object.entries(c.install.compose)) {
        const other = modeOfOverlay(file) ?? (file !== GHCR_COMPOSE_FILE ? entry.mode : null);
        if (!other || other === c.mode) continue;
        const path = shellQuote(`${c.dirArg.replace(/\/$/, '')}/${file}`);
        out.push(
          entry.generated
            ? problem(this.id, 'warning',
                `${file} is a stale ${other} overlay kg-init rendered earlier; this install is ${c.mode}, and a \`docker compose -f ${file}\` would ask for hardware of another mode`,
                c.reinit(c.mode))
            : problem(this.id, 'warning',
                `${file} is a ${other} overlay kg-init did not generate; this install is ${c.mode}: leave it out of \`docker compose -f\`, or move it away`,
                `mv ${path} ${path}.disabled`),
        );
      }
      return out.length ? out : { ok: 'only the overlay of the configured mode' };
    },
  },
  {
    id: 'overlay-gids',
    title: 'group_add has the gids that own /dev/kfd and the render nodes',
    run(c) {
      const skip = needsOverlay(c);
      if (skip) return { skip };
      const file = modeSpec('amd-host').overlay!;
      const rendered = numericGids(groupAdds(doc(c.overlay)));
      const nodes = [c.report.devices.kfd, ...c.report.devices.render].filter((n) => n.present && n.gid !== undefined);
      const out: Problem[] = [];
      for (const gid of c.report.amdOverlay!.groupGids) {
        if (rendered.includes(gid)) continue;
        const owners = nodes.filter((n) => n.gid === gid);
        const who = owners.length ? owners.map((n) => n.path).join(', ') : 'the GPU device nodes';
        const group = owners.find((n) => n.group)?.group;
        out.push(
          problem(this.id, 'error',
            `${file} adds gid ${rendered.length ? rendered.join(', ') : '(none)'} but ${who} ${owners.length > 1 ? 'are' : 'is'} owned by gid ${gid}${group ? ` (${group})` : ''} now: the container cannot open the GPU`,
            c.reinit('amd-host')),
        );
      }
      return out.length ? out : { ok: `gid ${c.report.amdOverlay!.groupGids.join(', ')} (${nodes.map((n) => `${n.path}: ${describeNode(n)}`).join('; ')})` };
    },
  },
  {
    id: 'overlay-rocr-visible-devices',
    title: 'ROCR_VISIBLE_DEVICES fits the GPUs present',
    run(c) {
      const skip = needsOverlay(c);
      if (skip) return { skip };
      const file = modeSpec('amd-host').overlay!;
      const fix = c.reinit('amd-host');
      const want = c.report.amdOverlay!.rocrVisibleDevices;
      const have = envValue(doc(c.overlay), 'ROCR_VISIBLE_DEVICES');
      const wantGpu = want !== null ? gpuByRocrName(c.report, want) : undefined;
      if (have === undefined || have === null || have.trim() === '') {
        if (want === null) return { ok: 'not set; every AMD GPU here is usable' };
        return [
          problem(this.id, 'warning',
            `${file} does not set ROCR_VISIBLE_DEVICES: ROCm also sees the integrated GPU; it should pin ${want}${wantGpu ? ` (${gpuLabel(wantGpu)})` : ''}`,
            fix),
        ];
      }
      const named = have.split(',').map((s) => s.trim()).filter(Boolean);
      const gpus = named.map((n) => ({ n, gpu: gpuByRocrName(c.report, n) }));
      const gone = gpus.filter((x) => !x.gpu).map((x) => x.n);
      if (gone.length) {
        return [
          problem(this.id, 'error',
            `${file} sets ROCR_VISIBLE_DEVICES=${have} but no AMD GPU here is ${gone.join(', ')}${want !== null ? `; it should be ${want}` : ''}: ROCm finds no GPU`,
            fix),
        ];
      }
      if (wantGpu && !gpus.some((x) => x.gpu === wantGpu)) {
        return [
          problem(this.id, 'error',
            `${file} sets ROCR_VISIBLE_DEVICES=${have} (${gpus.map((x) => gpuLabel(x.gpu!)).join(', ')}) but the GPU to use is ${want} (${gpuLabel(wantGpu)})`,
            fix),
        ];
      }
      return { ok: `ROCR_VISIBLE_DEVICES=${have} (${gpus.map((x) => gpuLabel(x.gpu!)).join(', ')})` };
    },
  },
  {
    id: 'overlay-hsa-override',
    title: 'HSA_OVERRIDE_GFX_VERSION fits the GPUs present',
    run(c) {
      const skip = needsOverlay(c);
      if (skip) return { skip };
      const file = modeSpec('amd-host').overlay!;
      const fix = c.reinit('amd-host');
      const want = c.report.amdOverlay!.hsaOverrideGfxVersion;
      const have = envValue(doc(c.overlay), 'HSA_OVERRIDE_GFX_VERSION');
      // The GPUs ROCm will use: the pinned one, else every AMD GPU KFD lists.
      const pinned = c.report.amdOverlay!.rocrVisibleDevices;
      const used = pinned !== null ? [gpuByRocrName(c.report, pinned)].filter((g): g is Gpu => g !== undefined) : c.report.gpus.filter((g) => g.vendor === 'amd' && g.kfdIndex !== undefined);
      const targets = [...new Set(used.filter((g) => g.gfxTarget).map((g) => g.gfxTarget!))].join(', ');
      if (have === undefined) {
        if (want === null) return { ok: `not set; ${targets || 'the GPU'} is built into the image` };
        return [problem(this.id, 'error', `${file} does not set HSA_OVERRIDE_GFX_VERSION: ${targets} is not built into the image and needs ${want}`, fix)];
      }
      if (have === null || have.trim() === '') {
        return [problem(this.id, 'error', `${file} sets HSA_OVERRIDE_GFX_VERSION to an empty value, which breaks ROCm initialisation${want ? `; ${targets} needs ${want}` : ''}`, fix)];
      }
      if (want === null) {
        return [problem(this.id, 'error', `${file} sets HSA_OVERRIDE_GFX_VERSION=${have} but ${targets || 'the GPU'} is built into the image: the override makes ROCm load the wrong kernels`, fix)];
      }
      if (have !== want) {
        return [problem(this.id, 'error', `${file} sets HSA_OVERRIDE_GFX_VERSION=${have} but ${targets} needs ${want}`, fix)];
      }
      return { ok: `HSA_OVERRIDE_GFX_VERSION=${have} for ${targets}` };
    },
  },
  {
    id: 'host-gpu-driver',
    title: (c) => (c.mode === 'nvidia' ? 'an NVIDIA GPU with a working driver' : c.mode === 'amd-host' ? 'an AMD GPU with the amdgpu driver loaded' : 'GPU driver'),
    run(c) {
      if (c.mode !== 'nvidia' && c.mode !== 'amd-host') return { skip: c.mode ? `${c.mode} uses no GPU driver` : 'no valid GPU_MODE' };
      const vendor = modeSpec(c.mode).gpuVendor!;
      const gpus = c.report.gpus.filter((g) => g.vendor === vendor);
      const rec = c.report.recommendation.mode;
      if (gpus.length === 0) {
        return [
          problem(this.id, 'error',
            `this install is ${c.mode} but this host has no ${vendor === 'nvidia' ? 'NVIDIA' : 'AMD'} GPU; this host's recommendation is ${rec} [GPU_CHANGED]`,
            c.reinit(rec)),
        ];
      }
      if (c.mode === 'nvidia') {
        if (c.report.nvidia.smi === 'ok') return { ok: `NVIDIA driver ${c.report.nvidia.driverVersion ?? ''} drives ${gpus.map(gpuLabel).join(', ')}`.replace(/ +/g, ' ') };
        const nv = c.report.nvidia;
        const loaded = nv.driverVersion ?? (gpus.some((g) => g.driver === 'nvidia') ? 'nvidia' : undefined);
        if (nv.smi === 'timeout' && loaded) {
          return [
            problem(this.id, 'error',
              `GPU in an error state: the NVIDIA driver ${loaded === 'nvidia' ? '' : `${loaded} `}is loaded for ${gpuLabel(gpus[0]!)}, but nvidia-smi hangs [PROBE_TIMEOUT]`,
              'reset or reboot: `sudo nvidia-smi --gpu-reset` when nothing uses the GPU, else reboot; `sudo dmesg | grep -i -E "nvrm|xid"` shows why'),
          ];
        }
        const f = modeFinding(c, 'NVIDIA_DRIVER_MISSING');
        const why = c.report.nvidia.smi === 'timeout' ? 'nvidia-smi did not answer in time' : c.report.nvidia.smi === 'missing' ? 'nvidia-smi is not installed' : 'nvidia-smi reports no working driver';
        return [problem(this.id, 'error', `${gpuLabel(gpus[0]!)} is present but ${why}: CUDA cannot start`, f?.fix ?? 'install the NVIDIA proprietary driver for your distribution, reboot, then check with: nvidia-smi')];
      }
      const legacy = gpus.map((g) => ({ g, family: preRocm7Family(g) })).filter((x) => x.family);
      if (legacy.length === gpus.length) {
        const { g, family } = legacy[0]!;
        return [
          problem(this.id, 'error',
            `${gpuLabel(g)} is a ${family!.name} GPU (${family!.gfx}): not supported by ROCm 7, so the ROCm image cannot use it [GFX_UNSUPPORTED]`,
            c.reinit('cpu')),
        ];
      }
      const bound = gpus.filter((g) => g.driver === 'amdgpu');
      if (bound.length) return { ok: `amdgpu ${c.report.rocm.amdgpuModule ?? ''} drives ${bound.map(gpuLabel).join(', ')}`.replace(/ +/g, ' ') };
      return [problem(this.id, 'error', `${gpus.map(gpuLabel).join(', ')} ${gpus.length > 1 ? 'are' : 'is'} not bound to the amdgpu driver`, 'sudo modprobe amdgpu')];
    },
  },
  {
    id: 'host-kfd',
    title: '/dev/kfd is present',
    run(c) {
      if (c.mode !== 'amd-host') return { skip: c.mode ? `not needed for ${c.mode}` : 'no valid GPU_MODE' };
      if (!c.report.gpus.some((g) => g.vendor === 'amd')) return { skip: 'no AMD GPU (see above)' };
      if (c.report.devices.kfd.present && c.report.amdOverlay) return { ok: `/dev/kfd, ${describeNode(c.report.devices.kfd)}` };
      if (c.report.gpus.filter((g) => g.vendor === 'amd').every((g) => preRocm7Family(g))) return { skip: 'the GPU is not supported by ROCm 7 (see above)' };
      const f = modeFinding(c, 'KFD_MISSING') ?? modeFinding(c, 'WSL_NO_ROCM');
      const what = c.report.devices.kfd.present ? 'the KFD topology lists no GPU' : '/dev/kfd is missing';
      return [problem(this.id, 'error', `${what}: the ROCm image cannot reach the GPU [KFD_MISSING]`, f?.fix ?? 'sudo modprobe amdgpu')];
    },
  },
  {
    id: 'host-device-access',
    title: 'this user can open /dev/kfd and the render nodes',
    run(c) {
      if (c.mode !== 'amd-host') return { skip: c.mode ? `not needed for ${c.mode}` : 'no valid GPU_MODE' };
      const nodes = [c.report.devices.kfd, ...c.report.devices.render].filter((n) => n.present);
      if (!nodes.length) return { skip: 'no device nodes (see above)' };
      const denied = nodes.filter((n) => n.userAccess === false);
      if (!denied.length) return { ok: nodes.map((n) => n.path).join(', ') };
      const groups = [...new Set(denied.map((n) => n.group ?? (n.gid !== undefined ? String(n.gid) : null)).filter((g): g is string => g !== null))];
      return [
        problem(this.id, 'warning',
          `${c.report.host.user} cannot open ${denied.map((n) => `${n.path} (${describeNode(n)})`).join(', ')}: rootless Docker or Podman will fail [KFD_NO_USER_ACCESS]`,
          groups.length ? `sudo usermod -aG ${groups.join(',')} $USER` : modeFinding(c, 'KFD_NO_USER_ACCESS')?.fix ?? 'sudo usermod -aG render,video $USER'),
      ];
    },
  },
  {
    id: 'host-nvidia-toolkit',
    title: 'the NVIDIA Container Toolkit is registered with Docker',
    run(c) {
      if (c.mode !== 'nvidia') return { skip: c.mode ? `not needed for ${c.mode}` : 'no valid GPU_MODE' };
      const d = c.report.docker;
      if (!d.running) return { skip: 'Docker does not answer (see below)' };
      if (d.nvidiaRuntime) return { ok: 'nvidia runtime' };
      if (d.cdiSpecs.length) return { ok: `CDI: ${d.cdiSpecs.join(', ')}` };
      const f = modeFinding(c, 'NVIDIA_TOOLKIT_MISSING');
      return [
        problem(this.id, 'error', 'Docker has neither an nvidia runtime nor an NVIDIA CDI spec: the kg-api container cannot get the GPU [NVIDIA_TOOLKIT_MISSING]',
          f?.fix ?? 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker'),
      ];
    },
  },
  {
    id: 'host-docker',
    title: 'Docker answers',
    run(c) {
      const d = c.report.docker;
      if (d.installed && d.running) return { ok: `Docker ${d.version ?? ''}`.trim() };
      if (!d.installed) {
        const f = c.report.findings.find((x) => x.code === 'DOCKER_NOT_FOUND');
        return [problem(this.id, 'error', 'no docker command on this host: the platform cannot run [DOCKER_NOT_FOUND]', f?.fix ?? 'curl -fsSL https://get.docker.com | sh')];
      }
      const f = c.report.findings.find((x) => x.code === 'DOCKER_NOT_RUNNING');
      return [
        problem(this.id, 'warning', 'Docker is installed but its daemon does not answer: nothing starts until it does [DOCKER_NOT_RUNNING]',
          f?.fix ?? (c.report.host.platform === 'darwin' ? 'open -a Docker' : 'sudo systemctl start docker')),
      ];
    },
  },
  {
    id: 'host-mode',
    title: (c) => (c.mode ? `${c.mode}'s other requirements hold on this host` : "the mode's requirements"),
    run(c) {
      if (!c.mode) return { skip: 'no valid GPU_MODE' };
      const a = c.report.modes.find((m) => m.mode === c.mode);
      if (!a) return { skip: `the probe did not assess ${c.mode}` };
      // A hung nvidia-smi is reported by the driver check (GPU in an error state).
      const hungSmi = (f: Finding) => f.code === 'PROBE_TIMEOUT' && f.message.startsWith('nvidia-smi') && c.mode === 'nvidia' && (c.report.nvidia.driverVersion !== undefined || c.report.gpus.some((g) => g.driver === 'nvidia'));
      const rest = a.findings.filter((f) => !COVERED.has(f.code) && !hungSmi(f) && (f.severity === 'error' || (f.severity === 'warning' && f.code !== 'GFX_OVERRIDE')));
      if (rest.length) {
        return rest.map((f) => problem(this.id, f.severity === 'error' ? 'error' : 'warning', `${f.message} [${f.code}]`, f.fix ?? c.reinit(c.report.recommendation.mode)));
      }
      if (a.status === 'blocked') {
        // A mode that cannot run here is an error, even when no check above names why (mac on Linux).
        const why = a.findings.find((f) => f.code === 'MODE_NOT_APPLICABLE');
        if (why) return [problem(this.id, 'error', `${c.mode} cannot run on this host: ${why.message} [MODE_NOT_APPLICABLE]`, c.reinit(c.report.recommendation.mode))];
        return { skip: `${c.mode} is blocked here: see the checks above` };
      }
      return { ok: `${c.mode} is ${a.status}: ${a.reason}` };
    },
  },
  {
    id: 'host-recommendation',
    title: "the mode is this host's recommendation",
    run(c) {
      if (!c.mode) return { skip: 'no valid GPU_MODE' };
      const rec = c.report.recommendation;
      if (rec.mode === c.mode) return { ok: `${rec.mode}: ${rec.reason}` };
      return [
        problem(this.id, 'warning',
          `this install is ${c.mode} but this host's recommendation is ${rec.mode} [GPU_CHANGED]`,
          c.reinit(rec.mode)),
      ];
    },
  },
];

/** Finding codes that a dedicated check above reports; host-mode reports the rest. */
const COVERED = new Set([
  'NVIDIA_DRIVER_MISSING', 'NVIDIA_TOOLKIT_MISSING', 'KFD_MISSING', 'KFD_NO_USER_ACCESS',
  'DOCKER_NOT_FOUND', 'DOCKER_NOT_RUNNING', 'MODE_NOT_APPLICABLE', 'GPU_CHANGED', 'DEPRECATED_GPU_MODE',
]);

// ---------------------------------------------------------------- diagnose

/** What the config says, and the compose files doctor reads, with what kg-init would render for them now. */
function composeFacts(install: InstallState, report: Report) {
  const confReadable = install.conf.exists && install.conf.text !== null;
  const rawMode = confReadable ? (install.conf.values.GPU_MODE ?? null) : null;
  const mode = rawMode !== null ? (resolveMode(rawMode)?.mode ?? null) : null;
  const confTag = confReadable ? (install.conf.values.KG_API_IMAGE_TAG?.trim() || null) : null;
  const tag = confTag ?? (mode ? (install.platform.imageTagHelper ? imageTagFor(mode) : 'latest') : null);
  const imageSource = composeFilesFor(install).imageSource;
  // The input kg-init would render this install's files from now, as makePlan builds it.
  const input: RenderInput | null = mode && tag
    ? {
        mode,
        registry: registryInUse(install) ?? DEFAULT_REGISTRY,
        apiTag: tag,
        platformTag: releaseOfTag(tag) ?? 'latest',
        amdOverlay: mode === 'amd-host' ? report.amdOverlay : null,
        version: VERSION,
        imageSource: imageSource === 'local' ? 'local' : 'ghcr',
      }
    : null;
  const ghcrEntry = install.compose[GHCR_COMPOSE_FILE];
  const overlayFile = mode ? modeSpec(mode).overlay : null;
  const overlayEntry = overlayFile ? install.compose[overlayFile] : undefined;
  return { confReadable, rawMode, mode, confTag, tag, imageSource, input, ghcrEntry, overlayFile, overlayEntry };
}

/**
 * A compose file kg-init rendered, byte for byte what it renders now: its
 * document without the YAML parser (src/render/docs.ts). Null otherwise, and
 * the file is parsed.
 */
function asRendered(file: string, text: string, input: RenderInput | null): Record<string, unknown> | null {
  if (!input) return null;
  try {
    if (renderFile(file, input) !== text) return null;
  } catch {
    return null;
  }
  return renderedDoc(file, input);
}

/** Whether diagnose() will parse a compose file with the YAML parser (loadComposeParser() first): not when each is as kg-init renders it now. */
export function composeParserNeeded(install: InstallState, report: Report): boolean {
  const f = composeFacts(install, report);
  const needs = (file: string | null, entry: { text: string } | undefined) => file !== null && entry !== undefined && asRendered(file, entry.text, f.input) === null;
  return needs(GHCR_COMPOSE_FILE, f.ghcrEntry) || needs(f.overlayFile, f.overlayEntry);
}

function context(install: InstallState, report: Report, opts: DiagnoseOptions): Ctx {
  const { confReadable, rawMode, mode, confTag, tag, imageSource, input, ghcrEntry, overlayFile, overlayEntry } = composeFacts(install, report);
  const read = (file: string, text: string): ParsedYaml => {
    const doc = asRendered(file, text, input);
    return doc ? { ok: true, doc } : parseCompose(text);
  };
  const ghcr = ghcrEntry ? read(GHCR_COMPOSE_FILE, ghcrEntry.text) : null;
  const overlay = overlayFile && overlayEntry ? read(overlayFile, overlayEntry.text) : null;
  const img = ghcr?.ok ? apiImage(ghcr.doc) : null;
  // Only a registry that is one (a hand-edited image line could hold anything) is carried into the command.
  const registry = img?.registry && img.registry !== DEFAULT_REGISTRY && registryProblem(img.registry) === null ? img.registry : null;
  const release = releaseOfTag(confTag ?? undefined) ?? null;
  const dirArg = opts.dirArg ?? install.dir;
  return {
    install, report, dirArg, confReadable, rawMode, mode, confTag, tag, imageSource, ghcr, overlay,
    reinit(m) {
      const parts = ['kg-init', '--yes'];
      if (m) parts.push(`--gpu=${m}`);
      parts.push('--dir', shellQuote(dirArg));
      if (release) parts.push('--release', release);
      if (registry) parts.push('--registry', shellQuote(registry));
      return parts.join(' ');
    },
  };
}

export function diagnose(install: InstallState, report: Report, opts: DiagnoseOptions = {}): DoctorResult {
  const ctx = context(install, report, opts);
  const checks: CheckOutcome[] = CHECKS.map((spec) => {
    const title = typeof spec.title === 'function' ? spec.title(ctx) : spec.title;
    const v = spec.run(ctx);
    if (Array.isArray(v)) {
      const worst: CheckStatus = v.some((p) => p.severity === 'error') ? 'error' : v.some((p) => p.severity === 'warning') ? 'warning' : 'info';
      return { id: spec.id, title, status: worst, detail: v[0]?.message ?? '', problems: v };
    }
    if ('skip' in v) return { id: spec.id, title, status: 'skipped', detail: v.skip, problems: [] };
    return { id: spec.id, title, status: 'ok', detail: v.ok, problems: [] };
  });
  const problems = checks.flatMap((c) => c.problems);
  return {
    dir: install.dir,
    layout: install.platform.kind,
    healthy: !problems.some((p) => p.severity === 'error'),
    mode: ctx.mode,
    imageTag: ctx.tag,
    problems,
    checks,
  };
}
