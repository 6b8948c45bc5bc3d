// The Ink wizard: renders the state machine's current screen and turns key
// presses into its events; runs its effects (plan, apply, exit) through the
// injected deps. Loaded lazily by launch.ts, so React and Ink cost nothing on
// the headless paths.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Box, render, useApp, useInput, type Key as InkKey } from 'ink';
import type { Mode } from '../catalog.js';
import { EXIT, KgInitError } from '../errors.js';
import type { FixedAnswers, WizardDeps } from './deps.js';
import type { Size } from './layout.js';
import { doneScreen, layoutScreen, printedText, screenFor, type ScreenContext } from './screens.js';
import { initialState, transition, type Effect, type Key, type WizardEvent, type WizardState } from './state.js';
import { Frame, Lines, theme, useSize, useSpinner } from './ui.js';
import { handOver, type Handoff } from './handover.js';

export interface WizardProps {
  deps: WizardDeps;
  fixed: FixedAnswers;
  /** Mode to preselect instead of the recommendation (--gpu). */
  preferred?: Mode | null;
  plain: boolean;
  cwd: string;
  version: string;
  /** Fixed size for tests; otherwise the terminal's, re-read on resize. */
  size?: Size;
  /**
   * The state the wizard starts in: the one on screen in the frames the
   * launcher painted before Ink (the checks so far, maybe the report). When it
   * has the report, the probe is not asked again.
   */
  initial?: WizardState | null;
  /** The spinner glyph on screen in that frame. */
  initialSpin?: number;
  /** Called once with the exit code when the wizard ends. */
  onExit?: (code: number) => void;
  /**
   * Lets the launcher deliver a signal (SIGINT from outside) as a key;
   * `pending`: one came before the wizard could take it, deliver it at once.
   */
  interruptRef?: { current: (() => void) | null; pending?: boolean };
  /**
   * Set to the done screen as text to print after the wizard has ended
   * (whole, commands on one line); the last frame is then left empty.
   * Without it the done screen is the last frame (tests).
   */
  finalRef?: { current: ((columns: number, colour: boolean) => string) | null };
}

function keyOf(input: string, k: InkKey): Key | null {
  if (k.ctrl && input === 'c') return 'interrupt';
  if (k.upArrow || input === 'k') return 'up';
  if (k.downArrow || input === 'j') return 'down';
  if (k.pageUp) return 'pageUp';
  if (k.pageDown || input === ' ') return 'pageDown';
  if (k.home || input === 'g') return 'home';
  if (k.end || input === 'G') return 'end';
  if (k.return) return 'enter';
  if (k.escape || k.leftArrow) return 'back';
  if (input === 'q') return 'quit';
  if (input === 'y' || input === 'Y') return 'yes';
  if (input === 'n' || input === 'N') return 'no';
  if (input === '?') return 'keys';
  return null;
}

const NO_KEY = {} as InkKey;

function describe(e: unknown): { message: string; hint?: string } {
  if (e instanceof KgInitError) return e.hint ? { message: e.message, hint: e.hint } : { message: e.message };
  return { message: `unexpected error: ${e instanceof Error ? e.message : String(e)}`, hint: 'This is a bug in kg-init; please report it with the output of `kg-init probe --json`.' };
}

const ACTIVE_STEPS = new Set(['probe', 'review', 'writing']);

export function WizardApp(props: WizardProps): ReactNode {
  const { deps, fixed, plain } = props;
  const app = useApp();
  const size = useSize(props.size);
  const [state, setState] = useState<WizardState>(() => props.initial ?? initialState({ preferred: props.preferred ?? null }));
  // Probed before Ink was up (its outcome is in the initial state): the probe is not asked again.
  const probedBefore = useRef(Boolean(props.initial?.report && props.initial.install));
  const ref = useRef(state);
  const sizeRef = useRef(size);
  const abortRef = useRef<AbortController | null>(null);
  sizeRef.current = size;

  const dispatch = useCallback(
    (event: WizardEvent) => {
      const t = transition(ref.current, event);
      ref.current = t.state;
      setState(t.state);
      for (const fx of t.effects) runEffect(fx);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  function runEffect(fx: Effect): void {
    switch (fx.kind) {
      case 'plan':
        try {
          dispatch({ type: 'planned', plan: deps.makePlan({ ...fixed, mode: fx.mode, force: fx.force }) });
        } catch (e) {
          dispatch({ type: 'failed', ...describe(e) });
        }
        return;
      case 'apply': {
        const ac = new AbortController();
        abortRef.current = ac;
        deps.applyPlan(fx.plan, ac.signal).then(
          (result) => dispatch({ type: 'applied', result }),
          (e: unknown) =>
            dispatch(e instanceof KgInitError && e.exitCode === EXIT.cancelled ? { type: 'cancelled' } : { type: 'failed', ...describe(e) }),
        );
        return;
      }
      case 'abort':
        abortRef.current?.abort();
        return;
      case 'exit':
        // Handled after the final frame has been committed (below).
        return;
    }
  }

  // Probe once, after the first frame is on screen; results stream in.
  useEffect(() => {
    if (probedBefore.current) return;
    let live = true;
    const onCheck = (check: Parameters<Parameters<WizardDeps['probe']>[0]>[0]) => {
      if (live) dispatch({ type: 'check', check });
    };
    // Leaving the wizard (Ctrl+C, q) while tools still run kills them, so the
    // process ends at once instead of when the slowest tool times out.
    const probing = new AbortController();
    Promise.all([deps.probe(onCheck, probing.signal), deps.readInstall()]).then(
      async ([report, install]) => {
        // What changed since the last run is a nicety: never let it stop the wizard.
        const change = deps.changeSince ? await deps.changeSince(report, install).catch(() => []) : [];
        if (live) dispatch({ type: 'probed', report, install, change });
      },
      (e: unknown) => live && dispatch({ type: 'failed', ...describe(e) }),
    );
    return () => {
      live = false;
      probing.abort();
    };
  }, [deps, dispatch]);

  useEffect(() => {
    const ref = props.interruptRef;
    if (!ref) return;
    ref.current = () => dispatch({ type: 'key', key: 'interrupt' });
    if (ref.pending) {
      ref.pending = false;
      ref.current();
    }
  }, [props.interruptRef, dispatch]);

  // End once the final frame is committed, so it stays on the terminal.
  useEffect(() => {
    if (state.exitCode === null) return;
    props.onExit?.(state.exitCode);
    app.exit();
  }, [state.exitCode, app, props.onExit]);

  // How far the screen on show scrolls, for PgUp/PgDn.
  const scrollRef = useRef({ page: 1, maxScroll: 0 });
  const onKey = (key: Key) => {
    dispatch({ type: 'key', key, page: scrollRef.current.page, maxScroll: scrollRef.current.maxScroll });
  };

  useInput(
    (input, k) => {
      // Keys typed faster than they are read arrive as one chunk ("\ry"):
      // take them one by one, as they were typed.
      if (input.length > 1 && !k.ctrl && !k.meta && !input.startsWith('\u001b')) {
        for (const ch of input) {
          const key = ch === '\r' || ch === '\n' ? 'enter' : keyOf(ch, NO_KEY);
          if (key) onKey(key);
        }
        return;
      }
      const key = keyOf(input, k);
      if (key) onKey(key);
    },
    { isActive: state.exitCode === null },
  );

  const running = state.checks.some((c) => c.state === 'running') || (state.step === 'probe' && !state.report);
  const spin = useSpinner(ACTIVE_STEPS.has(state.step) && (running || state.step !== 'probe'), plain, props.initialSpin);
  // The tag each mode would really get (makePlan keeps a release pin on re-init), asked once per mode.
  const tagFor = useMemo(() => {
    const cache = new Map<Mode, string | undefined>();
    return (mode: Mode): string | undefined => {
      if (!state.report || !state.install) return undefined;
      if (!cache.has(mode)) {
        try {
          cache.set(mode, deps.makePlan({ ...fixed, mode, force: true }).imageTag);
        } catch {
          cache.set(mode, undefined);
        }
      }
      return cache.get(mode);
    };
  }, [state.report, state.install, deps, fixed]);
  const ctx: ScreenContext = { size, theme: theme(plain), spin, fixed, diff: deps.diff, cwd: props.cwd, version: props.version, tagFor };
  if (state.step === 'done' && props.finalRef) {
    // The done screen is printed whole after the wizard ends; no frame for it.
    const s = state;
    props.finalRef.current = (columns, colour) => printedText(doneScreen(s, { ...ctx, size: { ...size, columns } }), columns, colour);
    return null;
  }
  const laid = layoutScreen(screenFor(state, ctx), size, plain, state.scroll);
  scrollRef.current = { page: laid.page, maxScroll: laid.maxScroll };
  return (
    <Box flexDirection="column">
      <Frame title={laid.title} footer={laid.footer} size={size} blankAfterTitle={laid.body.length > 0}>
        <Lines lines={laid.body} width={size.columns} />
      </Frame>
    </Box>
  );
}

export interface StartOptions extends Omit<WizardProps, 'onExit' | 'size' | 'interruptRef' | 'finalRef' | 'initial' | 'initialSpin'> {
  /** Colour in the text printed after the wizard (the done screen). */
  colour: boolean;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /**
   * Called once the wizard listens for SIGINT, before Ink renders: the
   * launcher lets go of SIGINT and the keys only then, so that a signal is
   * never without a listener (one caught meanwhile would be lost), stops
   * painting, and says what is on screen: Ink starts in that state and takes
   * the frame over (handover.ts).
   */
  takeOver?: () => Handoff | void;
}

/** Renders the wizard and resolves with its exit code (0 written, 130 cancelled, 1 failed). */
export async function startWizard(opts: StartOptions): Promise<number> {
  const { stdin, stdout, stderr, colour, takeOver, ...props } = opts;
  let code = 130;
  const interruptRef: { current: (() => void) | null; pending?: boolean } = { current: null };
  const finalRef: { current: ((columns: number, colour: boolean) => string) | null } = { current: null };
  // A SIGINT from outside the terminal (kill -INT) cancels like Ctrl+C does,
  // also while Ink is still mounting (delivered once the wizard can take it).
  const onSigint = () => (interruptRef.current ? interruptRef.current() : (interruptRef.pending = true));
  process.on('SIGINT', onSigint);
  const handed = takeOver?.();
  // Ink's first frame replaces the painted one without erasing it (handover.ts).
  const handover = handed?.painted ? handOver(stdout, handed.painted) : null;
  const instance = render(<WizardApp {...props} initial={handed?.state} initialSpin={handed?.spin} interruptRef={interruptRef} finalRef={finalRef} onExit={(c) => (code = c)} />, {
    stdin,
    stdout,
    stderr,
    exitOnCtrlC: false,
    patchConsole: false,
    // Ink's default 30 fps throttle holds back the frames that follow the
    // first (the probe's results) by up to a frame each; the wizard repaints
    // only on events and a 80 ms spinner, so a higher cap costs nothing.
    maxFps: 120,
    isScreenReaderEnabled: props.plain,
  });
  try {
    await instance.waitUntilExit();
  } finally {
    handover?.end();
    process.off('SIGINT', onSigint);
    instance.cleanup();
    // Ink shows the cursor again on unmount; say it once more in case a
    // terminal missed it, and give the terminal back out of raw mode.
    if (stdout.isTTY) stdout.write('\u001b[?25h');
    if (stdin.isTTY) stdin.setRawMode?.(false);
  }
  // The done screen, whole, in the scrollback: wrapped prose, commands on one line.
  if (finalRef.current) stdout.write(finalRef.current(stdout.columns || 80, colour));
  return code;
}
