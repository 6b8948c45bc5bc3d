// What a finished run tells a person, the same in the wizard and headless:
// what still blocks the mode it wrote, what is left to follow up (not what
// this run already did), and the one next step that will work.
import type { Finding } from '../report.js';
import { fixOf } from './symbols.js';

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

/** The errors that keep a written mode from running here. */
export function blockers(plan: PlanLike): Finding[] {
  return plan.status === 'blocked' ? plan.findings.filter((f) => f.severity === 'error') : [];
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
 * blocked, fixing what blocks it (listed above it), then starting the stack;
 * otherwise starting it.
 */
export function nextSteps(plan: PlanLike, startCommand: string): { label: 'Next' | 'Then'; text: string; command: boolean }[] {
  if (plan.status !== 'blocked') return [{ label: 'Next', text: startCommand, command: true }];
  return [
    { label: 'Next', text: `fix what blocks ${plan.mode} (above)`, command: false },
    { label: 'Then', text: startCommand, command: true },
  ];
}
