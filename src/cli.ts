// Entry point of the bundle, kept tiny: `--version` answers from here without
// loading anything else; every other path imports the CLI proper lazily.
import type { IO } from './cli/io.js';
import { VERSION } from './version.js';
import { armEarlyCancel } from './cli/early-cancel.js';

export { VERSION };

export async function main(argv: readonly string[], io?: IO): Promise<number> {
  if (!io && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // Headless configure has a bundle of its own (see headless.ts). Only --yes
  // and -y set it (the parser refuses --yes=x and -yz), so without either the
  // command line cannot be one and that bundle is not loaded.
  const headless = argv.some((a) => a === '--yes' || a === '-y');
  // Ctrl+C from here until a command takes over: one line, exit 130 (early-cancel.ts).
  if (!io && !headless) armEarlyCancel();
  if (!io && headless) {
    const code = await (await import('./headless.js')).runHeadless(argv);
    if (code !== null) return code;
  }
  const { run } = await import('./cli/run.js');
  return run(argv, io);
}
