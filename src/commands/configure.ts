// Headless `kg-init --yes`: probe, plan, apply (or print the diffs for
// --dry-run), then a short summary or --json. Exit codes: 0 done, 1 failure,
// 3 mode blocked (nothing written; --force writes it), 130 cancelled.
import { resolve } from 'node:path';
import type { Args } from '../cli/args.js';
import { styles, type IO } from '../cli/io.js';
import type { Style } from '../cli/color.js';
import { modeSpec } from '../catalog.js';
import { applyPlan, DEFAULT_KEEP_BACKUPS, type ApplyOptions } from '../apply/apply.js';
import { LAYOUT_LABELS } from '../platform/layout.js';
import { EXIT, KgInitError } from '../errors.js';
import { readInstall } from '../install/read.js';
import { preparePlatform, withPlatform } from '../platform/install.js';
import { unifiedDiff } from '../plan/diff.js';
import { makePlan } from '../plan/make.js';
import type { Answers, ApplyResult, FileAction, Plan } from '../plan/types.js';
import type { InstallState } from '../install/types.js';
import type { Finding, Report } from '../report.js';
import { VERSION } from '../version.js';
import { hostReport } from './report-source.js';
import { findingText, fixOf, mark } from '../present/symbols.js';
import { inDir, suggest } from '../present/shell.js';
import { blockedHeadline, blockers, followUps, nextSteps, reconfigureCommand } from '../present/outcome.js';
import { describeChange, memoryFor, readMemory, recordInstall, type ChangeSummary } from '../state/memory.js';

export interface ConfigureDeps {
  /** Test seams passed through to applyPlan (fault injection, step hooks). */
  apply?: Pick<ApplyOptions, 'onStep' | 'writeFault'>;
  /** The probe report (default: hostReport). */
  report?: (io: IO, signal?: AbortSignal) => Promise<Report>;
  /** Ends the run with 130 when aborted (default: SIGINT). */
  signal?: AbortSignal;
}

export function answersFromArgs(args: Args): Answers {
  return {
    mode: args.gpu,
    deprecatedAlias: args.gpuDeprecatedAlias,
    release: args.release,
    registry: args.registry,
    imageTag: args.imageTag,
    imageSource: args.imageSource,
    force: args.force,
  };
}

/** Resolves when aborted; never rejects. */
function aborted(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((r) => (signal.aborted ? r('aborted') : signal.addEventListener('abort', () => r('aborted'), { once: true })));
}

export async function runConfigure(args: Args, io: IO, deps: ConfigureDeps = {}): Promise<number> {
  const ac = new AbortController();
  // Ctrl-C: stop at the next safe point (before the config is committed, the
  // compose files written so far are rolled back) and exit 130. Work that cannot
  // be interrupted (a probe command still running) must not keep us alive, and a
  // second Ctrl-C leaves at once.
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(EXIT.cancelled);
    ac.abort();
    setTimeout(() => process.exit(EXIT.cancelled), 1000).unref();
  };
  const signal = deps.signal ?? ac.signal;
  if (!deps.signal) process.on('SIGINT', onSigint);
  try {
    return await configure(args, io, deps, signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function configure(args: Args, io: IO, deps: ConfigureDeps, signal: AbortSignal): Promise<number> {
  const { out, err } = styles(io, args.noColor);
  const dir = resolve(io.cwd, args.dir ?? '.');
  const cancelled = new KgInitError('cancelled; nothing was written', EXIT.cancelled);

  // The install directory is read first (synchronously, a few milliseconds: see
  // src/install/read.ts), so nothing of it is left for after the probe; its
  // errors still come after the probe's, as when it was read afterwards.
  const reading = readInstall(dir);
  reading.catch(() => {});
  const report = await Promise.race([(deps.report ?? hostReport)(io, signal), aborted(signal)]);
  if (report === 'aborted' || signal.aborted) throw cancelled;
  const found = await reading;
  // An unusable config is said before anything is fetched (makePlan throws its one-line error).
  if (found.conf.problem) makePlan(report, answersFromArgs(args), found, { now: new Date(), version: VERSION });
  // A first install fetches the platform's files; a missing .env is generated. Nothing is written yet.
  const prepOpts = { source: args.platformSource, env: io.env, cwd: io.cwd, release: args.release, version: VERSION, signal };
  const prep = await preparePlatform(found, prepOpts);
  const install = withPlatform(found, prep.files, prep.source);
  const now = new Date();
  // Made again under the lock if another run committed first (runs started together succeed in turn).
  // The files fetched or generated above are used again, unless the directory now has them.
  const planNow = async (current?: InstallState) => {
    if (current) return makePlan(report, answersFromArgs(args), current, { now: new Date(), version: VERSION });
    const again = await readInstall(dir);
    const wanted = prep.files.filter((f) => (f.path === '.env' ? !again.platform.env.exists : again.platform.kind === 'none'));
    return makePlan(report, answersFromArgs(args), withPlatform(again, wanted, wanted.some((f) => f.path !== '.env') ? prep.source : null), { now: new Date(), version: VERSION });
  };
  let plan = await planNow(install);
  // What changed since kg-init last configured this directory (old GPU → new GPU).
  const change = install.conf.exists ? describeChange(await readMemory(dir, io.env), report) : NO_CHANGE;

  if (plan.refused) {
    if (args.json) io.stdout.write(json(plan, { changed: false, files: [], backups: [] }, { dryRun: args.dryRun, refused: true, change }));
    const assessment = report.modes.find((m) => m.mode === plan.mode);
    const mismatch = plan.findings.find((f) => f.code === 'IMAGE_TAG_MISMATCH');
    if (mismatch && plan.status !== 'blocked') {
      throw new KgInitError(`${mismatch.message}. Nothing was written.`, EXIT.blocked, mismatch.fix);
    }
    const fix = plan.findings.find((f) => f.severity === 'error' && f.fix)?.fix;
    throw new KgInitError(
      `GPU mode ${plan.mode} is blocked on this host: ${assessment?.reason ?? 'a requirement is missing'}. Nothing was written.`,
      EXIT.blocked,
      `${fix ? `Fix: ${fix.replace(/[.\s]*$/, '.')} Or run` : 'Run'} kg-init --yes for the recommendation (${report.recommendation.mode}), or pass --force to write ${plan.mode} anyway.`,
    );
  }

  if (args.dryRun) {
    const result: ApplyResult = { changed: plan.changed, files: plan.files.map(({ path, action }) => ({ path, action })), backups: [] };
    if (args.json) {
      io.stdout.write(json(plan, result, { dryRun: true, refused: false, change }));
    } else {
      for (const f of plan.files) {
        const d = unifiedDiff(f);
        if (d) io.stdout.write(colorDiff(d, out));
      }
      io.stdout.write(summary(plan, result, { io, style: out, dryRun: true, change, recommended: report.recommendation.mode }));
    }
    return EXIT.ok;
  }

  const result = await applyPlan(plan, {
    ...deps.apply,
    signal,
    keepBackups: keepBackups(io.env),
    replan: async () => (plan = await planNow()),
  });
  // After the commit point a failure is a warning: the configuration was written.
  for (const w of result.warnings ?? []) io.stderr.write(`${err.yellow('kg-init: warning:')} ${w}\n`);
  if (result.changed) {
    const problem = await recordInstall(memoryFor(plan.dir, report, plan, { now, version: VERSION }), io.env);
    if (problem) io.stderr.write(`${err.yellow('kg-init:')} ${problem}\n`);
  }
  if (args.json) io.stdout.write(json(plan, result, { dryRun: false, refused: false, change }));
  else io.stdout.write(summary(plan, result, { io, style: out, dryRun: false, change, recommended: report.recommendation.mode }));
  void err;
  return EXIT.ok;
}

/** KG_INIT_KEEP_BACKUPS: how many backup folders .kg-init/backups keeps (default 10). */
function keepBackups(env: NodeJS.ProcessEnv): number {
  const v = env.KG_INIT_KEEP_BACKUPS;
  if (v === undefined || v === '') return DEFAULT_KEEP_BACKUPS;
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1) {
    throw new KgInitError(`KG_INIT_KEEP_BACKUPS=${JSON.stringify(v)} is not a number of backups to keep`, EXIT.usage, 'Give a whole number of 1 or more, e.g. KG_INIT_KEEP_BACKUPS=10.');
  }
  return Number(v);
}

const NO_CHANGE: ChangeSummary = { gpuChanged: false, modeChanged: false, lines: [] };

/** What kind of run a result comes from: a dry run, a refused plan, and what changed since the last one. */
interface RunKind {
  dryRun: boolean;
  refused: boolean;
  change: ChangeSummary;
}

function json(plan: Plan, result: ApplyResult, { dryRun, refused, change }: RunKind): string {
  return `${JSON.stringify(
    {
      changed: refused ? false : result.changed,
      mode: plan.mode,
      imageTag: plan.imageTag,
      layout: plan.layout,
      ...(plan.platformSource ? { platformSource: plan.platformSource, thenCommands: plan.thenCommands } : {}),
      files: refused ? [] : result.files,
      backups: result.backups,
      findings: plan.findings,
      dir: plan.dir,
      status: plan.status,
      dryRun,
      refused,
      nextCommand: plan.nextCommand,
      change,
      // Failures after the commit point: the configuration was written, these parts were not.
      warnings: result.warnings ?? [],
    },
    null,
    2,
  )}\n`;
}

function colorDiff(diff: string, s: Style): string {
  if (!s.enabled) return diff;
  return diff
    .split('\n')
    .map((l) => (l.startsWith('+') ? s.green(l) : l.startsWith('-') ? s.red(l) : l.startsWith('@@') ? s.cyan(l) : l))
    .join('\n');
}

function summary(plan: Plan, result: ApplyResult, { io, style: s, dryRun, change, recommended }: Omit<RunKind, 'refused'> & { io: IO; style: Style; recommended: string }): string {
  const lines: string[] = [];
  const verb: Record<Exclude<FileAction, 'unchanged'>, string> = dryRun
    ? { create: 'would create', update: 'would update', remove: 'would remove' }
    : { create: 'created', update: 'updated', remove: 'removed' };
  const head = dryRun
    ? `Dry run: nothing was written in ${plan.dir}.`
    : result.changed
      ? `Configured ${plan.dir} for ${plan.mode}.`
      : `${plan.dir} is already configured for ${plan.mode}; nothing changed.`;
  lines.push(s.bold(head));
  lines.push(`  mode     ${plan.mode} (${modeSpec(plan.mode).label}), ${plan.status} on this host`);
  lines.push(`  image    ${plan.registry}/kg-api:${plan.imageTag}`);
  lines.push(`  platform ${LAYOUT_LABELS[plan.layout]}${plan.platformSource ? `, ${dryRun ? 'would be ' : ''}installed from ${plan.platformSource}` : ''}`);
  for (const action of ['create', 'update', 'remove'] as const) {
    const names = result.files.filter((f) => f.action === action).map((f) => f.path);
    if (names.length) lines.push(`  ${verb[action].padEnd(8)} ${names.join(', ')}`);
  }
  if (result.backups.length) {
    const dirs = [...new Set(result.backups.map((b) => b.split('/').slice(0, 3).join('/')))];
    lines.push(`  backups  ${dirs.join(', ')} (${result.backups.map((b) => b.split('/').slice(3).join('/')).join(', ')})`);
  }
  if (change.lines.length) {
    lines.push('', s.bold('Since kg-init last configured this directory'));
    for (const l of change.lines) lines.push(`  ${l}`);
  }
  const stop = blockers(plan);
  if (stop.length) {
    lines.push('', s.bold(blockedHeadline(plan)));
    for (const f of stop) {
      lines.push(`  ${mark('error', s)} ${findingText(f)}`);
      const fix = fixOf(f);
      if (fix) lines.push(`    ${fix.label === 'fix' ? 'fix: ' : ''}${suggest(fix.text)}`);
    }
  }
  const shown: Finding[] = followUps(plan, result.changed && !dryRun);
  if (shown.length) {
    lines.push('', s.bold('Findings'));
    for (const f of shown) {
      lines.push(`  ${mark(f.severity, s)} ${findingText(f)}`);
      const fix = fixOf(f);
      if (fix) lines.push(`    ${fix.label === 'fix' ? 'fix: ' : ''}${suggest(fix.text)}`);
    }
  }
  if (plan.nextCommand === null) {
    lines.push('', `${s.red('Nothing here can start the platform yet')}: install it first (see the findings above).`);
  } else {
    // One step per line, a command whole on its line (the terminal wraps it).
    const steps = nextSteps(plan, inDir(plan.nextCommand, plan.dir, io.cwd), reconfigureCommand(recommended, plan.dir, io.cwd));
    lines.push('');
    for (const [i, st] of steps.entries()) lines.push(`${dryRun && i === 0 ? 'Then' : st.label}: ${st.command ? s.cyan(st.text) : suggest(st.text)}`);
    if (plan.thenCommands?.length) {
      lines.push(`${dryRun ? 'After that' : 'Then'}: ${plan.thenCommands.map((c) => s.cyan(c)).join(' (the admin account), then ')} (the AI provider)`);
    }
  }
  return `${lines.join('\n')}\n`;
}
