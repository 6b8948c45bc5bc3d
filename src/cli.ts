// Entry of the ES module build (dist/cli.js and its chunks): the whole CLI,
// the wizard included. bin/kg-init.js runs it for the wizard, and for any
// command line dist/cli.cjs (src/main.ts, every command but the wizard) hands
// back. `--version` answers from here without loading anything else; every
// other path imports the CLI proper lazily.
import type { IO } from './cli/io.js';
import { VERSION } from './version.js';
import { armEarlyCancel } from './cli/early-cancel.js';
import { EXIT } from './errors.js';

export { VERSION };

export async function main(argv: readonly string[], io?: IO): Promise<number> {
  if (!io && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // Ctrl+C from here until a command takes over: one line, exit 130 (early-cancel.ts).
  // Headless configure (--yes, -y) has its own handler from the start.
  if (!io && !argv.some((a) => a === '--yes' || a === '-y')) armEarlyCancel();
  const { run } = await import('./cli/run.js');
  // This build holds the wizard, so run() always answers.
  return (await run(argv, io)) ?? EXIT.failure;
}
