// The headless `kg-init --yes` path as one module graph. scripts/build.mjs
// bundles it into a single file (dist/headless.js, no code splitting), so a
// headless run loads one file instead of the twenty-odd chunks the split build
// spreads the same code over: each chunk is a separate read, compile and link
// in Node's ESM loader, and together they cost about a sixth of the run.
//
// It answers only a command line that parses as `--yes` on the main command
// (no --help, no --version); for anything else, a usage error included, it
// returns null and cli.ts hands the command line to run(), which says the same
// as it always has.
import { parseCommandLine, type Args } from './cli/options.js';
import { processIO, styles } from './cli/io.js';
import { reportError } from './cli/report-error.js';
import { runConfigure } from './commands/configure.js';
import { setCommandName } from './present/shell.js';

export async function runHeadless(argv: readonly string[]): Promise<number | null> {
  let args: Args;
  try {
    args = await parseCommandLine(argv);
  } catch {
    return null;
  }
  if (args.command !== 'main' || !args.yes || args.help || args.version) return null;
  const io = processIO();
  setCommandName(io.env);
  try {
    return await runConfigure(args, io);
  } catch (e) {
    return reportError(e, io, styles(io, args.noColor).err.red);
  }
}
