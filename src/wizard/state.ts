// The wizard's steps as data: a pure transition function from (state, event)
// to the next state plus the effects to run (make a plan, apply it, exit).
// The Ink layer only renders a state and turns key presses into events, so
// every path through the wizard is testable without a terminal.
import type { Mode } from '../catalog.js';
import type { ModeAssessment, Report } from '../report.js';
import type { ApplyResult, Plan } from '../plan/types.js';
import type { InstallState } from '../install/types.js';
import { EXIT } from '../errors.js';

/** One probe check as it runs (the probe reports each one through onCheck). */
export type { CheckEvent, CheckState } from '../probe/index.js';
import type { CheckEvent } from '../probe/index.js';

export type Step = 'probe' | 'mode' | 'confirm-blocked' | 'review' | 'writing' | 'done' | 'cancelled' | 'error';

/** Keys after the Ink layer has named them (↑/k → up, Esc → back, Ctrl+C → interrupt). */
export type Key =
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'enter'
  | 'back'
  | 'quit'
  | 'interrupt'
  | 'yes'
  | 'no'
  /** `?`: show the keys of this screen. */
  | 'keys';

export type WizardEvent =
  | { type: 'check'; check: CheckEvent }
  /** `change`: what changed since kg-init last configured this directory (old GPU → new GPU). */
  | { type: 'probed'; report: Report; install: InstallState; change?: string[] }
  | { type: 'planned'; plan: Plan }
  | { type: 'applied'; result: ApplyResult }
  | { type: 'failed'; message: string; hint?: string }
  /** The write was interrupted before its commit point and rolled back. */
  | { type: 'cancelled' }
  /** `page` and `maxScroll` come from the screen's layout (review scrolling). */
  | { type: 'key'; key: Key; page?: number; maxScroll?: number };

export type Effect =
  | { kind: 'plan'; mode: Mode; force: boolean }
  | { kind: 'apply'; plan: Plan }
  /** Ask a running apply to stop and roll back (it may already be past its commit point). */
  | { kind: 'abort' }
  | { kind: 'exit'; code: number };

export interface WizardState {
  step: Step;
  /** Checks in the order they first reported. */
  checks: CheckEvent[];
  report: Report | null;
  install: InstallState | null;
  /** Re-init: what changed since kg-init last configured this directory, one line each. */
  change: string[];
  /** Highlighted row on the mode screen (index into report.modes). */
  cursor: number;
  /** Mode chosen on the mode screen. */
  chosen: Mode | null;
  /** Blocked mode confirmed by the user (plan made with force). */
  forced: boolean;
  /** Confirm-blocked screen: 0 = go back (the default), 1 = write anyway. */
  confirmCursor: 0 | 1;
  plan: Plan | null;
  /** First row shown of the screen's scrolling part (the diff, a mode's details, the probe results). */
  scroll: number;
  /** The key list (`?`) is shown over the screen. */
  showKeys: boolean;
  result: ApplyResult | null;
  error: { message: string; hint?: string } | null;
  /** The mode to preselect instead of the recommendation (from --gpu). */
  preferred: Mode | null;
  /** Exit code once the wizard has ended (done 0, cancelled 130, error 1). */
  exitCode: number | null;
}

export interface Transition {
  state: WizardState;
  effects: Effect[];
}

export function initialState(opts: { preferred?: Mode | null } = {}): WizardState {
  return {
    step: 'probe',
    checks: [],
    report: null,
    install: null,
    change: [],
    cursor: 0,
    chosen: null,
    forced: false,
    confirmCursor: 0,
    plan: null,
    scroll: 0,
    showKeys: false,
    result: null,
    error: null,
    preferred: opts.preferred ?? null,
    exitCode: null,
  };
}

/** The assessment under the cursor. */
export function highlighted(s: WizardState): ModeAssessment | null {
  return s.report?.modes[s.cursor] ?? null;
}

/** The assessment of the chosen mode. */
export function chosenAssessment(s: WizardState): ModeAssessment | null {
  return s.report?.modes.find((m) => m.mode === s.chosen) ?? null;
}

const ENDED: ReadonlySet<Step> = new Set(['done', 'cancelled', 'error']);

function stay(state: WizardState): Transition {
  return { state, effects: [] };
}

function cancel(state: WizardState): Transition {
  return { state: { ...state, step: 'cancelled', exitCode: EXIT.cancelled }, effects: [{ kind: 'exit', code: EXIT.cancelled }] };
}

function fail(state: WizardState, message: string, hint?: string): Transition {
  const error = hint === undefined ? { message } : { message, hint };
  return { state: { ...state, step: 'error', error, exitCode: EXIT.failure }, effects: [{ kind: 'exit', code: EXIT.failure }] };
}

function wrap(i: number, n: number): number {
  return n === 0 ? 0 : (i + n) % n;
}

/** The mode list again, the cursor back on the recommendation. */
function backToModes(state: WizardState): Transition {
  const rec = state.report?.modes.findIndex((m) => m.mode === state.report?.recommendation.mode) ?? -1;
  return stay({ ...state, step: 'mode', chosen: null, plan: null, scroll: 0, cursor: rec === -1 ? state.cursor : rec });
}

function choose(state: WizardState): Transition {
  const m = highlighted(state);
  if (!m) return stay(state);
  if (m.status === 'blocked') {
    return stay({ ...state, step: 'confirm-blocked', chosen: m.mode, confirmCursor: 0, forced: false, scroll: 0 });
  }
  return review(state, m.mode, false);
}

function review(state: WizardState, mode: Mode, force: boolean): Transition {
  return {
    state: { ...state, step: 'review', chosen: mode, forced: force, plan: null, scroll: 0 },
    effects: [{ kind: 'plan', mode, force }],
  };
}

export function transition(state: WizardState, event: WizardEvent): Transition {
  if (ENDED.has(state.step)) return stay(state);

  switch (event.type) {
    case 'check': {
      const i = state.checks.findIndex((c) => c.id === event.check.id);
      const checks = i === -1 ? [...state.checks, event.check] : state.checks.map((c, j) => (j === i ? event.check : c));
      return stay({ ...state, checks });
    }
    case 'probed': {
      const modes = event.report.modes;
      const want = state.preferred ?? event.report.recommendation.mode;
      const at = modes.findIndex((m) => m.mode === want);
      const rec = modes.findIndex((m) => m.mode === event.report.recommendation.mode);
      const cursor = at !== -1 ? at : Math.max(rec, 0);
      return stay({ ...state, report: event.report, install: event.install, change: event.change ?? [], cursor });
    }
    case 'planned':
      if (state.step !== 'review') return stay(state);
      return stay({ ...state, plan: event.plan, scroll: 0 });
    case 'applied':
      if (state.step !== 'writing') return stay(state);
      return { state: { ...state, step: 'done', result: event.result, exitCode: EXIT.ok }, effects: [{ kind: 'exit', code: EXIT.ok }] };
    case 'failed':
      return fail(state, event.message, event.hint);
    case 'cancelled':
      return cancel(state);
    case 'key':
      return onKey(state, event);
  }
}

function onKey(state: WizardState, event: Extract<WizardEvent, { type: 'key' }>): Transition {
  const { key } = event;
  // The key list: `?` opens it, any key but Ctrl+C closes it.
  if (state.showKeys && key !== 'interrupt') return stay({ ...state, showKeys: false });
  if (key === 'keys' && state.step !== 'writing') return stay({ ...state, showKeys: true });
  const max = Math.max(event.maxScroll ?? Number.MAX_SAFE_INTEGER, 0);
  const page = Math.max(event.page ?? 10, 1);
  const to = (n: number) => stay({ ...state, scroll: Math.min(Math.max(n, 0), max) });
  // While writing, Ctrl+C asks the write to roll back; it ends as cancelled
  // (nothing changed) or, when already past its commit point, as done.
  if (state.step === 'writing') return key === 'interrupt' ? { state, effects: [{ kind: 'abort' }] } : stay(state);
  if (key === 'interrupt' || key === 'quit') return cancel(state);

  switch (state.step) {
    case 'probe':
      if (key === 'enter' && state.report) return stay({ ...state, step: 'mode', scroll: 0 });
      if (key === 'up') return to(state.scroll - 1);
      if (key === 'down') return to(state.scroll + 1);
      if (key === 'pageUp') return to(state.scroll - page);
      if (key === 'pageDown') return to(state.scroll + page);
      return stay(state);

    case 'mode': {
      const n = state.report?.modes.length ?? 0;
      if (key === 'up') return stay({ ...state, cursor: wrap(state.cursor - 1, n), scroll: 0 });
      if (key === 'down') return stay({ ...state, cursor: wrap(state.cursor + 1, n), scroll: 0 });
      if (key === 'home') return stay({ ...state, cursor: 0, scroll: 0 });
      if (key === 'end') return stay({ ...state, cursor: Math.max(n - 1, 0), scroll: 0 });
      // The details of the highlighted mode scroll when they do not fit.
      if (key === 'pageUp') return to(state.scroll - page);
      if (key === 'pageDown') return to(state.scroll + page);
      if (key === 'enter') return choose(state);
      if (key === 'back') return stay({ ...state, step: 'probe', scroll: 0 });
      return stay(state);
    }

    case 'confirm-blocked': {
      if (key === 'up' || key === 'down') return stay({ ...state, confirmCursor: state.confirmCursor === 0 ? 1 : 0 });
      if (key === 'pageUp') return to(state.scroll - page);
      if (key === 'pageDown') return to(state.scroll + page);
      if (key === 'yes') return review(state, state.chosen!, true);
      if (key === 'no' || key === 'back') return backToModes(state);
      if (key === 'enter') {
        return state.confirmCursor === 1 ? review(state, state.chosen!, true) : backToModes(state);
      }
      return stay(state);
    }

    case 'review': {
      if (key === 'up') return to(state.scroll - 1);
      if (key === 'down') return to(state.scroll + 1);
      if (key === 'pageUp') return to(state.scroll - page);
      if (key === 'pageDown') return to(state.scroll + page);
      if (key === 'home') return to(0);
      if (key === 'end') return to(max);
      if (key === 'back') {
        const m = chosenAssessment(state);
        if (m?.status === 'blocked') return stay({ ...state, step: 'confirm-blocked', plan: null, scroll: 0 });
        return backToModes(state);
      }
      // A refused plan (an --image-tag of another mode) is written only on an explicit "y".
      if (key === 'yes' && state.plan?.refused && state.chosen) return review(state, state.chosen, true);
      if (key === 'enter' && state.plan && !state.plan.refused) {
        return { state: { ...state, step: 'writing' }, effects: [{ kind: 'apply', plan: state.plan }] };
      }
      return stay(state);
    }

    default:
      return stay(state);
  }
}
