// Text that fits the terminal without losing a word: prose wraps at spaces;
// a command, a `quoted span` or a URL is never broken (the terminal wraps it
// if it is wider than a row, so pasting it still runs all of it).

/** Display columns of a string: code points (the symbols used here are one column wide). */
export function textWidth(s: string): number {
  return [...s].length;
}

const COMMAND_WORDS = new Set(['sudo', 'kg-init', 'npx', 'docker', 'nvidia-smi', 'modprobe', 'systemctl', 'cd', 'curl', 'usermod', 'rocminfo', 'amd-smi']);
// Where a command that starts in prose ends.
const COMMAND_END = /  |: |; |, | \(| for | to | or | and then |\. |\.$/;

/** Splits text into the pieces wrapping may not break: words, `spans`, URLs and commands. */
export function atoms(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  let prev = '';
  while (rest.length) {
    rest = rest.replace(/^ +/, '');
    if (!rest) break;
    let atom: string;
    const tick = /^[^\s`]*`[^`]*`[^\s]*/.exec(rest);
    const first = /^\S+/.exec(rest)![0];
    const startsCommand = COMMAND_WORDS.has(first) && (prev === '' || /:$/.test(prev) || /^(run|with|Run|try|Try)$/.test(prev));
    if (tick) atom = tick[0];
    else if (startsCommand) {
      const end = COMMAND_END.exec(rest);
      atom = (end ? rest.slice(0, end.index) : rest).trimEnd();
      if (!atom.includes(' ')) atom = first;
    } else atom = first;
    out.push(atom);
    rest = rest.slice(atom.length);
    prev = atom;
  }
  return out;
}

export interface WrapOptions {
  /** Spaces before every row after the first. */
  indent?: number;
  /** Break a piece wider than a row (for frames that must not be wider than the terminal). */
  hard?: boolean;
}

/**
 * Wraps text to `width` columns at spaces. Words, commands, `spans` and URLs
 * stay whole; one wider than a row gets a row of its own (or, with `hard`,
 * is split across rows with nothing left out).
 */
export function wrap(text: string, width: number, opts: WrapOptions = {}): string[] {
  const indent = opts.indent ?? 0;
  const rows: string[] = [];
  let row = '';
  const limit = () => Math.max(rows.length === 0 ? width : width - indent, 1);
  const push = () => {
    rows.push(rows.length === 0 ? row : ' '.repeat(indent) + row);
    row = '';
  };
  for (const a of atoms(text)) {
    const joined = row ? `${row} ${a}` : a;
    if (textWidth(joined) <= limit()) {
      row = joined;
      continue;
    }
    if (row) push();
    if (textWidth(a) <= limit() || !opts.hard) {
      row = a;
      continue;
    }
    let cps = [...a];
    while (cps.length > limit()) {
      row = cps.slice(0, limit()).join('');
      cps = cps.slice(limit());
      push();
    }
    row = cps.join('');
  }
  if (row || rows.length === 0) push();
  return rows;
}

/** The width to wrap printed text at: the terminal's, else $COLUMNS, else 80. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): number {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const c = Number(env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : 80;
}
