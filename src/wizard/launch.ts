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
import { eraseFrame, frameText, theme, type FrameText } from './lines.js';
import { CANCELLED_LINE, probeScreen } from './screens.js';
import { endEarlyCancel } from '../cli/early-cancel.js';
import { initialState, type CheckEvent } from './state.js';

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
  const [{ hostReport }, { openHost }, { probeReport }, { readInstall }, { makePlan }, { unifiedDiff }, { applyPlan }, memory, platform] = await Promise.all([
    import('../commands/report-source.js'),
    import('../host/index.js'),
    import('../assess/report.js'),
    import('../install/read.js'),
    import('../plan/make.js'),
    import('../plan/diff.js'),
    import('../apply/apply.js'),
    import('../state/memory.js'),
    import('../platform/install.js'),
  ]);
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

/**
 * Starts the probe and the install read at once, before Ink has loaded, so
 * the checks run while React and Ink are compiled. The wizard's own probe
 * call then gets the events so far at once, the rest as they come, and the
 * same report. `abort` stops the early probe (Ctrl+C before Ink is up).
 */
export function probeEarly(deps: WizardDeps): { deps: WizardDeps; abort: () => void } {
  const events: CheckEvent[] = [];
  let listener: ((ev: CheckEvent) => void) | null = null;
  const ac = new AbortController();
  const report = deps.probe((ev) => (listener ? listener(ev) : void events.push(ev)), ac.signal);
  const install = deps.readInstall();
  // Handled by the wizard once it asks; never an unhandled rejection before.
  report.catch(() => {});
  install.catch(() => {});
  return {
    abort: () => ac.abort(),
    deps: {
      ...deps,
      probe(onCheck, signal) {
        for (const ev of events.splice(0)) onCheck(ev);
        listener = onCheck;
        if (signal?.aborted) ac.abort();
        else signal?.addEventListener('abort', () => ac.abort(), { once: true });
        return report;
      },
      readInstall: () => install,
    },
  };
}

/**
 * Paints the wizard's first frame (the probe screen, before any check has
 * reported) with plain writes: loading React and Ink takes several times
 * Node's own start-up, and a person should see the wizard at once. Ink takes
 * it over as its own first frame (handover.ts). Returns what was painted.
 */
export function paintFirstFrame(out: NodeJS.WriteStream, plain: boolean, colour: boolean): FrameText {
  const size = { columns: out.columns || 80, rows: out.rows || 24 };
  const ctx = { size, theme: theme(plain), spin: plain ? 'running:' : '⠋', fixed: { registry: '' }, diff: () => '', cwd: '', version: VERSION };
  const screen = probeScreen(initialState(), ctx);
  const frame = frameText(screen.title, screen.body, screen.footer, size, colour, plain);
  out.write((plain ? '' : HIDE_CURSOR) + frame.text);
  return frame;
}

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const CTRL_C = 0x03;

/**
 * Ctrl+C while the wizard starts, before Ink reads the keys. From the moment
 * the wizard owns the terminal it is raw: Ctrl+C is the byte 0x03 (no SIGINT
 * from the keyboard, no ^C echoed, no output thrown away by the terminal),
 * read here until Ink reads keys. A SIGINT (kill -INT, or Ctrl+C pressed
 * just before the terminal went raw) is taken the same way. Either stops the
 * probe's tools, clears the painted frame, prints the cancelled line, gives
 * the terminal back (cursor shown, raw mode off) and exits 130: nothing has
 * been written. Other keys typed meanwhile are handed to Ink.
 */
export class StartupGuard {
  private held: Buffer[] = [];
  private painted: FrameText | null = null;
  private armed = false;
  /** Stops the early probe (set once it runs). */
  abort: () => void = () => {};

  constructor(
    private readonly term: Terminal,
    private readonly plain: boolean,
    private readonly colour: boolean,
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
  }

  /** The frame now on screen, cleared on cancel. */
  paint(): FrameText {
    this.painted = paintFirstFrame(this.term.output, this.plain, this.colour);
    return this.painted;
  }

  /** Hands the keys typed so far, and the painted frame, to whoever reads and paints the terminal next (Ink); stops watching. */
  release(): void {
    this.painted = null;
    if (!this.armed) return;
    this.armed = false;
    process.off('SIGINT', this.cancel);
    const input = this.term.input;
    input.off('readable', this.onReadable);
    if (this.held.length) input.unshift(Buffer.concat(this.held));
    this.held = [];
  }

  /** Clears what was painted, for an error to be said in its place. */
  clear(): void {
    if (this.painted) this.term.output.write(eraseFrame(this.painted) + (this.plain ? '' : SHOW_CURSOR));
    this.painted = null;
  }

  private readonly onReadable = (): void => {
    let chunk: Buffer | string | null;
    while ((chunk = this.term.input.read() as Buffer | string | null) !== null) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (bytes.includes(CTRL_C)) this.cancel();
      this.held.push(bytes);
    }
  };

  private readonly cancel = (): never => {
    this.abort();
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
  const guard = new StartupGuard(term, plain, colour);
  try {
    // Ctrl+C from here on cancels cleanly (the guard), then Ink's keys do.
    guard.arm();
    endEarlyCancel();
    const painted = guard.paint();
    // Load the Ink app and the deps side by side; the probe starts as soon as
    // its modules are in (while Ink is still loading), Ink takes over the
    // painted frame, and the checks stream in.
    const [{ startWizard }, deps] = await Promise.all([
      importWithoutCi(() => import('./app.js'), io.env),
      injected ??
        realDeps(args, io).then((d) => {
          const early = probeEarly(d);
          guard.abort = early.abort;
          return early.deps;
        }),
    ]);
    const code = await startWizard({
      takeOver: () => guard.release(),
      prepainted: painted,
      deps,
      fixed: fixedAnswers(args),
      preferred: args.gpu === 'auto' ? null : args.gpu,
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
