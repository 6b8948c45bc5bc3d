// Command-line parsing, the public face: the option table and parser of
// ./options.ts, and parseArgs with the zod value checks of ./values.ts built in.
// The CLI itself calls parseCommandLine, which loads those checks (and zod)
// only when the command line carries a value to check.
import { parseArgsWith, type Args } from './options.js';
import { checkValue } from './values.js';

export * from './options.js';

/** Parses argv; throws a UsageError (exit 2) on anything it cannot accept. */
export function parseArgs(argv: readonly string[]): Args {
  return parseArgsWith(argv, checkValue);
}
