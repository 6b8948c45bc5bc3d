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
 * Runs one command line and returns its exit code, or null where the command
 * line is the wizard and this build does not hold it (dist/cli.cjs, src/main.ts):
 * nothing has been written or shown then.
 */
export async function run(argv: readonly string[], io: IO = processIO()): Promise<number | null> {
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
    switch (args.command) {
      case 'probe':
        return await (await import('../commands/probe.js')).runProbe(args, io);
      case 'doctor':
        return await (await import('../commands/doctor.js')).runDoctor(args, io);
      case 'main':
        if (args.yes) return await (await import('../commands/configure.js')).runConfigure(args, io);
        // The wizard is in the ES module build only (scripts/build.mjs sets
        // __KG_INIT_WIZARD__, and esbuild drops the import from the other build).
        return __KG_INIT_WIZARD__ ? await (await import('../wizard/launch.js')).runWizard(args, io) : null;
    }
  } catch (e) {
    return reportError(e, io, err.red);
  }
}
