// Standard output and error for the commands of dist/cli.cjs (headless --yes,
// probe, doctor, --help): written with write(2) on the descriptor, at once,
// as Node's own streams write to files and terminals (and, on Linux, pipes),
// without building those streams. Building the first one
// costs a run some 3-5 ms (9 ms on a terminal), for output that is a few
// lines written once.
//
// Where the descriptor will not take the bytes now (EAGAIN: a non-blocking
// pipe or terminal that is full), or fails in any way but EPIPE, the rest goes
// through Node's stream, which waits for the descriptor and reports errors as
// it always has. EPIPE (the reader went away: `kg-init ... | head -1`) drops
// the rest quietly, as the shim does for the streams. The wizard keeps Node's
// streams: Ink needs them.
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';

export interface FdWriter {
  readonly isTTY: boolean;
  /** The terminal's width (only asked when isTTY). */
  readonly columns: number | undefined;
  write(text: string): boolean;
}

export function fdWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream): FdWriter {
  let tty: boolean | undefined;
  let viaStream = false;
  let closed = false;
  return {
    get isTTY() {
      return (tty ??= isatty(fd));
    },
    get columns() {
      return this.isTTY ? stream().columns : undefined;
    },
    write(text: string): boolean {
      if (closed) return true;
      if (viaStream) return stream().write(text);
      const bytes = Buffer.from(text, 'utf8');
      let off = 0;
      try {
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') {
          closed = true;
          return true;
        }
        viaStream = true;
        return stream().write(bytes.subarray(off));
      }
    },
  };
}
