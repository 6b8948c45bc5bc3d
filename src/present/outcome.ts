// What a finished run tells a person, the same in the wizard and headless:
// what still blocks the mode it wrote, what is left to follow up (not what
// this run already did), and the one next step that will work.
import type { Finding } from '../report.js';
import { resolve } from 'node:path';
import { fixOf } from './symbols.js';
import { kgInit, shellQuote } from './shell.js';

interface PlanLike {
  mode: string;
  status: 'ready' | 'degraded' | 'blocked';
  findings: Finding[];
  nextCommand: string | null;
}

/** A finding whose "fix" is what kg-init itself just did ("kg-init switches it …", "kg-init rewrites it …"). */
function doneByThisRun(f: Finding): boolean {
  return /^kg-init (switches|rewrites)\b/.test(f.fix ?? '');
}

/**
 * What keeps a written mode from running here: its errors, and when the mode
 * does not apply to this host at all (no GPU of its kind: MODE_NOT_APPLICABLE,
 * an info finding of the report), that.
 */
export function blockers(plan: Pick<PlanLike, 'status' | 'findings'>): Finding[] {
  return plan.status === 'blocked' ? plan.findings.filter((f) => f.severity === 'error' || f.code === 'MODE_NOT_APPLICABLE') : [];
}

/** Whether what blocks the mode can be fixed on this host (a driver, a toolkit, a group), rather than the mode not applying here at all. */
function fixableHere(plan: Pick<PlanLike, 'status' | 'findings'>): boolean {
  return blockers(plan).some((f) => f.code !== 'MODE_NOT_APPLICABLE');
}

/** A blocked mode that cannot run on this host at all (no GPU of its kind): nothing here fixes it. */
export function cannotRunHere(m: Pick<PlanLike, 'status' | 'findings'>): boolean {
  return m.status === 'blocked' && !fixableHere(m);
}

/** The line above the blockers of a mode written anyway. */
export function blockedHeadline(plan: PlanLike): string {
  return fixableHere(plan)
    ? `${plan.mode} is blocked on this host: the stack will not start until this is fixed`
    : `${plan.mode} cannot run on this host: the stack will not start here`;
}

/** What is left to do or know after the files are written: no blocker (listed apart), nothing already done, no empty "Nothing to do". */
export function followUps(plan: PlanLike, written: boolean): Finding[] {
  const block = new Set(blockers(plan));
  return plan.findings.filter((f) => {
    if (block.has(f)) return false;
    if (written && doneByThisRun(f)) return false;
    if (f.code === 'MODE_NOT_APPLICABLE') return false;
    return f.severity !== 'info' || fixOf(f) !== undefined;
  });
}

/**
 * The next steps, the one to take now first: when the written mode is
 * blocked by something this host can fix, fixing it (listed above), then
 * starting the stack; when the mode cannot run on this host at all (no GPU of
 * its kind), configuring the mode this host can run (`reconfigure`, e.g.
 * `kg-init --yes --gpu=cpu`), then starting; otherwise starting it.
 */
export function nextSteps(plan: PlanLike, startCommand: string, reconfigure?: string): { label: 'Next' | 'Then'; text: string; command: boolean }[] {
  if (plan.status !== 'blocked') return [{ label: 'Next', text: startCommand, command: true }];
  if (!fixableHere(plan) && reconfigure) {
    return [
      { label: 'Next', text: reconfigure, command: true },
      { label: 'Then', text: startCommand, command: true },
    ];
  }
  return [
    { label: 'Next', text: `fix what blocks ${plan.mode} (above)`, command: false },
    { label: 'Then', text: startCommand, command: true },
  ];
}

/** The command that configures `mode` in `dir` headless (the mode a blocked one gives way to), named as kg-init was started. */
export function reconfigureCommand(mode: string, dir: string, cwd: string): string {
  return `${kgInit()} --yes --gpu=${mode}${resolve(cwd) === resolve(dir) ? '' : ` --dir ${shellQuote(dir)}`}`;
}
