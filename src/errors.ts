// Errors a user sees: one or two lines, what went wrong and what to do next,
// with the exit code the process ends with. Never a stack trace.

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  blocked: 3,
  cancelled: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class KgInitError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    /** The next thing to try, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'KgInitError';
  }
}

export class UsageError extends KgInitError {
  constructor(message: string, hint = "Run 'kg-init --help' for usage.") {
    super(message, EXIT.usage, hint);
    this.name = 'UsageError';
  }
}

/** Turns an fs error into a one-line message naming the path. */
export function describeFsError(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${path}`;
    case 'EROFS':
      return `read-only file system: ${path}`;
    case 'ENOSPC':
      return `no space left on device writing ${path}`;
    case 'EDQUOT':
      return `disk quota exceeded writing ${path}`;
    case 'EISDIR':
      return `${path} is a directory, expected a file`;
    case 'ENOTDIR':
      return `a parent of ${path} is not a directory`;
    case 'ENOENT':
      return `no such file or directory: ${path}`;
    default:
      return `${(err as Error | undefined)?.message ?? String(err)} (${path})`;
  }
}
