// Turns a probe report, the answers and what the install directory holds into
// a Plan: every file's before and after text, findings and the next command.
// Pure: no I/O, no clock (opts.now), so the wizard can preview exactly what
// applyPlan will write and tests can check every case without a disk.
import { TAG_RE } from '../patterns.js';
import { registryProblem } from '../util/image-ref.js';
import {
  allOverlayFiles,
  DEFAULT_REGISTRY,
  BASE_COMPOSE_FILE,
  GHCR_COMPOSE_FILE,
  imageTagFor,
  modeSpec,
  OPERATOR_CONF_FILE,
  resolveMode,
  type Mode,
} from '../catalog.js';
import { ConfEditError, confWouldChange, NEW_CONF_HEADER, updateConf } from '../conf/edit.js';
import { timestampOf } from '../conf/values.js';
import { KgInitError } from '../errors.js';
import { renderCompose } from '../render/render.js';
import type { Finding, ModeStatus, Report } from '../report.js';
import type { Answers, FileChange, Plan } from './types.js';
import type { InstallState } from '../install/types.js';
import { composeFilesFor, composePath, ENV_FILE, OPERATOR_SCRIPT } from '../platform/layout.js';
import { missingVars, requiredVars, SECRETS } from '../platform/env.js';
import { releaseOfTag, tagFitsMode } from '../tags.js';
import { memoryFor, stateFileText } from '../state/memory.js';

function change(path: string, before: string | null, after: string | null): FileChange {
  const action = before === after ? 'unchanged' : before === null ? 'create' : after === null ? 'remove' : 'update';
  return { path, action, before, after };
}

function addFinding(list: Finding[], f: Finding): void {
  if (!list.some((x) => x.code === f.code && x.message === f.message)) list.push(f);
}

/**
 * The command that starts the platform here once the plan is applied, or null
 * when nothing here can start it (no base compose file): never a `docker
 * compose up` of kg-init's files alone, which would start unconfigured
 * containers.
 */
export function startCommand(install: InstallState, mode: Mode, files: FileChange[]): string | null {
  if (install.platform.operatorScript || files.some((f) => f.path === OPERATOR_SCRIPT && f.after !== null)) return './operator.sh start';
  const after = new Set(install.platform.composeFiles);
  for (const f of files) {
    const name = f.path.split('/').pop()!;
    if (f.path === composePath(install.platform, name)) {
      if (f.after === null) after.delete(name);
      else after.add(name);
    }
  }
  if (!after.has(BASE_COMPOSE_FILE)) return null;
  const inv = composeFilesFor({
    dir: install.dir,
    platform: { ...install.platform, composeFiles: [...after] },
    conf: { values: { GPU_MODE: mode, IMAGE_SOURCE: 'ghcr' } },
    confExtra: install.confExtra,
  });
  return `docker compose ${inv.files.map((f) => `-f ${f}`).join(' ')} --env-file ${inv.envFile} up -d`;
}

/** The ${VAR}s the platform's own compose files (those arriving now) require. */
function requiredVarsOf(install: InstallState): string[] {
  const out = new Set<string>(install.requiredVars ?? []);
  for (const f of install.incoming?.files ?? []) if (/^docker-compose.*\.ya?ml$/.test(f.path)) for (const v of requiredVars(f.text)) out.add(v);
  return [...out];
}

/**
 * The KG_API_IMAGE_TAG to write, or null to leave it to the platform (which
 * derives it from GPU_MODE with operator/lib/image-tag.sh). Written only as an
 * explicit override: --image-tag, a release pin, a custom tag already there
 * (one kg-init cannot derive), or an install without image-tag.sh, where the
 * platform falls back to `latest`. A value equal to the derivation that
 * kg-init wrote earlier is dropped, so that a later hand edit of GPU_MODE
 * gets the new mode's image.
 */
function ownedTag(install: InstallState, answers: Answers, mode: Mode, release: string | undefined, imageTag: string): string | null {
  if (answers.imageTag !== undefined || release !== undefined) return imageTag;
  const current = install.conf.values.KG_API_IMAGE_TAG;
  // A custom tag (one kg-init cannot derive) stays; a value that is no tag at all does not.
  if (current && TAG_RE.test(current) && tagFitsMode(current, mode) === 'unknown') return current;
  if (!install.platform.imageTagHelper) return imageTag;
  // The derivation's value hand-written by the user stays theirs; kg-init's own earlier write goes.
  if (current === imageTag && install.lastWrittenTag !== current) return current;
  return null;
}

/** IMAGE_SOURCE to write: as asked, else what the config says (absent stays absent), else ghcr for a new config. */
function imageSourceFor(install: InstallState, answers: Answers): 'ghcr' | 'local' | null {
  if (answers.imageSource) return answers.imageSource;
  // A CRLF file gives bash "ghcr\r", which operator.sh does not take for ghcr:
  // the value meant is rewritten without the CR.
  const current = install.conf.values.IMAGE_SOURCE?.replace(/\r$/, '');
  if (current === 'ghcr' || current === 'local') return current;
  if (current !== undefined) return null;
  return install.conf.exists ? null : 'ghcr';
}

/**
 * The registry the kg-api image line of the GHCR file kg-init generated in
 * this directory pulls from (a mirror given with --registry on an earlier
 * run), when it is a valid one; else null. Read from kg-init's own line, not
 * with a YAML parser: a file kg-init did not generate is not trusted for it.
 */
export function registryInUse(install: InstallState): string | null {
  const entry = install.compose[GHCR_COMPOSE_FILE];
  if (!entry?.generated) return null;
  const m = /^[ \t]+image:[ \t]*"?([^"\s]+)\/kg-api:/m.exec(entry.text);
  return m && registryProblem(m[1]!) === null ? m[1]! : null;
}

export function makePlan(
  report: Report,
  answers: Answers,
  install: InstallState,
  opts: { now: Date; version: string },
): Plan {
  const registry = answers.registry ?? registryInUse(install) ?? DEFAULT_REGISTRY;
  if (install.conf.problem) {
    throw new KgInitError(
      `cannot use ${install.conf.problem}; nothing was changed`,
      1,
      / line \d+: /.test(install.conf.problem)
        ? 'kg-init will not guess what bash makes of that line: edit it (see docs/security.md), then run kg-init again.'
        : `Fix it or move it aside, then run kg-init again.`,
    );
  }
  const mode: Mode = answers.mode === 'auto' ? report.recommendation.mode : answers.mode;
  const assessment = report.modes.find((m) => m.mode === mode);
  const status: ModeStatus = assessment?.status ?? 'blocked';
  // An explicit --image-tag of another known variant (`latest` under amd-host)
  // is the ADR-101 failure: refused like a blocked mode unless forced.
  const tagFit = answers.imageTag === undefined ? 'yes' : tagFitsMode(answers.imageTag, mode);
  const refused = (status === 'blocked' || tagFit === 'no') && !answers.force;
  // A re-init without --release keeps the release the existing tag pins
  // (0.13.1 with nvidia → 0.13.1-rocm72-host with amd-host).
  const release = answers.release ?? (answers.imageTag === undefined ? releaseOfTag(install.conf.values.KG_API_IMAGE_TAG) : undefined);
  const imageTag = answers.imageTag ?? imageTagFor(mode, release);
  if (!TAG_RE.test(imageTag)) {
    // Only a release carried over from the config can get here (--release is checked for every mode's tag).
    throw new KgInitError(
      `${install.conf.path} has KG_API_IMAGE_TAG=${install.conf.values.KG_API_IMAGE_TAG}, pinning release ${release}; the ${mode} image of that release would be tagged ${imageTag.slice(0, 40)}…, longer than the 128 characters an image tag may have. Nothing was changed`,
      1,
      'Pass --release VERSION or --image-tag TAG, or correct KG_API_IMAGE_TAG, then run kg-init again.',
    );
  }
  const platformTag = release ?? 'latest';
  const confTag = ownedTag(install, answers, mode, release, imageTag);
  const imageSource = imageSourceFor(install, answers);
  // What the platform will do: IMAGE_SOURCE, else its default (local with DEV_MODE=true).
  const fromRegistry = (imageSource ?? install.conf.values.IMAGE_SOURCE ?? (install.confExtra?.DEV_MODE === 'true' ? 'local' : 'ghcr')) === 'ghcr';
  if (answers.imageSource === 'local' && install.platform.kind !== 'clone') {
    throw new KgInitError(
      `--image-source local builds kg-api from the platform's source, which only a clone of the platform repository has (docker/ beside operator.sh); ${install.dir} is ${install.platform.kind === 'none' ? 'not a platform install' : 'a standalone install'}. Nothing was written.`,
      1,
      'Leave out --image-source (images are pulled from the registry), or run kg-init in a clone of the platform repository.',
    );
  }

  const findings: Finding[] = [];
  for (const f of assessment?.findings ?? []) addFinding(findings, f);
  for (const f of report.findings) if (f.mode === undefined) addFinding(findings, f);

  if (tagFit === 'no') {
    addFinding(findings, {
      code: 'IMAGE_TAG_MISMATCH',
      severity: 'error',
      message: `--image-tag ${answers.imageTag} is the image of another mode; ${mode} needs ${imageTagFor(mode, releaseOfTag(answers.imageTag))}`,
      fix: `Leave out --image-tag (kg-init picks ${imageTagFor(mode, releaseOfTag(answers.imageTag))}), or pass --force if you really mean it.`,
      mode,
    });
  }

  const existing = install.conf.values.GPU_MODE;
  const existingMode = existing === undefined ? null : resolveMode(existing);
  if (answers.deprecatedAlias) {
    addFinding(findings, {
      code: 'DEPRECATED_GPU_MODE',
      severity: 'warning',
      message: "--gpu amd is a deprecated alias of amd-host; amd-host is written",
      fix: 'Use --gpu amd-host from now on.',
    });
  }
  if (existingMode?.deprecated) {
    addFinding(findings, {
      code: 'DEPRECATED_GPU_MODE',
      severity: 'warning',
      message: `${OPERATOR_CONF_FILE} has GPU_MODE=${existing}, a deprecated alias read as amd-host`,
      fix: mode === 'amd-host' ? 'kg-init rewrites it as GPU_MODE=amd-host.' : undefined,
    });
  }
  if (existingMode && existingMode.mode !== report.recommendation.mode) {
    const rec = report.recommendation.mode;
    addFinding(findings, {
      code: 'GPU_CHANGED',
      severity: 'warning',
      message: `${OPERATOR_CONF_FILE} selected GPU mode ${existingMode.mode}, but this host's recommendation is ${rec}`,
      fix: mode === rec ? `kg-init switches it to ${rec} (the old file is backed up).` : `Run kg-init --yes --gpu ${rec} to follow the recommendation.`,
    });
  }

  // Compose files: the mode's own, rendered; generated overlays of other modes removed.
  // Local builds (a clone, IMAGE_SOURCE=local) leave the GHCR file alone: the platform does not read it then.
  const rendered = renderCompose({
    mode,
    registry,
    apiTag: imageTag,
    platformTag,
    amdOverlay: mode === 'amd-host' ? report.amdOverlay : null,
    version: opts.version,
    imageSource: fromRegistry ? 'ghcr' : 'local',
  }).filter((r) => fromRegistry || r.path !== GHCR_COMPOSE_FILE);
  const layout = install.platform;
  const composeChanges: FileChange[] = rendered.map((r) => {
    const cur = install.compose[r.path];
    const path = composePath(layout, r.path);
    const c = change(path, cur?.text ?? null, r.text);
    if (cur && !cur.generated && c.action === 'update') {
      addFinding(findings, {
        code: 'FOREIGN_FILE_REPLACED',
        severity: 'warning',
        message: `${path} was not generated by kg-init; it is replaced and the old one backed up`,
        fix: 'Compare with the backup in .kg-init/backups/ if you had edited it.',
      });
    }
    return c;
  });
  const wanted = new Set(rendered.map((r) => r.path));
  const removals: FileChange[] = [];
  for (const file of allOverlayFiles()) {
    const cur = install.compose[file];
    if (!wanted.has(file) && cur?.generated) removals.push(change(composePath(layout, file), cur.text, null));
  }
  if (layout.kind === 'clone' && layout.git) {
    const tracked = [...composeChanges, ...removals].filter((c) => c.action !== 'unchanged' && c.before !== null && !install.compose[c.path.split('/').pop()!]?.generated);
    if (tracked.length) {
      addFinding(findings, {
        code: 'TRACKED_FILES_CHANGED',
        severity: 'info',
        message: `this is a clone of the platform repository: ${tracked.map((c) => c.path).join(', ')} ${tracked.length > 1 ? 'are' : 'is'} tracked by git and now hold${tracked.length > 1 ? '' : 's'} this host's settings`,
        fix: `git diff shows the change; git checkout -- ${tracked.map((c) => c.path).join(' ')} undoes it (the old files are also in .kg-init/backups/).`,
      });
    }
  }
  const incoming: FileChange[] = (install.incoming?.files ?? []).map((f) => ({
    ...change(f.path, null, f.text),
    mode: f.mode,
    brief:
      f.path === ENV_FILE
        ? `(new, mode 0600: generated secrets ${SECRETS.map((s) => s.name).join(', ')} and the installer's defaults; never shown, never rewritten)`
        : `(the platform's ${f.path}, ${f.text.split('\n').length} lines${install.incoming?.source ? `, from ${install.incoming.source}` : ''}${f.mode & 0o111 ? ', executable' : ''})`,
  }));
  const envText = layout.env.text;
  if (layout.kind !== 'none' && (layout.env.exists || incoming.length)) {
    const required = requiredVarsOf(install);
    const missing = missingVars(required.filter((v) => v !== 'KG_API_IMAGE_TAG'), envText);
    if (missing.length) {
      addFinding(findings, {
        code: 'ENV_VAR_MISSING',
        severity: 'error',
        message: `the platform's compose files require ${missing.join(', ')}, which .env does not set: Compose would start ${missing.length > 1 ? 'them' : 'it'} empty`,
        fix: `Add ${missing.map((m) => `${m}=<value>`).join(' ')} to ${install.dir}/.env (kg-init never rewrites an existing .env).`,
      });
    }
  }
  if (layout.kind === 'none') {
    addFinding(findings, {
      code: 'PLATFORM_MISSING',
      severity: 'error',
      message: `${install.dir} holds no Knowledge Graph platform (no operator.sh, no docker-compose.yml, no docker/): the GPU files alone cannot start anything`,
      fix: 'Run kg-init in the platform\'s install directory (where operator.sh is), or install the platform here first.',
    });
  }

  // .operator.conf last: INITIALIZED_AT moves only when something else changes.
  const before = install.conf.text;
  let after: string;
  try {
    const owned = {
      GPU_MODE: mode,
      ...(confTag !== null ? { KG_API_IMAGE_TAG: confTag } : {}),
      ...(imageSource !== null ? { IMAGE_SOURCE: imageSource } : {}),
    };
    // KG_API_IMAGE_TAG only as an override: without one, any line setting it goes (dropped in the same edit).
    const drop = confTag === null ? (['KG_API_IMAGE_TAG'] as const) : [];
    const otherChange = before === null || confWouldChange(before, owned, drop) || [...composeChanges, ...removals].some((c) => c.action !== 'unchanged');
    // The new text is made once, from the parse made when the install was read.
    after =
      otherChange || install.conf.values.INITIALIZED_AT === undefined
        ? updateConf(before ?? NEW_CONF_HEADER, { ...owned, INITIALIZED_AT: timestampOf(opts.now) }, drop)
        : before;
  } catch (e) {
    if (e instanceof ConfEditError) {
      throw new KgInitError(
        `cannot update ${install.conf.path}: ${e.message}; nothing was changed`,
        1,
        e.message.startsWith('line ') ? 'Edit that line (see docs/security.md), then run kg-init again.' : 'Close the quote or block at its end, then run kg-init again.',
      );
    }
    throw e;
  }

  // The GPU choices first (what the review shows at the top), then the platform's own files.
  const confChange = change(OPERATOR_CONF_FILE, before, after);
  if (before !== null && install.conf.bytes) confChange.beforeBytes = install.conf.bytes;
  const files = [confChange, ...composeChanges, ...removals, ...incoming];
  const next = startCommand(install, mode, files);
  return {
    dir: install.dir,
    mode,
    imageTag,
    registry,
    status,
    refused,
    files,
    changed: files.some((f) => f.action !== 'unchanged'),
    findings,
    layout: layout.kind,
    ...(install.incoming?.source ? { platformSource: install.incoming.source, thenCommands: ['./operator.sh admin', './operator.sh ai-provider'] } : {}),
    nextCommand: next,
    state: stateFileText(memoryFor(install.dir, report, { mode, imageTag }, opts)),
  };
}
