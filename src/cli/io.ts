// The process surface a command touches, injectable for tests.
import { colorEnabled, makeStyle, type Style } from './color.js';
import { fdWriter } from './fd-writer.js';

export interface IO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: Node builds process.stdin on first access (a stream over the
    // terminal, pipe or file), which only the wizard needs; --help, --yes and
    // the subcommands never read it and should not pay for it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * processIO for the commands of dist/cli.cjs: standard output and error
 * written to their descriptors (./fd-writer.ts), so that a run builds neither
 * of Node's streams unless it must.
 */
export function commandIO(): IO {
  return {
    stdout: fdWriter(1, () => process.stdout) as unknown as IO['stdout'],
    stderr: fdWriter(2, () => process.stderr) as unknown as IO['stderr'],
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

export function styles(io: IO, noColor: boolean): { out: Style; err: Style } {
  return {
    out: makeStyle(colorEnabled(io.stdout.isTTY, noColor, io.env)),
    err: makeStyle(colorEnabled(io.stderr.isTTY, noColor, io.env)),
  };
}
