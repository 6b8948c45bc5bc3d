// Turns any error into one or two readable lines on stderr and an exit code:
// KgInitError says what to do next; anything else is a bug, reported as such
// (its stack only with KG_INIT_DEBUG). Shared by run() and the headless entry.
import type { IO } from './io.js';
import { EXIT, KgInitError } from '../errors.js';
import { kgInit, suggest } from '../present/shell.js';
import { sanitizeText } from '../util/sanitize.js';

export function reportError(e: unknown, io: IO, red: (s: string) => string): number {
  if (e instanceof KgInitError) {
    // Messages carry paths and values from the host: never a raw control character.
    io.stderr.write(`${red('kg-init:')} ${suggest(sanitizeText(e.message))}\n`);
    if (e.hint) io.stderr.write(`${suggest(sanitizeText(e.hint))}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.stderr.write(`${red('kg-init: unexpected error:')} ${sanitizeText(msg)}\n`);
  io.stderr.write(`This is a bug in kg-init; please report it with the output of \`${kgInit()} probe --json\`.\n`);
  if (io.env.KG_INIT_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return EXIT.failure;
}
