// Entry point of the bundle, kept tiny: `--version` answers from here without
// loading anything else; every other path imports the CLI proper lazily.
import type { IO } from './cli/io.js';
import { VERSION } from './version.js';

export { VERSION };

export async function main(argv: readonly string[], io?: IO): Promise<number> {
  if (!io && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { run } = await import('./cli/run.js');
  return run(argv, io);
}
