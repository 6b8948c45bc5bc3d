// Sections of an ID database in the pci.ids format (the file lspci reads):
// a top-level line "<id>  <name>" followed by tab-indented lines that belong
// to it. Only the sections asked for are kept: the file is about 1.3 MB and
// a probe needs a few vendors of it, so the live host scans it in chunks and
// stops once past the last of them, and a recorded host carries only that
// excerpt (itself a valid file of the same format).

/** Keeps the sections whose top-level id is in `keys` (lower-case hex, e.g. "10de"). */
export class IdSectionScanner {
  private readonly keys: Set<string>;
  private readonly last: string;
  private keep = false;
  private partial = '';
  readonly out: string[] = [];
  done = false;

  constructor(keys: Iterable<string>) {
    this.keys = new Set([...keys].map((k) => k.toLowerCase()));
    this.last = [...this.keys].sort().pop() ?? '';
  }

  private line(l: string): void {
    if (l.startsWith('\t')) {
      if (this.keep) this.out.push(l);
      return;
    }
    if (l === '' || l.startsWith('#')) return;
    const m = /^([0-9a-f]{4})\s/.exec(l);
    if (!m) {
      // Another kind of section (the "C <class>" list at the end): vendors are over.
      this.keep = false;
      if (/^C\s/.test(l)) this.done = true;
      return;
    }
    this.keep = this.keys.has(m[1]!);
    if (this.keep) this.out.push(l);
    // The file is sorted by id: nothing wanted comes after the last key.
    else if (m[1]! > this.last) this.done = true;
  }

  /** Feeds text; returns false once nothing more can match. */
  push(text: string): boolean {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) {
      this.line(l.replace(/\r$/, ''));
      if (this.done) return false;
    }
    return true;
  }

  finish(): string {
    if (!this.done && this.partial) this.line(this.partial.replace(/\r$/, ''));
    this.partial = '';
    return this.out.length ? `${this.out.join('\n')}\n` : '';
  }
}

/** The sections of `text` whose id is in `keys`, as pci.ids text. */
export function idSections(text: string, keys: Iterable<string>): string {
  const s = new IdSectionScanner(keys);
  s.push(text);
  return s.finish();
}
