// Turns a probe report, the answers and what the install directory holds into
// a Plan: every file's before and after text, findings and the next command.
// Pure: no I/O, no clock (opts.now), so the wizard can preview exactly what
// applyPlan will write and tests can check every case without a disk.
import {
  allOverlayFiles,
  BASE_COMPOSE_FILE,
  GHCR_COMPOSE_FILE,
  imageTagFor,
  modeSpec,
  OPERATOR_CONF_FILE,
  resolveMode,
  type Mode,
} from '../catalog.js';
import { ConfEditError, NEW_CONF_HEADER, updateConf } from '../conf/edit.js';
import { timestampOf } from '../conf/values.js';
import { KgInitError } from '../errors.js';
import { renderCompose } from '../render/render.js';
import type { Finding, ModeStatus, Report } from '../report.js';
import type { Answers, FileChange, Plan } from './types.js';
import type { InstallState } from '../install/types.js';
import { releaseOfTag, tagFitsMode } from '../tags.js';
import { memoryFor, stateFileText } from '../state/memory.js';

function change(path: string, before: string | null, after: string | null): FileChange {
  const action = before === after ? 'unchanged' : before === null ? 'create' : after === null ? 'remove' : 'update';
  return { path, action, before, after };
}

function addFinding(list: Finding[], f: Finding): void {
  if (!list.some((x) => x.code === f.code && x.message === f.message)) list.push(f);
}

/** The docker compose command that starts the stack with these files. */
export function composeCommand(install: Pick<InstallState, 'baseCompose'>, mode: Mode): string {
  const files = [
    ...(install.baseCompose ? [BASE_COMPOSE_FILE] : []),
    GHCR_COMPOSE_FILE,
    ...(modeSpec(mode).overlay ? [modeSpec(mode).overlay!] : []),
  ];
  return `docker compose ${files.map((f) => `-f ${f}`).join(' ')} up -d`;
}

export function makePlan(
  report: Report,
  answers: Answers,
  install: InstallState,
  opts: { now: Date; version: string },
): Plan {
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
  const platformTag = release ?? 'latest';

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
  const rendered = renderCompose({
    mode,
    registry: answers.registry,
    apiTag: imageTag,
    platformTag,
    amdOverlay: mode === 'amd-host' ? report.amdOverlay : null,
    version: opts.version,
  });
  const composeChanges: FileChange[] = rendered.map((r) => {
    const cur = install.compose[r.path];
    const c = change(r.path, cur?.text ?? null, r.text);
    if (cur && !cur.generated && c.action === 'update') {
      addFinding(findings, {
        code: 'FOREIGN_FILE_REPLACED',
        severity: 'warning',
        message: `${r.path} was not generated by kg-init; it is replaced and the old one backed up`,
        fix: 'Compare with the backup in .kg-init/backups/ if you had edited it.',
      });
    }
    return c;
  });
  const wanted = new Set(rendered.map((r) => r.path));
  const removals: FileChange[] = [];
  for (const file of allOverlayFiles()) {
    const cur = install.compose[file];
    if (!wanted.has(file) && cur?.generated) removals.push(change(file, cur.text, null));
  }

  // .operator.conf last: INITIALIZED_AT moves only when something else changes.
  const before = install.conf.text;
  let after: string;
  try {
    const owned = { GPU_MODE: mode, KG_API_IMAGE_TAG: imageTag, IMAGE_SOURCE: 'ghcr' };
    after = updateConf(before ?? NEW_CONF_HEADER, owned);
    const otherChange = after !== before || [...composeChanges, ...removals].some((c) => c.action !== 'unchanged');
    if (otherChange || install.conf.values.INITIALIZED_AT === undefined) {
      // From the same text again (its parse is reused), not from `after`: one parse of the file.
      after = updateConf(before ?? NEW_CONF_HEADER, { ...owned, INITIALIZED_AT: timestampOf(opts.now) });
    }
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

  const files = [change(OPERATOR_CONF_FILE, before, after), ...composeChanges, ...removals];
  return {
    dir: install.dir,
    mode,
    imageTag,
    registry: answers.registry,
    status,
    refused,
    files,
    changed: files.some((f) => f.action !== 'unchanged'),
    findings,
    nextCommand: install.operatorScript ? './operator.sh start' : composeCommand(install, mode),
    state: stateFileText(memoryFor(install.dir, report, { mode, imageTag }, opts)),
  };
}
