// Each screen as a pure function from the wizard's state and the terminal
// size to a title, body lines and key hints. layoutScreen() wraps every line
// to the width (nothing is cut) and, when the body is taller than the
// terminal, shows a window of it that PgUp/PgDn scroll, so a frame is never
// taller than the terminal and every word can be read.
import { catalog, imageTagFor, resolveMode, type Mode } from '../catalog.js';
import type { Finding, ModeAssessment, ModeStatus } from '../report.js';
import type { FileAction, FileChange } from '../plan/types.js';
import type { FixedAnswers } from './deps.js';
import { changedFiles, confSummary, diffLines, frameRows, pad, type DiffKind, type Size } from './layout.js';
import { boxed, painter, rowsText, seg, wrapSegs, type FrameText, type LineSpec, type Seg, type Tone } from './lines.js';
import { blockedHeadline, blockers, cannotRunHere, followUps, nextSteps, reconfigureCommand } from '../present/outcome.js';
import { fixOf } from '../present/symbols.js';
import { gpuLabel } from '../present/gpu.js';
import { LAYOUT_LABELS } from '../platform/layout.js';
import { inDir, suggest } from '../present/shell.js';
import { chosenAssessment, highlighted, type CheckEvent, type WizardState } from './state.js';
import type { Theme } from './lines.js';

export interface ScreenContext {
  size: Size;
  theme: Theme;
  /** The spinner glyph of this frame. */
  spin: string;
  fixed: FixedAnswers;
  diff: (c: FileChange) => string;
  /** Where kg-init was started, to say whether the next command needs a cd. */
  cwd: string;
  version: string;
  /** The tag a mode would be written with (what makePlan decides, e.g. a kept release pin). */
  tagFor?: (mode: Mode) => string | undefined;
}

export interface Screen {
  title: LineSpec;
  body: LineSpec[];
  footer: string;
  /** Leading body lines that stay in view while the rest scrolls (the mode list, the changed files). */
  pinned?: number;
}

/** A screen fitted to the terminal: rows of at most `columns`, the body windowed at `scroll`. */
export interface LaidScreen {
  title: Seg[][];
  body: Seg[][];
  footer: Seg[][];
  /** Largest useful scroll offset (0: everything is in view). */
  maxScroll: number;
  /** Rows one PgDn moves. */
  page: number;
}

export function layoutScreen(screen: Screen, size: Size, plain: boolean, scroll: number): LaidScreen {
  const w = Math.max(size.columns, 1);
  const wrapAll = (ls: LineSpec[]) => ls.flatMap((l) => wrapSegs(l, w));
  const title = wrapSegs(screen.title, w);
  const footer = screen.footer ? wrapSegs([seg(screen.footer, 'dim')], w) : [];
  const cap = Math.max(frameRows(size) - title.length - 1 - footer.length, 2);
  let pinned = wrapAll(screen.body.slice(0, screen.pinned ?? 0));
  let rest = wrapAll(screen.body.slice(screen.pinned ?? 0));
  // Too little room to keep the pinned part in view: everything scrolls.
  if (pinned.length + 2 > cap) [pinned, rest] = [[], [...pinned, ...rest]];
  if (pinned.length + rest.length <= cap) return { title, body: [...pinned, ...rest], footer, maxScroll: 0, page: 1 };
  const window = Math.max(cap - pinned.length - 1, 1);
  const maxScroll = Math.max(rest.length - window, 0);
  const from = Math.min(Math.max(scroll, 0), maxScroll);
  const shown = rest.slice(from, from + window);
  const below = rest.length - from - shown.length;
  const where = [from ? `${from} above` : '', below ? `${below} more below` : 'end'].filter(Boolean).join(plain ? ', ' : ' · ');
  const note = plain ? `(${where}; PgUp/PgDn scroll)` : `── ${where} · PgUp/PgDn scroll ──`;
  return { title, body: [...pinned, ...shown, [seg([...note].slice(0, w).join(''), 'dim')]], footer, maxScroll, page: Math.max(window - 1, 1) };
}

/**
 * A laid-out screen as terminal text, byte for byte what Ink writes for it
 * (app.tsx renders the same rows through ui.tsx's Frame): the title, a blank
 * row when there is a body, the body, the footer. For frames painted before
 * Ink has loaded (launch.ts), which Ink then takes over (handover.ts).
 */
export function laidText(laid: LaidScreen, colour: boolean, plain: boolean): FrameText {
  return rowsText([...laid.title, ...(laid.body.length ? [[]] : []), ...laid.body, ...laid.footer], colour, plain);
}

const STEP_NAMES = { probe: '1/4 host', mode: '2/4 GPU mode', 'confirm-blocked': '2/4 GPU mode', review: '3/4 review', writing: '3/4 writing', done: '4/4 done' } as const;

function title(ctx: ScreenContext, step: keyof typeof STEP_NAMES, what: string): LineSpec {
  return [
    { text: `kg-init ${ctx.version}`, tone: 'title' },
    { text: ctx.theme.plain ? `, step ${STEP_NAMES[step]}: ` : ` · ${STEP_NAMES[step]} · `, tone: 'dim' },
    { text: what, tone: 'bold' },
  ];
}

function keys(ctx: ScreenContext, fancy: string, plain: string): string {
  return ctx.theme.plain ? `Keys: ${plain}` : fancy;
}


// ---------------------------------------------------------------- probe

const CHECK_TONE: Record<CheckEvent['state'], Tone> = { running: 'accent', ok: 'ok', warn: 'warn', fail: 'fail', skip: 'dim' };
const CHECK_WORD: Record<CheckEvent['state'], string> = { running: 'running', ok: 'ok', warn: 'warning', fail: 'failed', skip: 'skipped' };

function checkLine(c: CheckEvent, ctx: ScreenContext, labelWidth: number): LineSpec {
  const t = ctx.theme;
  if (t.plain) return [{ text: `${c.label}: ` }, { text: CHECK_WORD[c.state], tone: CHECK_TONE[c.state] }, { text: c.detail ? `, ${c.detail}` : '' }];
  const icon = c.state === 'running' ? ctx.spin : c.state === 'ok' ? t.ok : c.state === 'warn' ? t.warn : c.state === 'fail' ? t.fail : t.skip;
  return [
    { text: `${icon} `, tone: CHECK_TONE[c.state] },
    { text: `${pad(c.label, labelWidth - 1)} ` },
    { text: c.detail ?? (c.state === 'running' ? 'checking' : ''), tone: c.state === 'ok' || c.state === 'running' ? 'dim' : CHECK_TONE[c.state] },
  ];
}

export function probeScreen(s: WizardState, ctx: ScreenContext): Screen {
  const tail: LineSpec[] = [];
  if (s.report && s.install) {
    const rec = s.report.recommendation;
    const conf = confSummary(s.install);
    tail.push('');
    tail.push([{ text: 'Recommended: ', tone: 'bold' }, { text: `${rec.mode}`, tone: 'ok' }, { text: ` (image ${rec.imageTag}): ${rec.reason}` }]);
    for (const l of conf.lines) tail.push([seg(l, conf.tone === 'warn' ? 'warn' : 'dim')]);
    // Re-init: the existing mode is not this host's recommendation any more.
    const current = s.install.conf.values.GPU_MODE;
    const currentMode = current === undefined ? null : resolveMode(current)?.mode ?? null;
    if (currentMode && currentMode !== rec.mode) {
      tail.push([
        { text: `${ctx.theme.warn} `, tone: 'warn' },
        { text: `configured for ${currentMode}, this host now recommends ${rec.mode} [GPU_CHANGED]` },
      ]);
    }
    // 'old GPU → new GPU' is the point of these lines.
    for (const l of s.change) tail.push([{ text: `  ${l}`, tone: 'warn' }]);
  }
  // Labels in one column, as wide as the longest (within reason).
  const labelWidth = Math.min(Math.max(18, ...s.checks.map((c) => [...c.label].length + 2)), Math.floor(ctx.size.columns / 2));
  // Once probed, the GPUs are named as `kg-init probe` names them.
  const named = s.report ? s.checks.map((c) => (c.id === 'gpus' && c.state !== 'running' && s.report!.gpus.length ? { ...c, detail: s.report!.gpus.map(gpuLabel).join(', ') } : c)) : s.checks;
  const checks = named.length ? named.map((c) => checkLine(c, ctx, labelWidth)) : [[{ text: ctx.theme.plain ? 'Probing this host' : `${ctx.spin} probing this host`, tone: 'accent' as Tone }]];
  // Once probed, the recommendation leads and stays in view; the checks behind it scroll under it.
  return {
    title: title(ctx, 'probe', s.report ? 'what this host has' : 'probing this host'),
    body: tail.length ? [...tail.slice(1), '', ...checks] : checks,
    pinned: Math.max(tail.length - 1, 0),
    footer: s.report ? keys(ctx, 'Enter choose a mode · ? keys · q quit', 'Enter choose a mode, ? keys, q quit') : keys(ctx, 'Ctrl+C cancel', 'Ctrl+C cancel'),
  };
}

// ---------------------------------------------------------------- mode

const STATUS_TONE: Record<ModeStatus, Tone> = { ready: 'ok', degraded: 'warn', blocked: 'fail' };

function tagFor(mode: Mode, ctx: ScreenContext): string {
  return ctx.tagFor?.(mode) ?? ctx.fixed.imageTag ?? imageTagFor(mode, ctx.fixed.release);
}

function modeRow(m: ModeAssessment, on: boolean, s: WizardState, ctx: ScreenContext): LineSpec {
  const t = ctx.theme;
  const rec = s.report?.recommendation.mode === m.mode;
  const current = s.install?.conf.values.GPU_MODE === m.mode;
  const label = catalog.modes[m.mode].label;
  if (t.plain) {
    const facts = [m.status, rec ? 'recommended' : '', current ? 'current' : '', on ? 'selected' : ''].filter(Boolean).join(', ');
    return [{ text: `${on ? t.pointer : t.blank} ${m.mode} (${label}): ` }, { text: facts, tone: STATUS_TONE[m.status] }];
  }
  const out: Seg[] = [
    { text: `${on ? t.pointer : t.blank} `, tone: 'accent' },
    seg(pad(m.mode, 10), on && 'bold'),
    { text: pad(label, 24) },
    { text: pad(m.status, 10), tone: STATUS_TONE[m.status] },
  ];
  if (rec) out.push({ text: '★ recommended ', tone: 'accent' });
  if (current) out.push({ text: '(current)', tone: 'dim' });
  return out;
}

function requirementLines(m: ModeAssessment, ctx: ScreenContext, withMet: boolean): LineSpec[] {
  const t = ctx.theme;
  const reqLines = (r: ModeAssessment['requirements'][number]): LineSpec[] => {
    // A missing requirement that only degrades the mode (its finding is a warning) is a warning, not a failure.
    const soft = r.state === 'missing' && (m.status !== 'blocked' || m.findings.some((f) => f.severity === 'warning' && f.fix !== undefined && f.fix === r.fix));
    const [icon, tone] = r.state === 'met' ? [t.ok, 'ok' as Tone] : r.state === 'missing' && !soft ? [t.fail, 'fail' as Tone] : r.state === 'missing' ? [t.warn, 'warn' as Tone] : [t.plain ? 'unverified:' : '?', 'warn' as Tone];
    const out: LineSpec[] = [[{ text: `${icon} `, tone }, { text: r.label }, { text: r.detail ? `: ${r.detail}` : '', tone: 'dim' }]];
    if (r.state !== 'met' && r.fix) out.push([{ text: '    fix: ', tone: 'dim' }, { text: suggest(r.fix) }]);
    return out;
  };
  // What needs attention first (missing, unverified, then warnings with
  // their fixes), what is fine last: a short pane cuts from the bottom.
  const lines: LineSpec[] = [];
  for (const state of ['missing', 'unverified'] as const) {
    for (const r of m.requirements) if (r.state === state) lines.push(...reqLines(r));
  }
  for (const f of m.findings) {
    if (f.severity === 'info' || m.requirements.some((r) => r.detail === f.message || (r.fix !== undefined && r.fix === f.fix))) continue;
    lines.push(...findingLines(f, ctx));
  }
  if (withMet) for (const r of m.requirements) if (r.state === 'met') lines.push(...reqLines(r));
  return lines;
}

function findingLines(f: Finding, ctx: ScreenContext): LineSpec[] {
  const t = ctx.theme;
  const [icon, tone] = f.severity === 'error' ? [t.fail, 'fail' as Tone] : f.severity === 'warning' ? [t.warn, 'warn' as Tone] : [t.info, 'accent' as Tone];
  const out: LineSpec[] = [[{ text: `${icon} `, tone }, { text: f.message }]];
  const fix = fixOf(f);
  if (fix) out.push([{ text: fix.label === 'fix' ? '    fix: ' : '    ', tone: 'dim' }, { text: suggest(fix.text) }]);
  return out;
}

export function modeScreen(s: WizardState, ctx: ScreenContext): Screen {
  const modes = s.report?.modes ?? [];
  // Each mode's reason under it when there is room for it beside the details.
  const two = frameRows(ctx.size) >= modes.length * 2 + 12;
  const list: LineSpec[] = [];
  modes.forEach((m, i) => {
    list.push(modeRow(m, i === s.cursor, s, ctx));
    if (two) list.push([{ text: `    ${m.reason}`, tone: 'dim' }]);
  });
  const h = highlighted(s);
  const lines: LineSpec[] = [...list];
  if (h) {
    const details: LineSpec[] = [
      [{ text: 'image tag  ', tone: 'dim' }, { text: tagFor(h.mode, ctx), tone: 'bold' }],
      [{ text: 'overlay    ', tone: 'dim' }, { text: h.overlay ?? 'none (the base compose file is enough)' }],
      ...(two ? [] : [[{ text: 'why        ', tone: 'dim' as Tone }, { text: h.reason }]]),
      ...requirementLines(h, ctx, true),
    ];
    lines.push('');
    const head = `${h.mode}: ${catalog.modes[h.mode].summary}`;
    if (ctx.theme.plain) lines.push(`Details of ${head}.`, ...details);
    else if ([...head].length + 4 <= ctx.size.columns) lines.push(...boxed(head, details, ctx.size.columns));
    else lines.push(...boxed(h.mode, [catalog.modes[h.mode].summary, ...details], ctx.size.columns));
  }
  return {
    title: title(ctx, 'mode', 'choose a GPU mode'),
    body: lines,
    pinned: list.length,
    footer: keys(ctx, '↑↓ move · Enter choose · PgDn details · Esc back · ? keys · q quit', 'up/down move, Enter choose, PgDn details, Esc back, ? keys, q quit'),
  };
}

// ---------------------------------------------------------------- confirm a blocked mode

export function confirmScreen(s: WizardState, ctx: ScreenContext): Screen {
  const m = chosenAssessment(s);
  const t = ctx.theme;
  const mode = s.chosen ?? 'cpu';
  const why = m ? requirementLines(m, ctx, false) : [];
  if (m && why.length === 0) why.push([{ text: `${t.fail} `, tone: 'fail' }, { text: m.reason }]);
  // No GPU of its kind here: nothing on this host fixes it (say so, rather than "until fixed").
  const never = m ? cannotRunHere(m) : false;
  const ask: LineSpec[] = [
    '',
    `Writing it anyway sets GPU_MODE=${mode} and image ${tagFor(mode, ctx)};`,
    never ? `the stack will not start on this host, only on one where ${mode} can run.` : `the stack will not start on this host until what is listed below is fixed.`,
    '',
    [seg(`${s.confirmCursor === 0 ? t.pointer : t.blank} `, 'accent'), seg('No, choose another mode', s.confirmCursor === 0 && 'bold')],
    [seg(`${s.confirmCursor === 1 ? t.pointer : t.blank} `, 'accent'), seg(`Yes, write ${mode} anyway`, s.confirmCursor === 1 && 'fail')],
  ];
  const head: LineSpec = [{ text: never ? `${mode} cannot run on this host:` : `${mode} is blocked on this host. It will not work until this is fixed:`, tone: 'warn' }];
  // The question stays in view; what blocks scrolls under it when it is long.
  return {
    title: title(ctx, 'confirm-blocked', `${mode} is blocked here`),
    body: [...ask.slice(1), '', head, ...why],
    pinned: ask.length - 1,
    footer: keys(ctx, '↑↓ choose · Enter confirm · y yes · n/Esc back · ? keys · q quit', 'up/down choose, Enter confirm, y yes, n or Esc back, ? keys, q quit'),
  };
}

// ---------------------------------------------------------------- review

const ACTION: Record<FileAction, { mark: string; word: string; tone: Tone }> = {
  create: { mark: '+', word: 'new', tone: 'ok' },
  update: { mark: '~', word: 'updated (backup kept)', tone: 'warn' },
  remove: { mark: '-', word: 'removed (backup kept)', tone: 'fail' },
  unchanged: { mark: '=', word: 'unchanged', tone: 'dim' },
};
const DIFF_TONE: Record<DiffKind, Tone | undefined> = { add: 'add', del: 'del', hunk: 'hunk', file: 'bold', context: undefined };

export function reviewScreen(s: WizardState, ctx: ScreenContext): Screen {
  const mode = s.chosen ?? 'cpu';
  const head = title(ctx, 'review', `${mode}, image ${s.plan?.imageTag ?? tagFor(mode, ctx)}`);
  const plan = s.plan;
  if (!plan) return { title: head, body: [[{ text: `${ctx.spin} preparing the changes`, tone: 'accent' }]], footer: keys(ctx, 'Esc back · q quit', 'Esc back, q quit') };
  if (!plan.changed) {
    return {
      title: head,
      body: [[{ text: `${ctx.theme.ok} `, tone: 'ok' }, { text: `Nothing to change: ${plan.dir} is already set up for ${plan.mode}.` }]],
      footer: keys(ctx, 'Enter finish · Esc back · ? keys · q quit', 'Enter finish, Esc back, ? keys, q quit'),
    };
  }
  if (plan.refused) {
    const why = plan.findings.filter((f) => f.severity === 'error');
    return {
      title: head,
      body: [
        [seg(`${plan.mode} with image ${plan.imageTag} would not work on this host:`, 'warn')],
        ...why.flatMap((f) => findingLines(f, ctx)),
        '',
        'Nothing is written unless you confirm: y writes it anyway, Esc goes back.',
      ],
      footer: keys(ctx, 'y write anyway · Esc back · ? keys · q quit', 'y write anyway, Esc back, ? keys, q quit'),
    };
  }
  const diff = diffLines(plan, ctx.diff);
  const files = changedFiles(plan).map((f): LineSpec => {
    const a = ACTION[f.action];
    return [{ text: `${a.mark} `, tone: a.tone }, { text: pad(f.path, 34), tone: 'bold' }, { text: a.word, tone: 'dim' }];
  });
  const ruler: LineSpec = ctx.theme.plain ? `Diff in ${plan.dir}:` : rule(`── diff in ${plan.dir} `, ctx.size.columns);
  const diffRows = diff.map((d): LineSpec => [seg(d.text || ' ', DIFF_TONE[d.kind])]);
  return {
    title: head,
    body: [...files, ruler, ...diffRows],
    pinned: files.length + 1,
    footer: keys(ctx, 'Enter write these files · ↑↓ PgUp/PgDn scroll · Esc back · ? keys · q quit', 'Enter write these files, up/down or PgUp/PgDn scroll, Esc back, ? keys, q quit'),
  };
}

/** A dim rule with a label, exactly as wide as the terminal when the label fits. */
function rule(label: string, width: number): LineSpec {
  const fill = Math.max(width - [...label].length, 0);
  return [seg(label + '─'.repeat(fill), 'dim')];
}

export function writingScreen(s: WizardState, ctx: ScreenContext): Screen {
  const n = s.plan ? changedFiles(s.plan).length : 0;
  return {
    title: title(ctx, 'writing', `writing ${s.chosen ?? ''}`),
    body: [[{ text: ctx.theme.plain ? `Writing ${n} files` : `${ctx.spin} writing ${n} files`, tone: 'accent' }]],
    footer: '',
  };
}

// ---------------------------------------------------------------- the end

/**
 * The end of the run: what was written, what still blocks the mode (when it
 * was written anyway), what is left to follow up, and the next step. It stays
 * in the scrollback, so it is printed whole after the wizard ends (commands
 * on one line each, for the terminal to wrap: pasting runs all of it).
 */
export function doneScreen(s: WizardState, ctx: ScreenContext): Screen {
  const plan = s.plan!;
  const result = s.result!;
  const t = ctx.theme;
  const written = result.files.filter((f) => f.action !== 'unchanged');
  const blocked = plan.status === 'blocked';
  const cmd = plan.nextCommand ?? "install the platform here before starting it (see the findings)";
  const start = plan.nextCommand === null || plan.dir === ctx.cwd || cmd.includes(plan.dir) ? cmd : inDir(cmd, plan.dir, ctx.cwd);
  const body: LineSpec[] = [];
  body.push(
    ...(written.length
      ? [`Wrote in ${plan.dir} (platform: ${LAYOUT_LABELS[plan.layout].replace(/ \(.*\)$/, '')}):`, ...written.map((f): LineSpec => [{ text: `  ${ACTION[f.action].mark} `, tone: ACTION[f.action].tone }, { text: `${f.path} (${f.action === 'create' ? 'created' : f.action === 'update' ? 'updated' : 'removed'})` }])]
      : [`Nothing changed in ${plan.dir}: it was already set up for ${plan.mode}.`]),
  );
  if (result.backups.length) body.push('', 'Backups of the previous files:', ...result.backups.map((b): LineSpec => [{ text: `  ${b}`, tone: 'dim' }]));
  const stop = blockers(plan);
  if (blocked) {
    body.push('', [seg(`${t.warn} `, 'warn'), seg(`${blockedHeadline(plan)}:`, 'warn')]);
    // Each blocks the mode: an error here, whatever its severity in the report.
    body.push(...stop.flatMap((f) => indented(findingLines({ ...f, severity: 'error' }, ctx))));
  }
  const follow = followUps(plan, result.changed);
  if (follow.length) body.push('', 'To follow up:', ...follow.flatMap((f) => indented(findingLines(f, ctx))));
  body.push('');
  const rec = s.report?.recommendation.mode;
  for (const step of nextSteps(plan, start, rec ? reconfigureCommand(rec, plan.dir, ctx.cwd) : undefined)) {
    body.push(step.command ? [seg(`${step.label}: `, 'bold'), seg(step.text, 'command')] : [seg(`${step.label}: `, 'bold'), seg(suggest(step.text))]);
  }
  const what = blocked ? `${plan.mode} written, image ${plan.imageTag}; blocked here` : `${plan.mode} configured, image ${plan.imageTag}`;
  return {
    title: [{ text: `${blocked ? t.warn : t.ok} `, tone: blocked ? 'warn' : 'ok' }, ...(title(ctx, 'done', what) as Seg[])],
    body,
    footer: '',
  };
}

function indented(lines: LineSpec[]): LineSpec[] {
  return lines.map((l): LineSpec => (typeof l === 'string' ? `  ${l}` : [{ text: '  ' }, ...l]));
}

/**
 * A screen as text that stays in the scrollback: prose wrapped at the width,
 * a command left on one line for the terminal to wrap.
 */
export function printedText(screen: Screen, columns: number, colour: boolean): string {
  const paint = painter(colour);
  const rows = [screen.title, ...(screen.body.length ? ['', ...screen.body] : [])].flatMap((l): Seg[][] =>
    typeof l !== 'string' && l.some((x) => x.tone === 'command') ? [l] : wrapSegs(l, columns),
  );
  return rows.map((r) => r.map(paint).join('')).join('\n') + '\n';
}

/** The keys of the current screen (`?`). */
export function keysScreen(s: WizardState, ctx: ScreenContext): Screen {
  const rows: Array<[string, string]> = [
    ['Enter', s.step === 'review' ? 'write these files' : s.step === 'probe' ? 'choose a mode' : 'choose, confirm'],
    ['↑ ↓  k j', s.step === 'mode' ? 'move between modes' : s.step === 'confirm-blocked' ? 'move between the answers' : 'scroll'],
    ['PgUp PgDn Space', s.step === 'mode' ? "scroll the mode's details" : 'scroll a page'],
    ['g G  Home End', s.step === 'mode' ? 'first, last mode' : 'top, bottom'],
    ['y / n', 'yes / no where asked'],
    ['Esc  ←', s.step === 'probe' ? '(nothing before this screen)' : 'back (to the mode list: the recommendation again)'],
    ['q  Ctrl+C', 'quit: nothing is written'],
    ['?', 'these keys; any key closes them'],
  ];
  return {
    title: [{ text: `kg-init ${ctx.version}`, tone: 'title' }, { text: ctx.theme.plain ? ', keys' : ' · keys', tone: 'dim' }],
    body: rows.map(([k, what]): LineSpec => [seg(pad(k, 17), 'bold'), seg(what)]),
    footer: keys(ctx, 'any key: back to the screen', 'any key: back to the screen'),
  };
}

/** The one line a cancelled run leaves, the same at every moment (also before Ink is up: launch.ts, cli/early-cancel.ts). */
export const CANCELLED_LINE = 'kg-init: cancelled; nothing was written.';

export function cancelledScreen(_s: WizardState, _ctx: ScreenContext): Screen {
  return { title: CANCELLED_LINE, body: [], footer: '' };
}

export function errorScreen(s: WizardState, ctx: ScreenContext): Screen {
  const e = s.error ?? { message: 'unknown error' };
  return {
    title: [{ text: `${ctx.theme.fail} kg-init: `, tone: 'fail' }, { text: e.message }],
    body: e.hint ? [e.hint] : [],
    footer: '',
  };
}

export function screenFor(s: WizardState, ctx: ScreenContext): Screen {
  if (s.showKeys && s.exitCode === null) return keysScreen(s, ctx);
  switch (s.step) {
    case 'probe':
      return probeScreen(s, ctx);
    case 'mode':
      return modeScreen(s, ctx);
    case 'confirm-blocked':
      return confirmScreen(s, ctx);
    case 'review':
      return reviewScreen(s, ctx);
    case 'writing':
      return writingScreen(s, ctx);
    case 'done':
      return doneScreen(s, ctx);
    case 'cancelled':
      return cancelledScreen(s, ctx);
    case 'error':
      return errorScreen(s, ctx);
  }
}
