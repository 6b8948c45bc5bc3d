// What the wizard needs from the rest of kg-init, injected so that the screens
// can be tested with hand-made reports and plans and the launcher wires the
// real probe and configure core. The wizard collects Answers; the plan and the
// writes are the same ones the headless path uses.
import type { Report } from '../report.js';
import type { Answers, ApplyResult, FileChange, Plan } from '../plan/types.js';
import type { InstallState } from '../install/types.js';
import type { CheckEvent } from './state.js';

export interface WizardDeps {
  /** Probes the host, reporting each check as it starts and ends. */
  probe(onCheck: (ev: CheckEvent) => void, signal?: AbortSignal): Promise<Report>;
  /** Reads the install directory as it is now. */
  readInstall(): Promise<InstallState>;
  /** Turns the answers into the files that would change (nothing is written). */
  makePlan(answers: Answers): Plan;
  /** Writes the plan; aborting `signal` before its commit point rolls back (KgInitError, exit 130). */
  applyPlan(plan: Plan, signal?: AbortSignal): Promise<ApplyResult>;
  /** Re-init: what changed since kg-init last configured this directory (none on a first install). */
  changeSince?(report: Report, install: InstallState): Promise<string[]>;
  /** The unified diff of one file change. */
  diff(change: FileChange): string;
}

/** Answers the wizard does not ask for: they come from the flags. */
export type FixedAnswers = Omit<Answers, 'mode' | 'force'>;
