// .operator.conf read as text, never sourced or evaluated. Each line keeps its
// exact bytes and terminator; a line is recognised as a simple top-level
// `KEY=value` (optionally `export KEY=value`, quoted, with a trailing comment)
// only when nothing about it needs a shell to interpret. Everything else is
// "logic" and is left alone; we only note which keys such lines might set, so
// that an owned key assigned last by logic is overridden by an appended line
// rather than by editing the user's logic.

export type Eol = '' | '\n' | '\r\n';

export interface SimpleAssignment {
  key: string;
  /** Indentation, `export `, `KEY=` exactly as written. */
  head: string;
  /** The value token as written. */
  raw: string;
  /** Its literal value; null when it expands something (`$`, backticks, `~`). */
  value: string | null;
  /** How the whole value was quoted ('' for bare or mixed). */
  quote: '' | "'" | '"';
  /** Whitespace and comment after the value, as written. */
  tail: string;
}

export interface ConfLine {
  /** The line without its terminator (and without the file's BOM). */
  text: string;
  eol: Eol;
  /** Set for a top-level simple assignment. */
  assignment: SimpleAssignment | null;
  /** Keys this line may set or unset other than as a simple assignment. */
  touches: string[];
}

export interface ConfDoc {
  bom: boolean;
  lines: ConfLine[];
  /** The file's dominant line ending, used for appended lines. */
  eol: '\n' | '\r\n';
  /** The file ends inside a quote, heredoc, block or continuation: appending would be unsafe. */
  openAtEnd: boolean;
}

const BOM = '\uFEFF';
const HEAD_RE = /^([ \t]*)(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=/;
const TAIL_RE = /^[ \t]*(#.*)?$/;
const OPENERS = new Set(['if', 'case', 'for', 'while', 'until', 'select', '{']);
const CLOSERS = new Set(['fi', 'esac', 'done', '}']);
// Words after which the next word is again in command position.
const KEEP_CMD = new Set(['then', 'do', 'else', 'elif', '!', 'time', 'in']);

interface ScanState {
  quote: null | "'" | '"' | "$'";
  continuation: boolean;
  depth: number;
  heredoc: { delim: string; dash: boolean } | null;
  pending: Array<{ delim: string; dash: boolean }>;
}

function splitLines(text: string): Array<{ text: string; eol: Eol }> {
  const out: Array<{ text: string; eol: Eol }> = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      out.push({ text: text.slice(start), eol: '' });
      break;
    }
    const crlf = nl > start && text[nl - 1] === '\r';
    out.push({ text: text.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    start = nl + 1;
  }
  return out;
}

/** Scans one line outside heredocs: updates quote/continuation/heredoc state; returns the unquoted code. */
function scan(s: string, st: ScanState): { code: string; end: number } {
  let code = '';
  let end = s.length;
  st.continuation = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (st.quote === "'") {
      if (ch === "'") st.quote = null;
      continue;
    }
    if (st.quote === "$'") {
      if (ch === '\\') i++;
      else if (ch === "'") st.quote = null;
      continue;
    }
    if (st.quote === '"') {
      if (ch === '\\') {
        if (i === s.length - 1) st.continuation = true;
        i++;
      } else if (ch === '"') st.quote = null;
      continue;
    }
    if (ch === '\\') {
      if (i === s.length - 1) st.continuation = true;
      i++;
      code += '_';
    } else if (ch === "'") {
      st.quote = s[i - 1] === '$' ? "$'" : "'";
      code += '_';
    } else if (ch === '"') {
      st.quote = '"';
      code += '_';
    } else if (ch === '#' && (i === 0 || /[\s;&|()]/.test(s[i - 1]!))) {
      end = i;
      break;
    } else if (ch === '<' && s[i + 1] === '<' && s[i + 2] !== '<') {
      const m = /^<<(-?)[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([A-Za-z0-9_.-]+))/.exec(s.slice(i));
      if (m) {
        st.pending.push({ delim: m[2] ?? m[3] ?? m[4] ?? '', dash: m[1] === '-' });
        i += m[0].length - 1;
        code += ' ';
      } else code += ch;
    } else code += ch;
  }
  return { code, end };
}

/** Tracks if/case/loop/brace nesting from the unquoted code of a line. */
function trackDepth(code: string, st: ScanState): void {
  for (const segment of code.split(/;;|;|&&|\|\||\||&|\(|\)/)) {
    let cmdPos = true;
    for (const word of segment.trim().split(/\s+/)) {
      if (!word) continue;
      if (!cmdPos) break;
      if (OPENERS.has(word)) st.depth++;
      else if (CLOSERS.has(word)) st.depth = Math.max(0, st.depth - 1);
      else if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(word)) continue; // VAR=x cmd: still command position
      else if (!KEEP_CMD.has(word)) cmdPos = false;
    }
  }
}

/** Parses a line as a simple `[export ]KEY=value [# comment]`, or null. */
export function parseAssignment(s: string): SimpleAssignment | null {
  const m = HEAD_RE.exec(s);
  if (!m) return null;
  let j = m[0].length;
  let value = '';
  let dynamic = false;
  const segments: string[] = [];
  if (s[j] === '~') dynamic = true;
  while (j < s.length) {
    const ch = s[j]!;
    if (ch === ' ' || ch === '\t') break;
    if (ch === "'") {
      if (s[j - 1] === '$') return null; // $'...' ANSI-C quoting: leave to the shell
      const k = s.indexOf("'", j + 1);
      if (k === -1) return null;
      value += s.slice(j + 1, k);
      segments.push("'");
      j = k + 1;
    } else if (ch === '"') {
      let k = j + 1;
      for (;;) {
        if (k >= s.length) return null;
        const c = s[k]!;
        if (c === '"') break;
        if (c === '\\') {
          const n = s[k + 1];
          if (n === undefined) return null;
          value += '$`"\\'.includes(n) ? n : `\\${n}`;
          k += 2;
          continue;
        }
        if (c === '$' || c === '`') dynamic = true;
        value += c;
        k++;
      }
      segments.push('"');
      j = k + 1;
    } else if (ch === '\\') {
      const n = s[j + 1];
      if (n === undefined) return null;
      value += n;
      segments.push('');
      j += 2;
    } else if (';&|<>()'.includes(ch)) {
      return null;
    } else {
      if (ch === '$' || ch === '`') dynamic = true;
      value += ch;
      if (segments[segments.length - 1] !== '') segments.push('');
      j++;
    }
  }
  const tail = s.slice(j);
  if (!TAIL_RE.test(tail)) return null;
  const raw = s.slice(m[0].length, j);
  const quote = segments.length === 1 && (segments[0] === '"' || segments[0] === "'") ? segments[0] : '';
  return {
    key: m[3]!,
    head: m[0],
    raw,
    value: dynamic ? null : value,
    quote: quote as SimpleAssignment['quote'],
    tail,
  };
}

/** Keys a non-simple line may assign or unset. */
function touchedKeys(s: string): string[] {
  const keys = new Set<string>();
  for (const m of s.matchAll(/(?<![A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=/g)) keys.add(m[1]!);
  for (const m of s.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?=/g)) keys.add(m[1]!);
  for (const m of s.matchAll(/\b(?:unset|readonly|declare|typeset|local|read)\b([^;&|#]*)/g)) {
    for (const w of m[1]!.split(/\s+/)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) keys.add(w);
  }
  return [...keys];
}

export function parseConf(text: string): ConfDoc {
  const bom = text.startsWith(BOM);
  const body = bom ? text.slice(1) : text;
  const raw = splitLines(body);
  const st: ScanState = { quote: null, continuation: false, depth: 0, heredoc: null, pending: [] };
  let crlf = 0;
  let lf = 0;
  const lines: ConfLine[] = raw.map(({ text: s, eol }) => {
    if (eol === '\r\n') crlf++;
    else if (eol === '\n') lf++;
    if (st.heredoc) {
      const body = st.heredoc.dash ? s.replace(/^\t+/, '') : s;
      if (body === st.heredoc.delim) st.heredoc = st.pending.shift() ?? null;
      return { text: s, eol, assignment: null, touches: [] };
    }
    const clean = st.quote === null && !st.continuation && st.depth === 0;
    const { code, end } = scan(s, st);
    // bash reads a CRLF line's CR as an ordinary character: a backslash before
    // it escapes the CR, so the line does not continue onto the next one.
    if (eol === '\r\n') st.continuation = false;
    trackDepth(code, st);
    if (st.quote === null && st.pending.length) st.heredoc = st.pending.shift() ?? null;
    const assignment = clean && st.quote === null && !st.continuation && st.depth === 0 && !st.heredoc ? parseAssignment(s) : null;
    return { text: s, eol, assignment, touches: assignment ? [] : touchedKeys(s.slice(0, end)) };
  });
  return {
    bom,
    lines,
    eol: crlf > lf ? '\r\n' : '\n',
    openAtEnd: st.quote !== null || st.continuation || st.depth > 0 || st.heredoc !== null,
  };
}

export function serializeConf(doc: ConfDoc): string {
  return (doc.bom ? BOM : '') + doc.lines.map((l) => l.text + l.eol).join('');
}

/** Index of the line that decides a key's value when the file is sourced, or -1. */
export function effectiveLine(doc: ConfDoc, key: string): number {
  for (let i = doc.lines.length - 1; i >= 0; i--) {
    const l = doc.lines[i]!;
    if (l.assignment?.key === key || l.touches.includes(key)) return i;
  }
  return -1;
}

/** The literal value a key has when the file is sourced, when that can be known without a shell. */
export function effectiveValue(doc: ConfDoc, key: string): string | undefined {
  const i = effectiveLine(doc, key);
  const a = i === -1 ? null : doc.lines[i]!.assignment;
  return a && a.key === key && a.value !== null ? a.value : undefined;
}
