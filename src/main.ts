// Every command but the wizard, built as one CommonJS file (dist/cli.cjs) that
// bin/kg-init.js requires: headless --yes, probe, doctor, --help and usage
// errors. One file read and compiled as CommonJS starts some 50 ms sooner than
// the same code as ES module chunks: no ES module loader, no per-chunk link,
// and no ES module facade over each built-in (which reads every export of
// `node:fs` and so loads Node's streams). execa and the YAML parser are files
// of their own (dist/execa.cjs, dist/yaml.cjs), required when first used.
//
// The wizard is not in it: Ink and React are ES modules (yoga's WebAssembly
// loads with a top-level await), so the wizard runs from the ES module build
// (dist/cli.js). When the command line turns out to be the wizard, main()
// returns null and the shim hands it to that build, which parses it again.
import { commandIO } from './cli/io.js';
import { run } from './cli/run.js';
import { armEarlyCancel, endEarlyCancel } from './cli/early-cancel.js';

export async function main(argv: readonly string[]): Promise<number | null> {
  // Ctrl+C from here until a command takes over: one line, exit 130 (early-cancel.ts).
  // Headless configure has its own handler from the start, as before.
  if (!argv.some((a) => a === '--yes' || a === '-y')) armEarlyCancel();
  const code = await run(argv, commandIO());
  if (code === null) endEarlyCancel();
  return code;
}
