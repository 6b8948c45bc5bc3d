// Starts the interactive wizard. Decides where keys come from before Ink is
// loaded: stdin when it is a terminal, else /dev/tty (the `curl | sh` case),
// else a usage error that points at the headless flags; never a hang, never
// Ink's raw-mode error. Ink and React are imported lazily from here (the app
// is its own bundle chunk), after the colour and CI environment is settled.
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import tty from 'node:tty';
import type { Args } from '../cli/args.js';
import { applyColorEnv, colorEnabled } from '../cli/color.js';
import type { IO } from '../cli/io.js';
import { EXIT, KgInitError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import type { InstallState } from '../install/types.js';
import type { Report } from '../report.js';
import type { FixedAnswers, WizardDeps } from './deps.js';
import type { Handoff } from './handover.js';
import { eraseFrame, SPINNER, SPINNER_MS, theme, type FrameText } from './lines.js';
import { CANCELLED_LINE, laidText, layoutScreen, screenFor } from './screens.js';
import { endEarlyCancel } from '../cli/early-cancel.js';
import { initialState, transition, type CheckEvent, type WizardState } from './state.js';

export interface Terminal {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  /** Whether the output is /dev/tty rather than stdout. */
  outputIsDevTty: boolean;
  close(): void;
}

const NO_TERMINAL_HINT = 'Run it headless instead: kg-init --yes --gpu=MODE (auto, nvidia, amd-host, mac, cpu), or see kg-init --help.';

/** Opens /dev/tty, or null when this process has no controlling terminal. */
function openDevTty(): number | null {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return null;
  }
  if (!tty.isatty(fd)) {
    closeSync(fd);
    return null;
  }
  return fd;
}

/** Where the wizard reads keys from and paints to. */
export function openTerminal(io: IO): Terminal {
  const opened: Array<NodeJS.ReadStream | NodeJS.WriteStream> = [];
  let input = io.stdin.isTTY ? (io.stdin as NodeJS.ReadStream) : null;
  let output = io.stdout.isTTY ? (io.stdout as NodeJS.WriteStream) : null;
  let outputIsDevTty = false;
  if (!input) {
    const fd = openDevTty();
    if (fd === null) throw new UsageError('no terminal to run the wizard in (stdin is not a terminal and /dev/tty cannot be opened)', NO_TERMINAL_HINT);
    input = new tty.ReadStream(fd) as NodeJS.ReadStream;
    opened.push(input);
  }
  if (!output) {
    const fd = openDevTty();
    if (fd === null) {
      for (const s of opened) s.destroy();
      throw new UsageError('no terminal to paint the wizard on (stdout is not a terminal and /dev/tty cannot be opened)', NO_TERMINAL_HINT);
    }
    output = new tty.WriteStream(fd) as NodeJS.WriteStream;
    outputIsDevTty = true;
    opened.push(output);
  }
  return {
    input,
    output,
    outputIsDevTty,
    close() {
      for (const s of opened) s.destroy();
    },
  };
}

/**
 * Imports a module with CI and CONTINUOUS_INTEGRATION hidden: Ink decides once,
 * when it loads, that a CI variable means "print only the last frame". A
 * person is at this terminal (we checked), so the wizard must stay live.
 */
export async function importWithoutCi<T>(load: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const saved: Array<[string, string | undefined]> = ['CI', 'CONTINUOUS_INTEGRATION'].map((k) => [k, env[k]]);
  for (const [k] of saved) delete env[k];
  // Hidden too: the global fetch. Yoga (Ink's layout engine) loads its
  // WebAssembly through fetch when there is one, which makes Node load its
  // HTTP client (undici) to read a data: URL; without it yoga decodes the
  // bytes itself, tens of milliseconds sooner. Yoga loads while the chunk is
  // imported (top-level await), so fetch is back before anything else runs.
  const fetchDesc = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (fetchDesc?.configurable) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    for (const [k, v] of saved) if (v !== undefined) env[k] = v;
    if (fetchDesc?.configurable) Object.defineProperty(globalThis, 'fetch', fetchDesc);
  }
}

/** The flags the wizard does not ask about, as answers for the plan. */
export function fixedAnswers(args: Args): FixedAnswers {
  const fixed: FixedAnswers = { registry: args.registry };
  if (args.release) fixed.release = args.release;
  if (args.imageTag) fixed.imageTag = args.imageTag;
  if (args.gpuDeprecatedAlias) fixed.deprecatedAlias = true;
  return fixed;
}

/**
 * The real probe and configure core, bound to this run: the same readInstall,
 * makePlan and applyPlan the headless path uses. KG_INIT_REPORT (a saved
 * report) is honoured as in headless mode; it has no checks to stream.
 */
async function realDeps(args: Args, io: IO): Promise<WizardDeps> {
  const dir = resolve(io.cwd, args.dir ?? '.');
  const { hostReport, openHost, probeReport, readInstall, makePlan, unifiedDiff, applyPlan, memory, platform } = await import('./core.js');
  let report: Report | null = null;
  let install: InstallState | null = null;
  let progress: ((ev: CheckEvent) => void) | null = null;
  return {
    async probe(onCheck, signal) {
      progress = onCheck;
      report = io.env.KG_INIT_REPORT ? await hostReport(io) : await probeReport(await openHost(io.env), signal ? { onCheck, signal } : { onCheck });
      return report;
    },
    async readInstall() {
      const found = await readInstall(dir);
      // A first install fetches the platform's files now (shown beside the probe's checks); nothing is written before the review.
      const fetching = found.platform.kind === 'none';
      const label = 'Platform files';
      if (fetching) progress?.({ id: 'platform-files', label, state: 'running', detail: platform.platformSourceOf({ source: args.platformSource, env: io.env, release: args.release }) });
      try {
        const prep = await platform.preparePlatform(found, {
          source: args.platformSource,
          env: io.env,
          cwd: io.cwd,
          release: args.release,
          version: VERSION,
          onFile: (path, i, n) => progress?.({ id: 'platform-files', label, state: 'running', detail: `${i + 1}/${n} ${path}` }),
        });
        if (fetching) progress?.({ id: 'platform-files', label, state: 'ok', detail: `${prep.files.filter((f) => f.path !== '.env').length} files from ${prep.source}` });
        install = platform.withPlatform(found, prep.files, prep.source);
      } catch (e) {
        if (fetching) progress?.({ id: 'platform-files', label, state: 'fail', detail: e instanceof Error ? e.message : String(e) });
        throw e;
      }
      return install;
    },
    makePlan(answers) {
      if (!report || !install) throw new KgInitError('internal: a plan was asked for before the probe finished');
      return makePlan(report, answers, install, { now: new Date(), version: VERSION });
    },
    async changeSince(r, inst) {
      if (!inst.conf.exists) return [];
      return memory.describeChange(await memory.readMemory(dir, io.env), r).lines;
    },
    async applyPlan(plan, signal) {
      const result = await applyPlan(plan, signal ? { signal } : {});
      // As in headless mode: remember this hardware in the user's config directory too.
      if (result.changed && report) {
        await memory.recordInstall(memory.memoryFor(plan.dir, report, plan, { now: new Date(), version: VERSION }), io.env);
      }
      return result;
    },
    diff: (change) => unifiedDiff(change),
  };
}

/** The probe started before Ink has loaded (probeEarly). */
export interface EarlyProbe {
  /** What the wizard calls: the same probe, the events it has not seen at once, then as they come. */
  deps: WizardDeps;
  /** Stops the probe's tools (Ctrl+C before Ink is up). */
  abort: () => void;
  /**
   * Follows the checks before the wizard does (the frames painted by hand):
   * the events so far at once, then as they come, until the returned
   * function is called; events after that wait for the wizard.
   */
  watch(onCheck: (ev: CheckEvent) => void): () => void;
  /** The probe's report and the install once both are in, with what changed since the last run (as the wizard asks it). */
  settled: Promise<{ report: Report; install: InstallState; change: string[] }>;
}

/**
 * Starts the probe and the install read at once, before Ink has loaded: the
 * checks run while the first frames are painted by hand, and Ink loads after.
 * The wizard's own probe call then gets the events it has not seen at once,
 * the rest as they come, and the same report. `abort` stops the early probe
 * (Ctrl+C before Ink is up).
 */
export function probeEarly(deps: WizardDeps): EarlyProbe {
  const events: CheckEvent[] = [];
  let listener: ((ev: CheckEvent) => void) | null = null;
  const ac = new AbortController();
  const report = deps.probe((ev) => (listener ? listener(ev) : void events.push(ev)), ac.signal);
  const install = deps.readInstall();
  // Handled by the wizard once it asks; never an unhandled rejection before.
  report.catch(() => {});
  install.catch(() => {});
  const listen = (onCheck: (ev: CheckEvent) => void) => {
    for (const ev of events.splice(0)) onCheck(ev);
    listener = onCheck;
  };
  // Asked once, of the one report and install: by the painted frames, or the wizard.
  let change: Promise<string[]> | undefined;
  const changeSince = deps.changeSince && ((r: Report, i: InstallState) => (change ??= deps.changeSince!(r, i)));
  const settled = Promise.all([report, install]).then(async ([r, i]) => ({
    report: r,
    install: i,
    // A nicety, as in the wizard: never let it stop the start.
    change: changeSince ? await changeSince(r, i).catch(() => []) : [],
  }));
  settled.catch(() => {});
  return {
    abort: () => ac.abort(),
    watch(onCheck) {
      listen(onCheck);
      return () => {
        if (listener === onCheck) listener = null;
      };
    },
    settled,
    deps: {
      ...deps,
      probe(onCheck, signal) {
        listen(onCheck);
        if (signal?.aborted) ac.abort();
        else signal?.addEventListener('abort', () => ac.abort(), { once: true });
        return report;
      },
      readInstall: () => install,
      ...(changeSince ? { changeSince } : {}),
    },
  };
}

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
/** Synchronized update: the terminal shows a repainted frame whole, as Ink writes its frames. */
const BEGIN_SYNC = '\u001b[?2026h';
const END_SYNC = '\u001b[?2026l';
const CTRL_C = 0x03;

/**
 * The wizard's start-up, before Ink reads the keys and paints: Ctrl+C, and
 * the frames painted by hand meanwhile.
 *
 * Keys: from the moment the wizard owns the terminal it is raw: Ctrl+C is the
 * byte 0x03 (no SIGINT from the keyboard, no ^C echoed, no output thrown away
 * by the terminal), read here until Ink reads keys. A SIGINT (kill -INT, or
 * Ctrl+C pressed just before the terminal went raw) is taken the same way.
 * Either stops the probe's tools, clears the painted frame, prints the
 * cancelled line, gives the terminal back (cursor shown, raw mode off) and
 * exits 130: nothing has been written. Other keys typed meanwhile are handed
 * to Ink, and ask for it at once (`inkWanted`).
 *
 * Frames: loading React and Ink takes several times Node's own start-up, and
 * a person should see the wizard at once. The probe screen is painted by hand
 * (screens.ts, as Ink renders it, byte for byte what Ink writes for it): the
 * first frame, each check as it reports, the spinner, and the recommendation
 * once the probe and the install read are done. Ink is loaded then (or at the
 * first key): loaded while the probe runs, it would take the main thread from
 * the probe. Ink takes the frame on screen over as its own first frame
 * (handover.ts), in the state it shows.
 */
export class StartupGuard {
  private held: Buffer[] = [];
  private painted: FrameText | null = null;
  private state: WizardState | null = null;
  private spin = 0;
  private ticker: NodeJS.Timeout | null = null;
  private repaintQueued = false;
  private armed = false;
  /** A key came before the recommendation was on screen: it is not applied to one painted after it. */
  private keyedEarly = false;
  private unwatch: () => void = () => {};
  private wantInk: () => void = () => {};
  /** Settles when the wizard needs Ink: a key was typed, or the probe has ended (its outcome painted, or an error for Ink to show). */
  readonly inkWanted = new Promise<void>((resolve) => (this.wantInk = resolve));
  /** Stops the early probe (set once it runs). */
  abort: () => void = () => {};

  constructor(
    private readonly term: Terminal,
    private readonly plain: boolean,
    private readonly colour: boolean,
    private readonly version: string = VERSION,
  ) {}

  /** Takes SIGINT and the terminal's keys; the caller paints next. */
  arm(): void {
    this.armed = true;
    process.on('SIGINT', this.cancel);
    const input = this.term.input;
    if (input.isTTY) input.setRawMode(true);
    // Read as Ink does ('readable', not 'data'): pausing a flowing stdin
    // would stop its reads, and Ink would wait for keys that never come.
    input.on('readable', this.onReadable);
    this.term.output.on('resize', this.repaint);
  }

  /** Paints the first frame: the probe screen before any check has reported. */
  paint(state: WizardState = initialState()): FrameText {
    this.state = state;
    this.repaint();
    return this.painted!;
  }

  /** Paints the early probe's checks as they come, then its outcome (the recommendation); Ink is wanted then. */
  follow(early: EarlyProbe): void {
    this.unwatch = early.watch((check) => {
      if (!this.state) return;
      this.state = transition(this.state, { type: 'check', check }).state;
      // Checks come in bursts: one frame for those of one turn of the event loop.
      if (!this.repaintQueued) {
        this.repaintQueued = true;
        setImmediate(() => {
          this.repaintQueued = false;
          this.repaint();
        });
      }
    });
    early.settled.then(
      ({ report, install, change }) => {
        // After an early key, Ink (on its way) shows the outcome, as it always did.
        if (this.state && !this.keyedEarly) {
          this.state = transition(this.state, { type: 'probed', report, install, change }).state;
          this.repaint();
        }
        this.wantInk();
      },
      // A failed probe or install read is Ink's to show (its error screen).
      () => this.wantInk(),
    );
  }

  /** Hands the keys typed so far, the frame on screen and its state to whoever reads and paints the terminal next (Ink); stops watching and painting. */
  release(): Handoff {
    const handoff: Handoff = { painted: this.painted, state: this.state, spin: this.spin };
    this.stopPainting();
    this.painted = null;
    this.state = null;
    if (!this.armed) return handoff;
    this.armed = false;
    process.off('SIGINT', this.cancel);
    const input = this.term.input;
    input.off('readable', this.onReadable);
    if (this.held.length) input.unshift(Buffer.concat(this.held));
    this.held = [];
    return handoff;
  }

  /** Clears what was painted, for an error to be said in its place. */
  clear(): void {
    this.stopPainting();
    if (this.painted) this.term.output.write(eraseFrame(this.painted) + (this.plain ? '' : SHOW_CURSOR));
    this.painted = null;
    this.state = null;
  }

  private stopPainting(): void {
    this.unwatch();
    this.term.output.off('resize', this.repaint);
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** Paints the state over the frame on screen; keeps the spinner turning while a check runs. */
  private readonly repaint = (): void => {
    const state = this.state;
    if (!state) return;
    const out = this.term.output;
    const size = { columns: out.columns || 80, rows: out.rows || 24 };
    const ctx = { size, theme: theme(this.plain), spin: this.plain ? 'running:' : SPINNER[this.spin]!, fixed: { registry: '' }, diff: () => '', cwd: '', version: this.version };
    const frame = laidText(layoutScreen(screenFor(state, ctx), size, this.plain, state.scroll), this.colour, this.plain);
    const before = this.painted;
    this.painted = frame;
    if (!before) out.write((this.plain ? '' : HIDE_CURSOR) + frame.text);
    else if (before.text !== frame.text) out.write(BEGIN_SYNC + eraseFrame(before) + frame.text + END_SYNC);
    // As the wizard's spinner (app.tsx): it turns while a check runs.
    const running = state.checks.some((c) => c.state === 'running') || !state.report;
    if (running && !this.plain && !this.ticker) {
      this.ticker = setInterval(() => {
        this.spin = (this.spin + 1) % SPINNER.length;
        this.repaint();
      }, SPINNER_MS);
      this.ticker.unref();
    } else if (!running && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  };

  private readonly onReadable = (): void => {
    let chunk: Buffer | string | null;
    while ((chunk = this.term.input.read() as Buffer | string | null) !== null) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (bytes.includes(CTRL_C)) this.cancel();
      this.held.push(bytes);
      if (!this.state?.report) this.keyedEarly = true;
      // Keys are Ink's to read: load it now.
      this.wantInk();
    }
  };

  private readonly cancel = (): never => {
    this.abort();
    this.stopPainting();
    const out = this.term.output;
    // Nothing painted yet: the terminal may have echoed ^C on this line (it was not raw yet).
    const clear = this.painted ? eraseFrame(this.painted) : '\r\u001b[K';
    // One line, for the terminal to wrap: the same words whenever Ctrl+C comes.
    out.write(`${clear}${CANCELLED_LINE}\n${SHOW_CURSOR}`);
    if (this.term.input.isTTY) this.term.input.setRawMode(false);
    process.exit(EXIT.cancelled);
  };
}

/** After a successful run: when the platform is running, the command that proves its GPU path (doctor --runtime). Never fails the wizard. */
async function offerRuntimeCheck(args: Args, io: IO, out: NodeJS.WriteStream): Promise<void> {
  try {
    const [{ openHost }, { readInstall }, { runtimeOffer }, { kgInit }] = await Promise.all([
      import('../host/index.js'), import('../install/read.js'), import('../doctor/runtime-offer.js'), import('../present/shell.js'),
    ]);
    const line = await runtimeOffer(await openHost(io.env), await readInstall(resolve(io.cwd, args.dir ?? '.')), kgInit());
    if (line) out.write(`${line}\n`);
  } catch {
    /* an offer, not a check: nothing to report */
  }
}

export async function runWizard(args: Args, io: IO, injected?: WizardDeps): Promise<number> {
  const term = openTerminal(io);
  // Colour is decided before Ink's colour library loads: it ignores NO_COLOR.
  applyColorEnv(args.noColor, io.env);
  if (term.outputIsDevTty && io.env.FORCE_COLOR === undefined && colorEnabled(true, args.noColor, io.env)) io.env.FORCE_COLOR = '1';
  const colour = colorEnabled(true, args.noColor, io.env);
  const plain = args.plain || io.env.INK_SCREEN_READER === 'true' || io.env.TERM === 'dumb';
  const preferred = args.gpu === 'auto' ? null : args.gpu;
  const guard = new StartupGuard(term, plain, colour);
  try {
    // Ctrl+C from here on cancels cleanly (the guard), then Ink's keys do.
    guard.arm();
    endEarlyCancel();
    guard.paint(initialState({ preferred }));
    // The probe starts as soon as its modules are in; its checks and its
    // recommendation are painted by hand (the guard). Ink loads once it is
    // wanted (the probe has ended, or a key came), takes over the frame on
    // screen and the keys typed meanwhile, and the wizard goes on from there.
    const [deps, { startWizard }] = await Promise.all([
      (injected ? Promise.resolve(injected) : realDeps(args, io)).then((d) => {
        const early = probeEarly(d);
        guard.abort = early.abort;
        guard.follow(early);
        return early.deps;
      }),
      guard.inkWanted.then(() => importWithoutCi(() => import('./app.js'), io.env)),
    ]);
    const code = await startWizard({
      takeOver: () => guard.release(),
      deps,
      fixed: fixedAnswers(args),
      preferred,
      plain,
      colour,
      cwd: io.cwd,
      version: VERSION,
      stdin: term.input,
      stdout: term.output,
      stderr: process.stderr,
    });
    if (code === EXIT.ok && !injected) await offerRuntimeCheck(args, io, term.output);
    return code;
  } catch (e) {
    // Failed before Ink took over: leave no half-drawn wizard behind.
    guard.abort();
    guard.clear();
    guard.release();
    if (term.input.isTTY) term.input.setRawMode(false);
    term.input.pause(); // stops reading, so that the process can end
    throw e;
  } finally {
    term.close();
  }
}
