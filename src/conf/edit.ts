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
import { effectiveLine, parseConf, serializeConf, type ConfDoc, type Touch } from './parse.js';
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

// The last text parsed: reading a config and planning its update parse it once.
interface Analysis {
  text: string;
  doc: ConfDoc;
  reading: ConfReading;
  /** Each owned key's effective line (-1: none). */
  effective: Record<OwnedKey, number>;
}
let cached: Analysis | null = null;

function analysed(text: string): Analysis {
  if (cached && cached.text === text) return cached;
  const doc = parseConf(text, OWNED);
  const effective = Object.fromEntries(OWNED_KEYS.map((k) => [k, effectiveLine(doc, k)])) as Record<OwnedKey, number>;
  cached = { text, doc, reading: judge(doc, effective), effective };
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
    const a = doc.lines[i]!.assignment;
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

/** The owned keys' effective values (undefined where absent or computed by shell logic). */
export function readOwned(text: string): ConfValues {
  return readConf(text).values;
}

function quoted(value: string, quote: '' | "'" | '"'): string {
  return `${quote}${value}${quote}`;
}

/** Returns the text with the given owned keys set; unchanged text when they already hold those values. */
export function updateConf(text: string, values: ConfValues): string {
  const checked = checkConfValues(values);
  const { doc, reading, effective } = analysed(text);
  if (reading.refusal) throw new ConfEditError(`line ${reading.refusal.line}: ${reading.refusal.reason}`);
  const replace = new Map<number, string>();
  const append: Array<[OwnedKey, string]> = [];
  for (const key of OWNED_KEYS) {
    const value = checked[key];
    if (value === undefined) continue;
    const i = effective[key];
    const a = i === -1 ? null : doc.lines[i]!.assignment;
    if (a && a.key === key) {
      if (a.value !== value) replace.set(i, a.head + quoted(value, a.quote) + a.tail);
    } else {
      append.push([key, value]);
    }
  }
  if (!replace.size && !append.length) return text;
  if (append.length && doc.openAtEnd) {
    throw new ConfEditError(
      `cannot add ${append.map(([k]) => k).join(', ')}: the file ends inside an unfinished quote, heredoc or block`,
    );
  }
  // The text between replaced lines is copied as slices: a big file is not rebuilt line by line.
  const base = doc.bom ? 1 : 0;
  const parts: string[] = [];
  let from = 0;
  for (const i of [...replace.keys()].sort((x, y) => x - y)) {
    const at = base + doc.starts[i]!;
    parts.push(text.slice(from, at), replace.get(i)!);
    from = at + doc.lines[i]!.text.length;
  }
  parts.push(text.slice(from));
  if (append.length) {
    const last = doc.lines[doc.lines.length - 1];
    if (last && last.eol === '') parts.push('\n');
    // '\n' even in a CRLF file: bash would read a CR into the value.
    for (const [key, value] of append) parts.push(`${key}=${value}\n`);
  }
  return parts.join('');
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
  const doc: ConfDoc = parseConf(text);
  const i = effectiveLine(doc, key);
  if (i === -1) return text;
  const last = doc.lines[i]!;
  if (last.assignment?.key === key && last.assignment.value === '') return text;
  if (last.assignment?.key !== key || doc.lines.some((l) => l.touches.includes(key))) {
    if (last.assignment?.key !== key && doc.openAtEnd) {
      throw new ConfEditError(`cannot clear ${key}: the file ends inside an unfinished quote, heredoc or block`);
    }
    if (last.assignment?.key === key) {
      last.text = `${last.assignment.head}${last.assignment.tail}`;
      last.assignment = { ...last.assignment, raw: '', value: '', quote: '' };
      return serializeConf(doc);
    }
    const end = doc.lines[doc.lines.length - 1];
    if (end && end.eol === '') end.eol = doc.eol;
    doc.lines.push({ text: `${key}=`, eol: doc.eol, assignment: null, touches: [] });
    return serializeConf(doc);
  }
  doc.lines = doc.lines.filter((l) => l.assignment?.key !== key);
  return serializeConf(doc);
}
