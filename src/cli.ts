// Entry of the ES module build (dist/cli.js and its chunks): the wizard.
// bin/kg-init.js runs it for a command line that is most likely the wizard, and
// for the wizard's command lines dist/cli.cjs (src/main.ts, every other
// command) hands back; what turns out to be another command is handed to
// dist/cli.cjs from here. run() and the wizard's launcher are imported
// statically, so they are in this file: the first frame is painted after
// reading it and a few chunks it shares with the Ink app, not twenty-odd.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { IO } from './cli/io.js';
import { VERSION } from './version.js';
import { armEarlyCancel } from './cli/early-cancel.js';
import { EXIT } from './errors.js';
import { run } from './cli/run.js';
import { runWizard } from './wizard/launch.js';

export { VERSION };

export async function main(argv: readonly string[], io?: IO): Promise<number> {
  if (!io && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // Ctrl+C from here until a command takes over: one line, exit 130 (early-cancel.ts).
  // Headless configure (--yes, -y) has its own handler from the start.
  if (!io && !argv.some((a) => a === '--yes' || a === '-y')) armEarlyCancel();
  const code = await run(argv, io, { wizard: runWizard });
  if (code !== null) return code;
  // Not the wizard after all: dist/cli.cjs beside this file holds every other command.
  const { requireCli } = createRequire(import.meta.url)('./boot.cjs') as typeof import('./boot.js');
  const cli = requireCli(fileURLToPath(new URL('./cli.cjs', import.meta.url))) as typeof import('./main.js');
  return (await cli.main(argv)) ?? EXIT.failure;
}
