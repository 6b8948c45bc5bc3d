// Parses arguments, dispatches, and turns every error into one or two
// readable lines and an exit code. Each command is its own lazily imported
// chunk, so a run loads only what it uses (doctor's YAML parser, the probe,
// the writer); Ink and React load only when a person is at a terminal, and
// zod only where a value is validated (not for --help or --version).
import { parseCommandLine, type Args } from './options.js';
import { helpText } from './help.js';
import { processIO, styles, type IO } from './io.js';
import { EXIT } from '../errors.js';
import { reportError } from './report-error.js';
import { VERSION } from '../version.js';
import { setCommandName } from '../present/shell.js';
import { outputWidth } from '../present/wrap.js';
import { endEarlyCancel } from './early-cancel.js';

export interface RunOptions {
  /**
   * The wizard, which only dist/cli.js holds: src/cli.ts imports it statically
   * and passes it in, so it is in the entry file rather than a chunk of its own.
   */
  wizard?: (args: Args, io: IO) => Promise<number>;
}

/**
 * Runs one command line and returns its exit code, or null where this build
 * does not hold the command (the wizard without `opts.wizard`, as in
 * dist/cli.cjs; the other commands in dist/cli.js): nothing has been written
 * or shown then.
 */
export async function run(argv: readonly string[], io: IO = processIO(), opts: RunOptions = {}): Promise<number | null> {
  let args: Args;
  const noColorFlag = argv.includes('--no-color');
  const { out, err } = styles(io, noColorFlag);
  setCommandName(io.env);
  try {
    args = await parseCommandLine(argv);
  } catch (e) {
    return reportError(e, io, err.red);
  }
  if (args.version) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (args.help) {
    io.stdout.write(helpText(VERSION, out, args.command, outputWidth(io.stdout, io.env)));
    return EXIT.ok;
  }
  // The wizard ends the start-up's Ctrl+C handling once its own is in place; every other command now.
  if (args.command !== 'main' || args.yes) endEarlyCancel();
  try {
    // Each build holds one side: dist/cli.cjs every command but the wizard,
    // dist/cli.js the wizard (scripts/build.mjs sets __KG_INIT_COMMANDS__, and
    // esbuild drops the commands' imports there). null: the other build's.
    switch (args.command) {
      case 'probe':
        return __KG_INIT_COMMANDS__ ? await (await import('../commands/probe.js')).runProbe(args, io) : null;
      case 'doctor':
        return __KG_INIT_COMMANDS__ ? await (await import('../commands/doctor.js')).runDoctor(args, io) : null;
      case 'main':
        if (args.yes) return __KG_INIT_COMMANDS__ ? await (await import('../commands/configure.js')).runConfigure(args, io) : null;
        return opts.wizard ? await opts.wizard(args, io) : null;
    }
  } catch (e) {
    return reportError(e, io, err.red);
  }
}
