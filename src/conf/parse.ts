// .operator.conf read as text, never sourced or evaluated. One pass over the
// characters, in the order bash reads them: quotes, `$( )`, `` ` ` ``,
// `${ }`, `$(( ))`, subshells, `{ }`, if/case/loops, function bodies,
// heredocs, comments and line continuations are followed with a stack, so a
// line inside any of them is never taken for a top-level assignment. Every
// place a variable may be set, unset or given attributes is recorded as a
// Touch with its context (top level, conditional, function, subshell...);
// src/conf/edit.ts decides from them what kg-init may read and write.
//
// A line is a simple assignment (editable in place) only when it starts and
// ends at top level and is exactly `[export ]KEY=value [# comment]`.
// Lines end at '\n' only: bash reads a CR as an ordinary character, so in a
// CRLF file `GPU_MODE=cpu\r` has the value "cpu\r", and we read it so too.
// The work per character is constant (no regex over the rest of the file), so
// the parse is linear in the file's size.

export type Eol = '' | '\n';

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
  /** The line without its '\n' (and without the file's BOM). */
  text: string;
  eol: Eol;
  /** Set for a top-level simple assignment. */
  assignment: SimpleAssignment | null;
  /** Keys this line may set or unset other than as a simple assignment. */
  touches: string[];
}

/** Where a variable is touched, as bash would run it. */
export type TouchContext =
  | 'top' // straight-line top level
  | 'conditional' // inside if/case/a loop/{ }: runs or not
  | 'function' // inside a function body: runs when called
  | 'subshell' // ( ... ), a pipeline's or `&`'s subshell: bash discards it
  | 'substitution' // $( ), ` `, <( ): bash discards it
  | 'arithmetic'; // (( )) / $(( ))

export type TouchKind =
  | 'assign' // KEY=..., KEY+=..., KEY[i]=...
  | 'attribute' // readonly, declare, typeset, local
  | 'other' // unset, export, read, eval, printf -v, ${KEY:=...}...
  | 'end'; // return / exit: sourcing stops here

export interface Touch {
  /** 0-based line index where the word starts. */
  line: number;
  /** The variable name ('' for kind 'end'). */
  key: string;
  kind: TouchKind;
  context: TouchContext;
  /** For 'assign': the value expands something ($, backticks, ~). */
  dynamic: boolean;
  /** The command word for 'attribute'/'other'/'end' ('readonly', 'unset', 'return'...). */
  command: string;
}

export interface ConfDoc {
  bom: boolean;
  /**
   * Every line. Made on first use: reading a big file's owned keys needs only
   * the few lines that set them (`line(i)`), not an object per line.
   */
  lines: ConfLine[];
  /** How many lines. */
  readonly count: number;
  /** lines[i], made alone when `lines` is not made yet. */
  line(i: number): ConfLine;
  /**
   * The lines that can hold a simple assignment or a touch of a key the parse
   * recorded, ascending: those with a recorded touch (every line, for a parse
   * of all keys).
   */
  candidates(): Iterable<number>;
  /** Line ending used for appended lines. */
  eol: '\n';
  /** The file ends inside a quote, heredoc, block or continuation: appending would be unsafe. */
  openAtEnd: boolean;
  /** Every place a variable may be set, in file order. */
  touches: Touch[];
  /** Offset of each line in the text (after the BOM). */
  starts: ArrayLike<number>;
}

class Doc implements ConfDoc {
  readonly eol = '\n' as const;
  #all: ConfLine[] | null = null;
  readonly #made = new Map<number, ConfLine>();
  constructor(
    readonly bom: boolean,
    readonly openAtEnd: boolean,
    readonly touches: Touch[],
    readonly starts: ArrayLike<number>,
    readonly count: number,
    /** Lines with a recorded touch, ascending; null when every key was recorded. */
    readonly marked: readonly number[] | null,
    readonly make: (i: number) => ConfLine,
  ) {
    // The lines that set or touch a recorded key are looked at more than once: made once.
    for (const i of marked ?? []) this.#made.set(i, make(i));
  }
  get lines(): ConfLine[] {
    return (this.#all ??= Array.from({ length: this.count }, (_, i) => this.#made.get(i) ?? this.make(i)));
  }
  set lines(lines: ConfLine[]) {
    this.#all = lines;
  }
  line(i: number): ConfLine {
    return this.#all ? this.#all[i]! : (this.#made.get(i) ?? this.make(i));
  }
  *candidates(): Iterable<number> {
    if (this.marked) yield* this.marked;
    else for (let i = 0; i < this.count; i++) yield i;
  }
}

const BOM = '\uFEFF';
const NO_TOUCHES: string[] = [];
Object.freeze(NO_TOUCHES);

type FrameKind =
  | 'top' | 'sub' | 'cmd' | 'bq' | 'brace' | 'kw' | 'arr' // code
  | 'dq' | 'sq' | 'ansi' | 'param' | 'arith'
  | 'idx'; // KEY[ ... ] in command position: bash reads a matched pair up to its `]`, across lines

interface Frame {
  kind: FrameKind;
  /** For 'kw': the keyword that opened it (if, case, for, while, until, select). */
  kw: string;
  /** A function body (the frame opened right after `name()` / `function name`). */
  func: boolean;
  /** Code frames: the next word is in command position. */
  cmdPos: boolean;
  /** Code frames: start index of the word being read, or -1. */
  word: number;
  wordLine: number;
  /** Code frames: the current word is still a bare name so far (for KEY=). */
  wordName: boolean;
  /** Code frames: the Touch of the assignment whose value is being read, or null. */
  assign: Touch | null;
  /** Code frames: the special builtin whose arguments are being read. */
  builtin: string | null;
  /** The next word is a redirection target (not a command). */
  redirect: boolean;
  /** A function definition was just read: the next compound command is its body. */
  funcNext: boolean;
  /** After `function`: the next word is the function's name. */
  funcName: boolean;
  /** For 'kw' case: reading patterns (a `)` ends one, not a subshell). */
  pattern: boolean;
  /** For 'kw' for/select/case: the header words are not commands. */
  header: boolean;
  /** The header's first word (the loop variable) was read. */
  headerSeen: boolean;
  /** For 'arith' and 'arr': nested parentheses; for 'idx': nested brackets. */
  parens: number;
  /** A `|` or `&` was seen in this command list: what follows runs in a subshell. */
  piped: boolean;
  /** Block frames: no command yet since it opened (or since then/do/else): closing it now is a syntax error. */
  empty: boolean;
  /** For 'kw': its `then` / `do` / `in` was read (closing it before is a syntax error). */
  body: boolean;
}

const CODE = new Set<FrameKind>(['top', 'sub', 'cmd', 'bq', 'brace', 'kw', 'arr']);
const OPEN_KW = new Set(['if', 'case', 'for', 'while', 'until', 'select']);
const CLOSE_KW: Record<string, string[]> = { fi: ['if'], esac: ['case'], done: ['for', 'while', 'until', 'select'] };
const KEEP_CMD = new Set(['then', 'do', 'else', 'elif', '!', 'time']);
// Keywords valid only inside these blocks.
const SYNTAX_IN: Record<string, string[]> = { then: ['if'], else: ['if'], elif: ['if'], do: ['for', 'while', 'until', 'select'] };
const ATTRIBUTE = new Set(['readonly', 'declare', 'typeset', 'local']);
const OTHER = new Set(['unset', 'export', 'read', 'readarray', 'mapfile', 'printf', 'let', 'eval', 'source', '.', 'getopts', 'wait']);
const END = new Set(['return', 'exit']);

function frame(kind: FrameKind, extra?: { kw?: string; func?: boolean; header?: boolean; empty?: boolean }): Frame {
  // Every field set, in one order: one hidden class for every frame.
  return {
    kind,
    kw: extra?.kw ?? '',
    func: extra?.func ?? false,
    cmdPos: true,
    word: -1,
    wordLine: 0,
    wordName: false,
    assign: null,
    builtin: null,
    redirect: false,
    funcNext: false,
    funcName: false,
    pattern: false,
    header: extra?.header ?? false,
    headerSeen: false,
    parens: 0,
    piped: false,
    empty: extra?.empty ?? false,
    body: false,
  };
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
/** bash's metacharacters (space, tab, newline, ; & | ( ) < >). */
function isMeta(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 59 || c === 38 || c === 124 || c === 40 || c === 41 || c === 60 || c === 62;
}

/** The leading name of a word (`KEY` of `KEY=x`, `KEY[1]`), or ''. */
function leadingName(w: string): string {
  if (!w.length || !isNameStart(w.charCodeAt(0))) return '';
  let i = 1;
  while (i < w.length && isNameChar(w.charCodeAt(i))) i++;
  return w.slice(0, i);
}

/**
 * A whole line that needs no character-by-character reading, when it starts
 * at top level: blank, a comment, or `[export ]KEY=value [# comment]` whose
 * value is bare characters and quoted parts closed on the line, with nothing
 * the shell expands or treats specially ($, backticks, backslashes, ~, ; & |
 * < > ( )). Such a line leaves the reader's state as it found it, so it is
 * matched in one step (most lines of a big config are such lines); any other
 * line is read character by character. Tried only on lines up to FAST_MAX
 * characters (the per-character alternation keeps a backtrack entry each).
 */
const FAST_LINE = /[ \t]*(?:#[^\n]*|(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=(?:[^ \t\n'"\\$`;&|<>()~]|"[^"\\$`\n]*"|'[^'\n]*')*(?:[ \t]+(?:#[^\n]*)?)?)?/y;
const FAST_MAX = 4096;

export interface ParseOptions {
  /** Match plain lines in one step (default true); false reads every character (tests compare the two). */
  fastLines?: boolean;
}

/**
 * `keys`: the variables of interest (default: all). Touches and simple
 * assignments are recorded for those only (and for any variable given
 * attributes, whose later assignments matter), which keeps a big file's parse
 * from allocating a record per line.
 */
export function parseConf(text: string, keys?: ReadonlySet<string>, opts: ParseOptions = {}): ConfDoc {
  const fastLines = opts.fastLines !== false;
  const attributed = new Set<string>();
  const wanted = (key: string) => !keys || keys.has(key) || attributed.has(key);
  const scratch: Touch = { line: 0, key: '', kind: 'assign', context: 'top', dynamic: false, command: '' };
  const bom = text.startsWith(BOM);
  const s = bom ? text.slice(1) : text;
  const n = s.length;
  // Lines as [start, end) offsets; the ConfLine objects are made once, at the end.
  // Sized once from the newline count: growing arrays of a big file's lines
  // cost more than reading it (each growth a new large allocation).
  let cap = 2;
  for (let k = s.indexOf('\n'); k !== -1; k = s.indexOf('\n', k + 1)) cap++;
  const lineStarts = new Int32Array(cap);
  const lineEnds = new Int32Array(cap);
  let count = 0;
  const touches: Touch[] = [];
  const stack: Frame[] = [frame('top')];
  // Heredocs announced on the current line, read after its newline.
  let pending: Array<{ delim: string; dash: boolean }> = [];
  let line = 0;
  let lineStart = 0;
  const lineTouches = new Map<number, string[]>();
  const marked: number[] = [];

  const top = () => stack[stack.length - 1]!;

  /** The context a touch at this point runs in. */
  function context(): TouchContext {
    let ctx: TouchContext = 'top';
    for (const fr of stack) {
      if (fr.func) return 'function';
      if (fr.kind === 'cmd' || fr.kind === 'bq') return 'substitution';
      if (fr.kind === 'sub' || fr.piped) ctx = 'subshell';
      else if (fr.kind === 'arith' || fr.kind === 'idx') return 'arithmetic';
      else if ((fr.kind === 'kw' || fr.kind === 'brace') && ctx === 'top') ctx = 'conditional';
    }
    return ctx;
  }

  function touch(key: string, kind: TouchKind, command: string, at = line): Touch {
    if (kind === 'attribute') attributed.add(key);
    if (key && !wanted(key)) return scratch;
    const t: Touch = { line: at, key, kind, context: context(), dynamic: false, command };
    touches.push(t);
    if (key) {
      const on = lineTouches.get(at);
      if (on) on.push(key);
      else {
        lineTouches.set(at, [key]);
        marked.push(at);
      }
    }
    return t;
  }

  /** The nearest code frame (where a `$` or backtick belongs to a word). */
  function markDynamic(): void {
    for (let k = stack.length - 1; k >= 0; k--) {
      const fr = stack[k]!;
      if (CODE.has(fr.kind)) {
        if (fr.assign) fr.assign.dynamic = true;
        return;
      }
    }
  }

  function startWord(f: Frame, i: number, name: boolean): void {
    if (f.word === -1) {
      f.word = i;
      f.wordLine = line;
      f.wordName = name;
    } else if (!name) f.wordName = false;
  }

  /** A command ends (; & | newline ...): the next word is a command again. */
  function endCommand(f: Frame): void {
    f.cmdPos = true;
    f.builtin = null;
    f.assign = null;
    f.redirect = false;
    f.header = false;
  }

  function endWord(f: Frame, i: number): void {
    if (f.word === -1) return;
    const start = f.word;
    const at = f.wordLine;
    f.word = -1;
    f.wordName = false;
    const assigning = f.assign;
    f.assign = null;
    if (f.redirect) {
      f.redirect = false;
      return;
    }
    if (assigning) {
      f.empty = false;
      return; // KEY=value: still command position
    }
    if (f.kind === 'arr') return;
    // Only words that may mean something are copied out.
    if (!f.cmdPos && !f.builtin && !f.funcName && !(f.kind === 'kw' && (f.header || f.pattern))) return;
    const w = s.slice(start, i);
    if (f.builtin) {
      // Arguments of readonly/declare/unset/read/eval...: every name they carry.
      // (`export KEY` without a value changes no value: not a touch.)
      if (f.builtin === 'export') return;
      const name = leadingName(w);
      const kind: TouchKind = ATTRIBUTE.has(f.builtin) ? 'attribute' : 'other';
      if (name) touch(name, kind, f.builtin, at);
      if (f.builtin === 'eval' || f.builtin === 'let' || f.builtin === 'printf' || f.builtin === 'source' || f.builtin === '.') {
        // Anything may be set by the text they run: note every name in it.
        for (const m of w.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) if (m[0] !== name) touch(m[0], 'other', f.builtin, at);
      }
      return;
    }
    if (f.kind === 'kw' && f.header) {
      // for NAME in ... / case WORD in / select NAME in
      if (f.kw === 'case' && w === 'in') {
        f.pattern = true;
        f.body = true;
        f.header = false;
        f.cmdPos = true;
        return;
      }
      if ((f.kw === 'for' || f.kw === 'select') && !f.headerSeen && leadingName(w) === w) touch(w, 'other', f.kw, at);
      f.headerSeen = true;
      return;
    }
    if (f.kind === 'kw' && f.pattern) {
      if (w === 'esac') {
        stack.pop();
        top().cmdPos = false;
      }
      return;
    }
    if (f.funcName) {
      f.funcName = false;
      f.funcNext = true;
      f.cmdPos = true;
      return;
    }
    if (!f.cmdPos) return;
    // A word in command position.
    const syntaxError = (what: string) => {
      touch('', 'end', `syntax error at \`${what}\``, at);
      f.cmdPos = false;
    };
    if (OPEN_KW.has(w)) {
      const body = frame('kw', { kw: w, func: f.funcNext, header: w === 'for' || w === 'select' || w === 'case', empty: w === 'if' || w === 'while' || w === 'until' });
      f.funcNext = false;
      f.empty = false;
      if (body.header) body.cmdPos = false;
      stack.push(body);
      return;
    }
    const closes = CLOSE_KW[w];
    if (closes && f.kind === 'kw' && closes.includes(f.kw)) {
      if ((f.empty && w !== 'esac') || !f.body) return syntaxError(w); // an empty or missing body
      stack.pop();
      const outer = top();
      outer.cmdPos = false;
      return;
    }
    if (closes || (w === '}' && f.kind !== 'brace') || (SYNTAX_IN[w] && !(f.kind === 'kw' && SYNTAX_IN[w]!.includes(f.kw)))) {
      // A closer or keyword out of place: a syntax error, where bash stops reading a sourced file.
      return syntaxError(w);
    }
    if (w === '{') {
      stack.push(frame('brace', { func: f.funcNext, empty: true }));
      f.funcNext = false;
      f.empty = false;
      return;
    }
    if (w === '}' && f.kind === 'brace') {
      if (f.empty) return syntaxError(w);
      stack.pop();
      top().cmdPos = false;
      return;
    }
    if (KEEP_CMD.has(w)) {
      if (SYNTAX_IN[w]) {
        // then / do / else / elif: the list before must not be empty, the one after starts empty.
        if (f.empty && !(w === 'do' && (f.kw === 'for' || f.kw === 'select'))) return syntaxError(w);
        if ((w === 'else' || w === 'elif') && !f.body) return syntaxError(w);
        if (w === 'then' || w === 'do') f.body = true;
        if (w === 'elif') f.body = false;
        f.empty = true;
      }
      return;
    }
    if (w === 'function') {
      f.funcName = true;
      return;
    }
    if (f.funcNext) return syntaxError(w); // a function body must be a compound command
    f.empty = false;
    if (ATTRIBUTE.has(w) || OTHER.has(w)) {
      f.builtin = w;
      f.cmdPos = false;
      return;
    }
    if (END.has(w)) touch('', 'end', w, at);
    f.cmdPos = false;
  }

  /** Reads the delimiter word after `<<` / `<<-` starting at i; returns the index after it. */
  function heredocDelim(i: number): number {
    let dash = false;
    if (s.charCodeAt(i) === 45) {
      dash = true;
      i++;
    }
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    const end = lineEnd();
    let delim = '';
    while (i < end && !isMeta(s.charCodeAt(i))) {
      const ch = s[i]!;
      if (ch === "'" || ch === '"') {
        // A quoted part, closed on this line; otherwise the main loop reads the quote.
        let k = i + 1;
        while (k < end && s[k] !== ch) k++;
        if (k >= end) break;
        delim += s.slice(i + 1, k);
        i = k + 1;
      } else if (ch === '\\') {
        if (i + 1 < end) delim += s[i + 1];
        i += 2;
      } else {
        delim += ch;
        i++;
      }
    }
    if (delim) pending.push({ delim, dash });
    return i;
  }

  let nlCacheFor = -1;
  let nlCache = -1;
  /** Index of the '\n' ending the current line (n when none). */
  function lineEnd(): number {
    if (nlCacheFor !== lineStart) {
      nlCacheFor = lineStart;
      const e = s.indexOf('\n', lineStart);
      nlCache = e === -1 ? n : e;
    }
    return nlCache;
  }

  // lineClean[k]: line k starts at top level, outside any construct.
  const lineClean = new Uint8Array(cap + 1);
  lineClean[0] = 1;
  let cleanLen = 1;
  const cleanAt = (k: number): boolean | undefined => (k < cleanLen ? lineClean[k] === 1 : undefined);
  /** Ends the current line at the '\n' at pos; `clean`: the next line starts at top level. */
  function newline(pos: number, clean: boolean): void {
    lineStarts[count] = lineStart;
    lineEnds[count++] = pos;
    line++;
    lineStart = pos + 1;
    lineClean[cleanLen++] = clean ? 1 : 0;
  }

  let continued = false;
  // The file ends inside a heredoc body.
  let heredocOpen = false;
  let i = 0;
  while (i < n) {
    const f = top();
    if (fastLines && i === lineStart && stack.length === 1 && !continued && !pending.length && f.cmdPos && f.word === -1 && !f.builtin && !f.redirect && !f.piped && !f.funcNext && !f.funcName) {
      const e0 = s.indexOf('\n', i);
      const e = e0 === -1 ? n : e0;
      if (e - i <= FAST_MAX) {
        FAST_LINE.lastIndex = i;
        const m = FAST_LINE.exec(s);
        if (m && i + m[0].length === e) {
          // As the character-by-character reading records it: the assignment's touch, then the line's end.
          if (m[2] !== undefined) touch(m[2], 'assign', m[1] === undefined ? '' : 'export');
          if (e < n) newline(e, true);
          i = e + 1;
          continue;
        }
      }
    }
    const c = s.charCodeAt(i);
    if (c === 10) {
      // A newline ends a line everywhere; in code it also ends a command.
      continued = false;
      if (CODE.has(f.kind)) {
        endWord(f, i);
        const g = top(); // a closer (fi, done, }) pops f
        if (g.kind !== 'arr' && !(g.kind === 'kw' && g.pattern)) {
          endCommand(g);
          g.piped = false;
        }
      }
      if (pending.length && CODE.has(top().kind)) {
        newline(i, false);
        i++;
        // Heredoc bodies: whole lines up to each delimiter.
        for (const h of pending) {
          heredocOpen = true;
          while (i < n) {
            const e0 = s.indexOf('\n', i);
            const e = e0 === -1 ? n : e0;
            let body = s.slice(i, e);
            if (h.dash) body = body.replace(/^\t+/, '');
            if (e < n) newline(e, false);
            else {
              lineStarts[count] = i;
              lineEnds[count++] = n;
              lineStart = n;
            }
            i = e + 1;
            if (body === h.delim) {
              heredocOpen = false;
              break;
            }
          }
        }
        pending = [];
        lineClean[cleanLen - 1] = stack.length === 1 ? 1 : 0;
        continue;
      }
      newline(i, stack.length === 1);
      i++;
      continue;
    }
    // A backslash before a newline: a continuation in code and in "...";
    // the newline itself is handled above on the next turn.
    if (c === 92 && s.charCodeAt(i + 1) === 10 && f.kind !== 'sq') {
      if (f.kind === 'ansi') {
        i++;
        continue;
      }
      continued = true;
      newline(i + 1, false);
      i += 2;
      continue;
    }
    switch (f.kind) {
      case 'sq':
        if (c === 39) stack.pop();
        i++;
        continue;
      case 'ansi':
        if (c === 92) i += 2;
        else {
          if (c === 39) stack.pop();
          i++;
        }
        continue;
      case 'dq':
        if (c === 92) i += 2;
        else if (c === 34) {
          stack.pop();
          i++;
        } else if (c === 36) i = dollar(i);
        else if (c === 96) {
          markDynamic();
          stack.push(frame('bq'));
          i++;
        } else i++;
        continue;
      case 'param':
        if (c === 92) i += 2;
        else if (c === 125) {
          stack.pop();
          i++;
        } else if (c === 39) {
          stack.push(frame('sq'));
          i++;
        } else if (c === 34) {
          stack.push(frame('dq'));
          i++;
        } else if (c === 36) i = dollar(i);
        else if (c === 96) {
          stack.push(frame('bq'));
          i++;
        } else i++;
        continue;
      case 'idx':
        // bash's matched pair for a subscript: nested [ ], quotes and substitutions inside, newlines too.
        if (c === 91) f.parens++;
        else if (c === 93) {
          if (f.parens > 0) f.parens--;
          else {
            stack.pop();
            const g = top();
            i++;
            // KEY[...]= / KEY[...]+= : an assignment of KEY.
            if (s.charCodeAt(i) === 61 || (s.charCodeAt(i) === 43 && s.charCodeAt(i + 1) === 61)) g.assign = touch(f.kw, 'assign', '', g.wordLine);
            continue;
          }
        } else {
          // An indexed array's subscript is arithmetic: `a[GPU_MODE=3]=x` sets GPU_MODE.
          arithmetic(c);
          continue;
        }
        i++;
        continue;
      case 'arith':
        if (c === 40) f.parens++;
        else if (c === 41) {
          if (f.parens > 0) f.parens--;
          else if (s.charCodeAt(i + 1) === 41) {
            stack.pop();
            i += 2;
            continue;
          } else stack.pop(); // `$(( ... )` closed by one paren: close it anyway
        } else {
          arithmetic(c);
          continue;
        }
        i++;
        continue;
    }
    // Code frames.
    if (c === 92) {
      startWord(f, i, false);
      i += 2;
      continue;
    }
    if (c === 96) {
      // A backtick closes the nearest `...` this code is inside, else opens one.
      let b = stack.length - 1;
      while (b > 0 && stack[b]!.kind !== 'bq' && CODE.has(stack[b]!.kind)) b--;
      if (stack[b]!.kind === 'bq') {
        endWord(f, i);
        stack.length = b;
      } else {
        startWord(f, i, false);
        markDynamic();
        stack.push(frame('bq'));
      }
      i++;
      continue;
    }
    if (c === 39) {
      startWord(f, i, false);
      const ansi = i > 0 && s.charCodeAt(i - 1) === 36 && f.word !== i;
      if (ansi) markDynamic();
      stack.push(frame(ansi ? 'ansi' : 'sq'));
      i++;
      continue;
    }
    if (c === 34) {
      startWord(f, i, false);
      stack.push(frame('dq'));
      i++;
      continue;
    }
    if (c === 36) {
      startWord(f, i, false);
      i = dollar(i);
      continue;
    }
    if (c === 35 && f.word === -1) {
      // A comment, to the end of the line.
      i = lineEnd();
      continue;
    }
    if (c === 32 || c === 9) {
      endWord(f, i); // may close a block: the next character is read in the outer frame
      i++;
      continue;
    }
    if (c === 59) {
      endWord(f, i);
      if (top() !== f) {
        endCommand(top());
        top().piped = false;
        i++;
        continue;
      }
      if (f.kind === 'kw' && f.kw === 'case' && (s.charCodeAt(i + 1) === 59 || s.charCodeAt(i + 1) === 38)) {
        // ;; ;& ;;& end a case item: patterns come next.
        f.pattern = true;
        i += s.charCodeAt(i + 1) === 59 && s.charCodeAt(i + 2) === 38 ? 3 : 2;
      } else if (s.charCodeAt(i + 1) === 59) {
        touch('', 'end', 'syntax error at `;;`');
        i += 2;
      } else i++;
      endCommand(f);
      f.piped = false;
      continue;
    }
    if (c === 124 && f.kind === 'kw' && f.pattern) {
      // a|b) in a case pattern
      i++;
      continue;
    }
    if (c === 38 || c === 124) {
      endWord(f, i);
      if (top() !== f) continue; // `fi |`: read again in the outer frame
      const nx = s.charCodeAt(i + 1);
      if (c === 38 && nx === 62) {
        f.redirect = true; // &> file
        i += 2;
        continue;
      }
      if (c === 124 && nx !== 124) f.piped = true; // a pipeline: its commands run in subshells
      else f.piped = false;
      endCommand(f);
      i += nx === c || (c === 124 && nx === 38) ? 2 : 1;
      continue;
    }
    if (c === 60 || c === 62) {
      endWord(f, i);
      if (top() !== f) continue;
      if (s.charCodeAt(i + 1) === 40) {
        // <( ) / >( ): process substitution.
        startWord(f, i, false);
        markDynamic();
        stack.push(frame('cmd'));
        i += 2;
        continue;
      }
      if (c === 60 && s.charCodeAt(i + 1) === 60 && s.charCodeAt(i + 2) !== 60) {
        i = heredocDelim(i + 2);
        continue;
      }
      // Other redirections: the next word is a file name.
      let k = i + 1;
      while (k < n && (s.charCodeAt(k) === 60 || s.charCodeAt(k) === 62 || s.charCodeAt(k) === 38 || s.charCodeAt(k) === 124)) k++;
      f.redirect = true;
      i = k;
      continue;
    }
    if (c === 40) {
      if (f.kind === 'kw' && f.pattern) {
        i++; // (a|b) — the optional opening paren of a pattern
        continue;
      }
      if (f.word !== -1 && f.cmdPos && f.wordName && !f.builtin) {
        // `name()` / `name ()`: a function definition.
        let k = i + 1;
        while (k < n && (s[k] === ' ' || s[k] === '\t')) k++;
        if (s[k] === ')') {
          f.word = -1;
          f.wordName = false;
          f.funcNext = true;
          f.funcName = false;
          i = k + 1;
          continue;
        }
      }
      if (f.word !== -1) {
        // KEY=( ... ) or an extglob group inside a word.
        stack.push(frame('arr'));
        i++;
        continue;
      }
      if (f.funcNext && s.charCodeAt(i + 1) === 41) {
        i += 2; // `function name ()`
        continue;
      }
      if ((f.cmdPos || (f.kind === 'kw' && f.header)) && s.charCodeAt(i + 1) === 40) {
        stack.push(frame('arith', { func: f.funcNext }));
        f.funcNext = false;
        f.empty = false;
        i += 2;
        continue;
      }
      stack.push(frame('sub', { func: f.funcNext, empty: true }));
      f.funcNext = false;
      f.empty = false;
      i++;
      continue;
    }
    if (c === 41) {
      endWord(f, i);
      if (top() !== f) continue;
      if (f.kind === 'kw' && f.pattern) {
        f.pattern = false;
        endCommand(f);
      } else if (f.kind === 'sub' || f.kind === 'cmd' || f.kind === 'arr') {
        if (f.kind === 'sub' && f.empty) touch('', 'end', 'syntax error at `)`');
        stack.pop();
        if (f.kind === 'sub') top().cmdPos = false;
      } else touch('', 'end', 'syntax error at `)`');
      i++;
      continue;
    }
    // An ordinary word character.
    if (f.word === -1) startWord(f, i, isNameStart(c));
    else if (f.wordName && !isNameChar(c)) {
      const commandWord = f.cmdPos && !f.builtin && !f.redirect && f.kind !== 'arr' && !(f.kind === 'kw' && (f.header || f.pattern));
      if (c === 91 && commandWord) {
        // KEY[ where a command may start: bash reads up to the matching `]` (nested, quoted, over lines),
        // then KEY[...]= is an assignment and anything else a word; no `]` is a syntax error.
        const idx = frame('idx', { kw: s.slice(f.word, i) });
        idx.wordLine = line;
        stack.push(idx);
        f.wordName = false;
        i++;
        continue;
      }
      if (c === 61 || (c === 43 && s.charCodeAt(i + 1) === 61) || c === 91) {
        // KEY=, KEY+= in command position; KEY=, KEY+=, KEY[...]= after export.
        const where = (f.cmdPos || f.builtin === 'export') && !f.redirect && f.kind !== 'arr' && !(f.kind === 'kw' && (f.header || f.pattern));
        if (where && (!f.builtin || f.builtin === 'export')) {
          let ok = c !== 91;
          if (c === 91) {
            // KEY[...]= : the bracket must close within the word.
            let k = i + 1;
            while (k < n && s.charCodeAt(k) !== 93 && !isMeta(s.charCodeAt(k))) k++;
            ok = s.charCodeAt(k) === 93 && s.charCodeAt(k + 1) === 61;
          }
          if (ok) f.assign = touch(s.slice(f.word, i), 'assign', f.builtin ?? '', f.wordLine);
        }
      }
      f.wordName = false;
    }
    if (c === 126 && f.assign) f.assign.dynamic = true; // ~ expands in an assignment
    i++;
  }

  // End of text. A subscript never closed is a syntax error where it opened (bash: unexpected EOF while looking for matching `]').
  const openIdx = stack.find((fr) => fr.kind === 'idx');
  if (openIdx) {
    const t = touch('', 'end', `syntax error: the \`[\` of \`${openIdx.kw.slice(0, 40)}[\` is never closed (bash reads to the end of the file looking for its \`]\`)`, openIdx.wordLine);
    // In file order with the touches read inside it.
    touches.pop();
    const at = touches.findIndex((x) => x.line > t.line);
    touches.splice(at === -1 ? touches.length : at, 0, t);
  }
  const last = top();
  if (CODE.has(last.kind)) endWord(last, n);
  if (lineStart < n) {
    lineStarts[count] = lineStart;
    lineEnds[count++] = n;
  }
  const openAtEnd = stack.length > 1 || pending.length > 0 || continued || heredocOpen;

  // Simple assignments: lines that start and end at top level. A line's
  // object is made when it is asked for (src/conf/edit.ts asks for the few
  // lines that touch a recorded key), all of them when `lines` is read.
  const makeLine = (k: number): ConfLine => {
    const text = s.slice(lineStarts[k], lineEnds[k]);
    const eol: Eol = lineEnds[k]! < n ? '\n' : '';
    const endsClean = k + 1 < count ? cleanAt(k + 1) === true : !openAtEnd && cleanAt(k + 1) !== false;
    const t = lineTouches.get(k);
    // A simple assignment of a wanted key records a touch on its own line: no touch, no parse otherwise.
    const a = cleanAt(k) === true && endsClean && (!keys || t) ? parseAssignment(text) : null;
    const own = a && t && t.length === 1 && t[0] === a.key;
    return { text, eol, assignment: a, touches: !t || own ? NO_TOUCHES : a ? t.filter((key) => key !== a.key) : t };
  };
  // (A touch is recorded at the line its word started on, which can come after a later line's.)
  return new Doc(bom, openAtEnd, touches, lineStarts.subarray(0, count), count, keys ? marked.sort((x, y) => x - y) : null, makeLine);

  /** A name in arithmetic at i: set when an assignment operator follows. Returns the index after the name. */
  /**
   * One character of arithmetic (a `$(( ))` or a subscript) other than its own
   * brackets: quotes and substitutions open their frames, a name may be an
   * assignment (`a[GPU_MODE=3]`); `i` moves past what was read.
   */
  function arithmetic(c: number): void {
    if (c === 39) stack.push(frame('sq'));
    else if (c === 34) stack.push(frame('dq'));
    else if (c === 36) {
      i = dollar(i);
      return;
    } else if (c === 96) stack.push(frame('bq'));
    else if (c === 92) i++;
    else if (isNameStart(c) && (i === 0 || !isNameChar(s.charCodeAt(i - 1)))) {
      i = arithName(i);
      return;
    }
    i++;
  }

  function arithName(i: number): number {
    let e = i + 1;
    while (e < n && isNameChar(s.charCodeAt(e))) e++;
    let k = e;
    while (k < n && (s[k] === ' ' || s[k] === '\t')) k++;
    const op = s.slice(k, k + 3);
    if ((op[0] === '=' && op[1] !== '=') || /^([-+*/%&|^]|<<|>>)=/.test(op) || op.startsWith('++') || op.startsWith('--')) {
      touch(s.slice(i, e), 'assign', '((');
    }
    return e;
  }

  /** `$...` at i in any frame: opens $( ), $(( )), ${ }; marks the assignment dynamic. Returns the next index. */
  function dollar(at: number): number {
    const nx = s.charCodeAt(at + 1);
    if (nx === 40) {
      markDynamic();
      if (s.charCodeAt(at + 2) === 40) {
        stack.push(frame('arith'));
        return at + 3;
      }
      stack.push(frame('cmd'));
      return at + 2;
    }
    if (nx === 123) {
      markDynamic();
      // ${KEY:=x} / ${KEY=x} assign KEY.
      let e = at + 2;
      while (e < n && isNameChar(s.charCodeAt(e))) e++;
      if (e > at + 2 && (s[e] === '=' || (s[e] === ':' && s[e + 1] === '='))) {
        touch(s.slice(at + 2, e), 'other', '${:=}');
      }
      stack.push(frame('param'));
      return at + 2;
    }
    if (nx === 39) {
      // $'...': handled by the quote itself.
      return at + 1;
    }
    if (isNameStart(nx) || (nx >= 48 && nx <= 57) || '@*#?$!-'.includes(s[at + 1] ?? ' ')) markDynamic();
    return at + 1;
  }
}

/** Parses a line as a simple `[export ]KEY=value [# comment]`, or null. */
export function parseAssignment(s: string): SimpleAssignment | null {
  let j = 0;
  while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
  if (s.startsWith('export', j) && (s[j + 6] === ' ' || s[j + 6] === '\t')) {
    j += 6;
    while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
  }
  const keyStart = j;
  if (!isNameStart(s.charCodeAt(j))) return null;
  while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
  if (s[j] !== '=') return null;
  const key = s.slice(keyStart, j);
  j++;
  const head = s.slice(0, j);
  const start = j;
  // The value is collected as slices of the line, not character by character.
  const parts: string[] = [];
  let dynamic = false;
  let segments = 0;
  let quote: '' | "'" | '"' = '';
  let bare = -1; // start of the current unquoted run
  const flush = (to: number) => {
    if (bare !== -1) {
      parts.push(s.slice(bare, to));
      bare = -1;
    }
  };
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 32 || c === 9) break;
    if (c === 39) {
      flush(j);
      if (j > start && s.charCodeAt(j - 1) === 36) return null; // $'...' ANSI-C quoting: leave to the shell
      const k = s.indexOf("'", j + 1);
      if (k === -1) return null;
      parts.push(s.slice(j + 1, k));
      segments++;
      quote = segments === 1 ? "'" : '';
      j = k + 1;
    } else if (c === 34) {
      flush(j);
      let k = j + 1;
      let run = k;
      for (;;) {
        if (k >= s.length) return null;
        const d = s.charCodeAt(k);
        if (d === 34) break;
        if (d === 92) {
          const nx = s[k + 1];
          if (nx === undefined) return null;
          parts.push(s.slice(run, k), '$`"\\'.includes(nx) ? nx : `\\${nx}`);
          k += 2;
          run = k;
          continue;
        }
        if (d === 36 || d === 96) dynamic = true;
        k++;
      }
      parts.push(s.slice(run, k));
      segments++;
      quote = segments === 1 ? '"' : '';
      j = k + 1;
    } else if (c === 92) {
      flush(j);
      const nx = s[j + 1];
      if (nx === undefined) return null;
      parts.push(nx);
      segments += 2;
      quote = '';
      j += 2;
    } else if (c === 59 || c === 38 || c === 124 || c === 60 || c === 62 || c === 40 || c === 41) {
      return null; // ; & | < > ( )
    } else {
      if (c === 36 || c === 96 || c === 126) dynamic = true; // $ ` ~
      if (bare === -1) {
        bare = j;
        segments += 2;
        quote = '';
      }
      j++;
    }
  }
  flush(j);
  const tail = s.slice(j);
  // Whitespace, then nothing or a comment.
  let t = 0;
  while (t < tail.length && (tail[t] === ' ' || tail[t] === '\t')) t++;
  if (t < tail.length && tail[t] !== '#') return null;
  const raw = s.slice(start, j);
  return { key, head, raw, value: dynamic ? null : parts.join(''), quote, tail };
}

export function serializeConf(doc: ConfDoc): string {
  const parts: string[] = doc.bom ? [BOM] : [];
  for (const l of doc.lines) parts.push(l.text, l.eol);
  return parts.join('');
}

/** Index of the line that decides a key's value when the file is sourced, or -1 (`key`: one the parse recorded). */
export function effectiveLine(doc: ConfDoc, key: string): number {
  let found = -1;
  for (const i of doc.candidates()) {
    const l = doc.line(i);
    if (l.assignment?.key === key || l.touches.includes(key)) found = i;
  }
  return found;
}

/** The literal value a key has when the file is sourced, when that can be known without a shell. */
export function effectiveValue(doc: ConfDoc, key: string): string | undefined {
  const i = effectiveLine(doc, key);
  const a = i === -1 ? null : doc.line(i).assignment;
  return a && a.key === key && a.value !== null ? a.value : undefined;
}
