// Reads and edits the owned keys of .operator.conf the way bash would see
// them, or refuses. The effective (last) simple assignment of each key gets
// the new value in place, keeping its position, its `export ` prefix, its
// quoting and its trailing comment; a key set last by top-level shell logic
// (if/case/a loop/unset) is overridden by an appended line; missing keys are
// appended. Every other byte is kept.
//
// Refused (exit 1 naming the line, nothing written; doctor says the same),
// because bash would not end up with the value kg-init reports or writes:
// a UTF-8 BOM, an owned key given attributes (readonly, declare, typeset,
// local), set inside a function, a subshell, a command substitution or
// arithmetic, a `return`/`exit` that stops sourcing, and an owned key whose
// effective top-level value is computed by the shell (`${X:-cpu}`, `$(cmd)`,
// backticks, `~`), which kg-init will not overwrite.
import { effectiveLine, effectiveValue, parseConf, serializeConf, type ConfDoc, type Touch } from './parse.js';
import { checkConfValues, OWNED_KEYS, type ConfValues, type OwnedKey } from './values.js';

export class ConfEditError extends Error {}

export interface ConfRefusal {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface ConfReading {
  /** Owned keys whose value bash ends with is this literal. */
  values: ConfValues;
  /** Owned keys set last by shell logic kg-init does not evaluate (overridden by an appended line on write). */
  unknown: OwnedKey[];
  /** Why kg-init cannot vouch for what bash makes of this file, when it cannot. */
  refusal: ConfRefusal | null;
}

const OWNED: ReadonlySet<string> = new Set<string>(OWNED_KEYS);

// The last text parsed: reading a config (its owned keys and any others the
// caller reads with them) and planning its update parse it once.
interface Analysis {
  text: string;
  /** The keys the parse recorded: the owned ones and the `also` keys of the read that made it. */
  keys: ReadonlySet<string>;
  doc: ConfDoc;
  reading: ConfReading;
  /** Each owned key's effective line (-1: none). */
  effective: Record<OwnedKey, number>;
}
let cached: Analysis | null = null;

function analysed(text: string, also: readonly string[] = []): Analysis {
  if (cached && cached.text === text && also.every((k) => cached!.keys.has(k))) return cached;
  const keys = also.length ? new Set<string>([...OWNED_KEYS, ...also]) : OWNED;
  const doc = parseConf(text, keys);
  const effective = Object.fromEntries(OWNED_KEYS.map((k) => [k, effectiveLine(doc, k)])) as Record<OwnedKey, number>;
  cached = { text, keys, doc, reading: judge(doc, effective), effective };
  return cached;
}

function touchRefusal(t: Touch): string | null {
  if (t.kind === 'end') {
    if (t.command.startsWith('syntax error')) return `${t.command}: bash stops reading the file there, so lines after it (and any kg-init adds) never count`;
    if (t.context === 'top' || t.context === 'conditional') {
      return `\`${t.command}\` stops bash reading the file here, so lines after it (and any kg-init adds) may never count`;
    }
    return null;
  }
  if (!OWNED.has(t.key)) return null;
  if (t.kind === 'attribute') {
    return t.command === 'readonly' || t.command === 'local'
      ? `\`${t.command} ${t.key}\`: bash refuses or scopes later assignments of ${t.key}, so kg-init cannot set it`
      : `\`${t.command}\` gives ${t.key} attributes (read-only, integer, case) that change what bash stores`;
  }
  switch (t.context) {
    case 'function':
      return `${t.key} is set inside a function: its value depends on when the function is called`;
    case 'subshell':
      return `${t.key} is set inside a subshell ( … ) or pipeline, which bash discards`;
    case 'substitution':
      return `${t.key} is set inside a command substitution $( … ) or \`…\`, which bash discards`;
    case 'arithmetic':
      return `${t.key} is set by arithmetic (( … ))`;
    default:
      return null;
  }
}

function judge(doc: ConfDoc, effective: Record<OwnedKey, number>): ConfReading {
  const values: ConfValues = {};
  const unknown: OwnedKey[] = [];
  let refusal: ConfRefusal | null = null;
  const refuse = (line: number, reason: string) => {
    if (!refusal || line < refusal.line) refusal = { line, reason };
  };
  if (doc.bom) {
    refuse(1, 'the file starts with a UTF-8 byte order mark, which bash reads as part of the first command (operator.sh stops there); remove it');
  }
  // Names given attributes (readonly, declare...): bash stops at a later assignment to a read-only one.
  const attributed = new Map<string, number>();
  for (const t of doc.touches) {
    let why = touchRefusal(t);
    if (!why && t.kind === 'attribute') {
      if (!attributed.has(t.key)) attributed.set(t.key, t.line + 1);
    } else if (!why && t.kind === 'assign' && attributed.has(t.key)) {
      why = `${t.key} was given attributes on line ${attributed.get(t.key)} (\`readonly\`, \`declare\`): if it is read-only, bash stops reading the file at this assignment`;
    }
    if (why) {
      refuse(t.line + 1, why);
      break; // touches are in file order: the first is the one to report
    }
  }
  for (const key of OWNED_KEYS) {
    const i = effective[key];
    if (i === -1) continue;
    const a = doc.line(i).assignment;
    if (a && a.key === key) {
      if (a.value !== null) values[key] = a.value;
      else refuse(i + 1, `${key}=${a.raw} is computed by the shell; kg-init does not evaluate it and will not overwrite your logic`);
      continue;
    }
    // Set last by logic: computed at top level means the user's own override logic.
    const last = doc.touches.filter((t) => t.key === key && t.line === i).pop();
    if (last && last.kind === 'assign' && last.dynamic && last.context === 'top') {
      refuse(i + 1, `${key} is computed by the shell on this line; kg-init does not evaluate it and will not overwrite your logic`);
    }
    unknown.push(key);
  }
  return { values, unknown, refusal };
}

/** What bash ends with for the owned keys, as far as kg-init can tell without running anything. */
export function readConf(text: string): ConfReading {
  return analysed(text).reading;
}

/**
 * readConf, and the literal values of `also` (keys kg-init reads but does not
 * own) from the same parse; one that is absent or computed by the shell is
 * left out. The update planned next from the same text reuses that parse.
 */
export function readConfWith<K extends string>(text: string, also: readonly K[]): { reading: ConfReading; also: Partial<Record<K, string>> } {
  const { doc, reading } = analysed(text, also);
  const values: Partial<Record<K, string>> = {};
  for (const key of also) {
    const v = effectiveValue(doc, key);
    if (v !== undefined) values[key] = v;
  }
  return { reading, also: values };
}

/** The owned keys' effective values (undefined where absent or computed by shell logic). */
export function readOwned(text: string): ConfValues {
  return readConf(text).values;
}

function quoted(value: string, quote: '' | "'" | '"'): string {
  return `${quote}${value}${quote}`;
}

/**
 * Returns the text with the given owned keys set, and the `drop` keys left
 * without a value (as dropConfKey does, from the same parse: no key is both
 * set and dropped); unchanged text when it already is so. The file is parsed
 * once for reading it and for this (the parse is kept for the same text), and
 * the result is the text's own slices around the changed lines.
 */
export function updateConf(text: string, values: ConfValues, drop: readonly OwnedKey[] = []): string {
  const e = edits(text, values, drop);
  return e ? render(text, e) : text;
}

/** Whether updateConf(text, values, drop) would change the text: the same edits, without building the result. */
export function confWouldChange(text: string, values: ConfValues, drop: readonly OwnedKey[] = []): boolean {
  return edits(text, values, drop) !== null;
}

interface Edits {
  doc: ConfDoc;
  /** Line index → its new text. */
  replace: Map<number, string>;
  /** Lines that go, with their newline. */
  remove: Set<number>;
  append: Array<[OwnedKey, string]>;
}

/** The line edits that set `values` and drop `drop`; null when there are none. Throws ConfEditError when refused. */
function edits(text: string, values: ConfValues, drop: readonly OwnedKey[]): Edits | null {
  const checked = checkConfValues(values);
  const { doc, reading, effective } = analysed(text);
  if (reading.refusal) throw new ConfEditError(`line ${reading.refusal.line}: ${reading.refusal.reason}`);
  const replace = new Map<number, string>();
  const remove = new Set<number>();
  const append: Array<[OwnedKey, string]> = [];
  const cleared: OwnedKey[] = [];
  for (const key of OWNED_KEYS) {
    const value = checked[key];
    if (value === undefined) continue;
    const i = effective[key];
    const a = i === -1 ? null : doc.line(i).assignment;
    if (a && a.key === key) {
      if (a.value !== value) replace.set(i, a.head + quoted(value, a.quote) + a.tail);
    } else {
      append.push([key, value]);
    }
  }
  for (const key of drop) {
    if (checked[key] !== undefined) continue;
    const edit = dropEdit(doc, key, effective[key]);
    if (edit.kind === 'blank') replace.set(edit.line, edit.text);
    else if (edit.kind === 'remove') for (const l of edit.lines) remove.add(l);
    else if (edit.kind === 'append') cleared.push(key);
  }
  if (!replace.size && !remove.size && !append.length && !cleared.length) return null;
  if ((append.length || cleared.length) && doc.openAtEnd) {
    throw new ConfEditError(
      append.length
        ? `cannot add ${append.map(([k]) => k).join(', ')}: the file ends inside an unfinished quote, heredoc or block`
        : `cannot clear ${cleared[0]}: the file ends inside an unfinished quote, heredoc or block`,
    );
  }
  for (const key of cleared) append.push([key, '']);
  return { doc, replace, remove, append };
}

function render(text: string, { doc, replace, remove, append }: Edits): string {
  // The text between changed lines is copied as slices: a big file is not rebuilt line by line.
  const base = doc.bom ? 1 : 0;
  const parts: string[] = [];
  let from = 0;
  for (const i of [...replace.keys(), ...remove].sort((x, y) => x - y)) {
    const at = base + doc.starts[i]!;
    const line = doc.line(i);
    parts.push(text.slice(from, at));
    if (remove.has(i)) from = at + line.text.length + line.eol.length;
    else {
      parts.push(replace.get(i)!);
      from = at + line.text.length;
    }
  }
  parts.push(text.slice(from));
  if (append.length) {
    const last = doc.count ? doc.line(doc.count - 1) : null;
    // (A removed last line leaves the one before it last, which ends in a newline.)
    if (last && last.eol === '' && !remove.has(doc.count - 1)) parts.push('\n');
    // '\n' even in a CRLF file: bash would read a CR into the value.
    for (const [key, value] of append) parts.push(`${key}=${value}\n`);
  }
  return parts.join('');
}

type DropEdit =
  | { kind: 'none' }
  | { kind: 'blank'; line: number; text: string }
  | { kind: 'remove'; lines: number[] }
  | { kind: 'append' };

/** How dropConfKey leaves `key` without a value in a parsed file whose effective line for it is `i`. */
function dropEdit(doc: ConfDoc, key: string, i: number): DropEdit {
  if (i === -1) return { kind: 'none' };
  const a = doc.line(i).assignment;
  if (a?.key === key && a.value === '') return { kind: 'none' };
  if (a?.key !== key || [...doc.candidates()].some((k) => doc.line(k).touches.includes(key))) {
    // Shell logic may set it after (or instead of) a simple line: an empty value overrides.
    if (a?.key === key) return { kind: 'blank', line: i, text: `${a.head}${a.tail}` };
    return { kind: 'append' };
  }
  const lines: number[] = [];
  for (const k of doc.candidates()) if (doc.line(k).assignment?.key === key) lines.push(k);
  return { kind: 'remove', lines };
}

/** Text of a new .operator.conf before the owned keys are added. */
export const NEW_CONF_HEADER =
  '# Knowledge Graph platform settings, read by operator.sh.\n' +
  '# kg-init sets GPU_MODE, KG_API_IMAGE_TAG, IMAGE_SOURCE and INITIALIZED_AT;\n' +
  '# it keeps every other line of this file as you wrote it.\n';

/**
 * Returns the text without a value for `key`, so that the platform's own
 * default applies (`[ -z "$KEY" ]`): every top-level simple assignment of it is
 * removed (an earlier one would otherwise become the effective one). When
 * shell logic may set it after the last simple line, an empty `KEY=` is
 * appended instead, which the platform reads as unset. Unchanged text when no
 * line sets it.
 */
export function dropConfKey(text: string, key: OwnedKey): string {
  if (!text.includes(key)) return text;
  const doc: ConfDoc = parseConf(text, new Set([key]));
  const edit = dropEdit(doc, key, effectiveLine(doc, key));
  switch (edit.kind) {
    case 'none':
      return text;
    case 'blank':
      doc.lines[edit.line]!.text = edit.text;
      return serializeConf(doc);
    case 'append': {
      if (doc.openAtEnd) throw new ConfEditError(`cannot clear ${key}: the file ends inside an unfinished quote, heredoc or block`);
      const end = doc.lines[doc.lines.length - 1];
      if (end && end.eol === '') end.eol = doc.eol;
      doc.lines.push({ text: `${key}=`, eol: doc.eol, assignment: null, touches: [] });
      return serializeConf(doc);
    }
    case 'remove': {
      const gone = new Set(edit.lines);
      doc.lines = doc.lines.filter((_, k) => !gone.has(k));
      return serializeConf(doc);
    }
  }
}
