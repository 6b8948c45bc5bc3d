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

/**
 * Runs one command line and returns its exit code, or null where this build
 * does not hold the command (the wizard in dist/cli.cjs, the other commands
 * in dist/cli.js): nothing has been written or shown then.
 */
export interface RunOptions {
  /**
   * The wizard, for a build that imports it statically (dist/cli.js: then it is
   * in the entry file, not a chunk of its own read before the first frame).
   */
  wizard?: (args: Args, io: IO) => Promise<number>;
}

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
    // Each build holds one side (scripts/build.mjs sets the two constants, and
    // esbuild drops the other side's imports): dist/cli.cjs every command but
    // the wizard, dist/cli.js the wizard. null: the other build's command line.
    switch (args.command) {
      case 'probe':
        return __KG_INIT_COMMANDS__ ? await (await import('../commands/probe.js')).runProbe(args, io) : null;
      case 'doctor':
        return __KG_INIT_COMMANDS__ ? await (await import('../commands/doctor.js')).runDoctor(args, io) : null;
      case 'main':
        if (args.yes) return __KG_INIT_COMMANDS__ ? await (await import('../commands/configure.js')).runConfigure(args, io) : null;
        if (opts.wizard) return await opts.wizard(args, io);
        return __KG_INIT_WIZARD__ ? await (await import('../wizard/launch.js')).runWizard(args, io) : null;
    }
  } catch (e) {
    return reportError(e, io, err.red);
  }
}
