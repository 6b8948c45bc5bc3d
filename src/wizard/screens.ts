// Each screen as a pure function from the wizard's state and the terminal
// size to a title, body lines and key hints. Every body fits bodyRows(size):
// lists are cut with a "… N more" row and the diff scrolls, so a frame is
// never taller than the terminal.
import { catalog, imageTagFor, resolveMode, type Mode } from '../catalog.js';
import type { Finding, ModeAssessment, ModeStatus } from '../report.js';
import type { FileAction, FileChange } from '../plan/types.js';
import type { FixedAnswers } from './deps.js';
import { bodyRows, changedFiles, confSummary, diffLines, fitList, pad, reviewLayout, wrapText, type DiffKind, type Size } from './layout.js';
import { boxed, seg, type LineSpec, type Seg, type Tone } from './lines.js';
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

/** Cuts lines to the rows available, saying how many were left out. */
function fit(lines: LineSpec[], max: number, what = 'more'): LineSpec[] {
  const { shown, hidden } = fitList(lines, max);
  return hidden > 0 ? [...shown, [{ text: `… ${hidden} ${what}`, tone: 'dim' }]] : shown;
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
    { text: c.detail ?? (c.state === 'running' ? 'checking…' : ''), tone: c.state === 'ok' || c.state === 'running' ? 'dim' : CHECK_TONE[c.state] },
  ];
}

export function probeScreen(s: WizardState, ctx: ScreenContext): Screen {
  const body = bodyRows(ctx.size);
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
        { text: `${ctx.theme.warn} GPU_CHANGED: `, tone: 'warn' },
        { text: `configured for ${currentMode}, this host now recommends ${rec.mode}` },
      ]);
    }
    // Wrapped, not cut: 'old GPU → new GPU' is the point of these lines.
    for (const l of s.change) for (const row of wrapText(`  ${l}`, ctx.size.columns, 4)) tail.push([{ text: row, tone: 'warn' }]);
  }
  // Labels in one column, as wide as the longest (within reason).
  const labelWidth = Math.min(Math.max(18, ...s.checks.map((c) => [...c.label].length + 2)), Math.floor(ctx.size.columns / 2));
  const checks = s.checks.length ? s.checks.map((c) => checkLine(c, ctx, labelWidth)) : [[{ text: ctx.theme.plain ? 'Probing this host…' : `${ctx.spin} probing this host…`, tone: 'accent' as Tone }]];
  const room = Math.max(body - tail.length, 1);
  return {
    title: title(ctx, 'probe', s.report ? 'what this host has' : 'probing this host…'),
    body: [...fit(checks, room, 'more checks'), ...tail].slice(0, body),
    footer: s.report ? keys(ctx, 'Enter choose a mode · q quit', 'Enter choose a mode, q quit') : keys(ctx, 'Ctrl+C cancel', 'Ctrl+C cancel'),
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
    const [icon, tone] = r.state === 'met' ? [t.ok, 'ok' as Tone] : r.state === 'missing' ? [t.fail, 'fail' as Tone] : [t.plain ? 'unverified:' : '?', 'warn' as Tone];
    const out: LineSpec[] = [[{ text: `${icon} `, tone }, { text: r.label }, { text: r.detail ? `: ${r.detail}` : '', tone: 'dim' }]];
    if (r.state !== 'met' && r.fix) out.push([{ text: '    fix: ', tone: 'dim' }, { text: r.fix }]);
    return out;
  };
  // What needs attention first (missing, unverified, then warnings with
  // their fixes), what is fine last: a short pane cuts from the bottom.
  const lines: LineSpec[] = [];
  for (const state of ['missing', 'unverified'] as const) {
    for (const r of m.requirements) if (r.state === state) lines.push(...reqLines(r));
  }
  for (const f of m.findings) {
    if (f.severity === 'info' || m.requirements.some((r) => r.detail === f.message)) continue;
    lines.push(...findingLines(f, ctx));
  }
  if (withMet) for (const r of m.requirements) if (r.state === 'met') lines.push(...reqLines(r));
  return lines;
}

function findingLines(f: Finding, ctx: ScreenContext): LineSpec[] {
  const t = ctx.theme;
  const [icon, tone] = f.severity === 'error' ? [t.fail, 'fail' as Tone] : f.severity === 'warning' ? [t.warn, 'warn' as Tone] : [t.info, 'accent' as Tone];
  const out: LineSpec[] = [[{ text: `${icon} `, tone }, { text: f.message }]];
  if (f.fix) out.push([{ text: '    fix: ', tone: 'dim' }, { text: f.fix }]);
  return out;
}

export function modeScreen(s: WizardState, ctx: ScreenContext): Screen {
  const body = bodyRows(ctx.size);
  const modes = s.report?.modes ?? [];
  const two = body >= modes.length * 2 + 6;
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
      ...requirementLines(h, ctx, true),
    ];
    const room = body - list.length - 1 - (ctx.theme.plain ? 1 : 2);
    if (room >= 1) {
      const shown = fit(details, room);
      lines.push('');
      if (ctx.theme.plain) lines.push(`Details of ${h.mode}: ${catalog.modes[h.mode].summary}.`, ...shown);
      else lines.push(...boxed(`${h.mode}: ${catalog.modes[h.mode].summary}`, shown, ctx.size.columns));
    }
  }
  return {
    title: title(ctx, 'mode', 'choose a GPU mode'),
    body: lines.slice(0, body),
    footer: keys(ctx, '↑↓/jk move · Enter choose · Esc back · q quit', 'up/down or j/k move, Enter choose, Esc back, q quit'),
  };
}

// ---------------------------------------------------------------- confirm a blocked mode

export function confirmScreen(s: WizardState, ctx: ScreenContext): Screen {
  const body = bodyRows(ctx.size);
  const m = chosenAssessment(s);
  const t = ctx.theme;
  const mode = s.chosen ?? 'cpu';
  const why = m ? requirementLines(m, ctx, false) : [];
  if (m && why.length === 0) why.push([{ text: `${t.fail} `, tone: 'fail' }, { text: m.reason }]);
  const ask: LineSpec[] = [
    '',
    `Writing it anyway sets GPU_MODE=${mode} and image ${tagFor(mode, ctx)};`,
    `the stack will not run on this host until the above is fixed.`,
    '',
    [seg(`${s.confirmCursor === 0 ? t.pointer : t.blank} `, 'accent'), seg('No, choose another mode', s.confirmCursor === 0 && 'bold')],
    [seg(`${s.confirmCursor === 1 ? t.pointer : t.blank} `, 'accent'), seg(`Yes, write ${mode} anyway`, s.confirmCursor === 1 && 'fail')],
  ];
  const head: LineSpec = [{ text: `${mode} is blocked on this host. It will not work until this is fixed:`, tone: 'warn' }];
  const room = Math.max(body - ask.length - 1, 1);
  return {
    title: title(ctx, 'confirm-blocked', `${mode} is blocked here`),
    body: [head, ...fit(why, room), ...ask].slice(-body),
    footer: keys(ctx, '↑↓ choose · Enter confirm · y yes · n/Esc back · q quit', 'up/down choose, Enter confirm, y yes, n or Esc back, q quit'),
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
  if (!plan) return { title: head, body: [[{ text: `${ctx.spin} preparing the changes…`, tone: 'accent' }]], footer: keys(ctx, 'Esc back · q quit', 'Esc back, q quit') };
  if (!plan.changed) {
    return {
      title: head,
      body: [[{ text: `${ctx.theme.ok} `, tone: 'ok' }, { text: `Nothing to change: ${plan.dir} is already set up for ${plan.mode}.` }]],
      footer: keys(ctx, 'Enter finish · Esc back · q quit', 'Enter finish, Esc back, q quit'),
    };
  }
  if (plan.refused) {
    const why = plan.findings.filter((f) => f.severity === 'error');
    return {
      title: head,
      body: fit(
        [
          [seg(`${plan.mode} with image ${plan.imageTag} would not work on this host:`, 'warn')],
          ...why.flatMap((f) => wrappedFinding(f, ctx)),
          '',
          'Nothing is written unless you confirm: y writes it anyway, Esc goes back.',
        ],
        bodyRows(ctx.size),
      ),
      footer: keys(ctx, 'y write anyway · Esc back · q quit', 'y write anyway, Esc back, q quit'),
    };
  }
  const diff = diffLines(plan, ctx.diff);
  const lay = reviewLayout(plan, diff.length, ctx.size);
  const files = changedFiles(plan).map((f): LineSpec => {
    const a = ACTION[f.action];
    return [{ text: `${a.mark} `, tone: a.tone }, { text: pad(f.path, 34), tone: 'bold' }, { text: a.word, tone: 'dim' }];
  });
  const from = Math.min(s.scroll, lay.maxScroll);
  const shown = diff.slice(from, from + lay.window);
  const range = diff.length === 0 ? 'no diff' : `lines ${from + 1}-${from + shown.length} of ${diff.length}`;
  const ruler: LineSpec = ctx.theme.plain
    ? `Diff in ${plan.dir}, ${range}:`
    : rule(`── diff in ${plan.dir} · ${range}${lay.maxScroll > 0 ? ' · ↑↓ PgUp/PgDn scroll' : ''} `, ctx.size.columns);
  const diffRows = shown.map((d): LineSpec => {
    const tone = DIFF_TONE[d.kind];
    return [seg(d.text || ' ', tone)];
  });
  return {
    title: head,
    body: [...fit(files, lay.fileRows, 'more files'), ruler, ...diffRows].slice(0, bodyRows(ctx.size)),
    footer: keys(ctx, 'Enter write these files · ↑↓ scroll · Esc back · q quit', 'Enter write these files, up/down scroll, Esc back, q quit'),
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
    body: [[{ text: ctx.theme.plain ? `Writing ${n} files…` : `${ctx.spin} writing ${n} files…`, tone: 'accent' }]],
    footer: '',
  };
}

// ---------------------------------------------------------------- the end

export function doneScreen(s: WizardState, ctx: ScreenContext): Screen {
  const plan = s.plan!;
  const result = s.result!;
  const t = ctx.theme;
  const body = bodyRows(ctx.size);
  const written = result.files.filter((f) => f.action !== 'unchanged');
  const next = plan.dir === ctx.cwd || plan.nextCommand.includes(plan.dir) ? plan.nextCommand : `cd ${plan.dir} && ${plan.nextCommand}`;
  // The next command is wrapped, never cut: it is meant to be copied.
  const nextLines: LineSpec[] = [
    '',
    ...wrapText(`Next: ${next}`, ctx.size.columns, 2).map((row, i): LineSpec =>
      i === 0 ? [seg('Next: ', 'bold'), seg(row.slice('Next: '.length), 'accent')] : [seg(row, 'accent')],
    ),
  ];
  const sections: LineSpec[][] = [];
  sections.push(
    written.length
      ? [`Wrote in ${plan.dir}:`, ...written.map((f): LineSpec => [{ text: `  ${ACTION[f.action].mark} `, tone: ACTION[f.action].tone }, { text: `${f.path} (${f.action === 'create' ? 'created' : f.action === 'update' ? 'updated' : 'removed'})` }])]
      : [`Nothing changed in ${plan.dir}: it was already set up for ${plan.mode}.`],
  );
  if (result.backups.length) sections.push(['Backups of the previous files:', ...result.backups.map((b): LineSpec => [{ text: `  ${b}`, tone: 'dim' }])]);
  const follow = plan.findings.filter((f) => f.severity !== 'info' || f.code === 'AMD_IGPU_PINNED' || f.code === 'GPU_CHANGED');
  if (follow.length) sections.push(['To follow up:', ...follow.flatMap((f) => wrappedFinding(f, ctx))]);
  // Give each section its share of the rows, keeping the next command in view.
  const blocked = plan.status === 'blocked';
  let room = body - nextLines.length - (blocked ? 1 : 0);
  const lines: LineSpec[] = [];
  sections.forEach((sec, i) => {
    const left = sections.length - i;
    const share = i === sections.length - 1 ? room : Math.max(Math.min(sec.length, Math.floor(room / left) + 1), 2);
    const shown = fit(sec, Math.min(share, room));
    lines.push(...shown);
    room -= shown.length;
  });
  if (blocked) {
    lines.unshift([seg(`${t.warn} `, 'warn'), seg(`${plan.mode} is blocked on this host: it will not run until that is fixed.`, 'warn')]);
  }
  return {
    title: [{ text: `${t.ok} `, tone: 'ok' }, ...(title(ctx, 'done', `${plan.mode} configured, image ${plan.imageTag}`) as Seg[])],
    body: [...lines, ...nextLines].slice(-body),
    footer: '',
  };
}

/** A finding for the done screen: message and fix wrapped, not cut. */
function wrappedFinding(f: Finding, ctx: ScreenContext): LineSpec[] {
  const t = ctx.theme;
  const [icon, tone] = f.severity === 'error' ? [t.fail, 'fail' as Tone] : f.severity === 'warning' ? [t.warn, 'warn' as Tone] : [t.info, 'accent' as Tone];
  const w = ctx.size.columns;
  const lines: LineSpec[] = wrapText(f.message, w - 4).map((row, i): LineSpec => (i === 0 ? [seg(`  ${icon} `, tone), seg(row)] : `    ${row}`));
  if (f.fix) lines.push(...wrapText(`fix: ${f.fix}`, w - 4, 5).map((row): LineSpec => [seg(`    ${row}`, 'dim')]));
  return lines;
}

export function cancelledScreen(_s: WizardState, ctx: ScreenContext): Screen {
  return { title: [{ text: `kg-init ${ctx.version}`, tone: 'title' }, { text: ctx.theme.plain ? ': cancelled. ' : ' · cancelled · ', tone: 'dim' }, { text: 'nothing was written.' }], body: [], footer: '' };
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
