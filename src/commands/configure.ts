import type { Args } from '../cli/args.js';
import type { IO } from '../cli/io.js';
import { KgInitError } from '../errors.js';

export async function runConfigure(_args: Args, _io: IO): Promise<number> {
  throw new KgInitError("'configure' is not available in this build yet");
}
