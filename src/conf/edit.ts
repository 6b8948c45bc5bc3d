// Edits the owned keys of .operator.conf in place: the effective (last)
// assignment of each key gets the new value, keeping its position, its
// `export ` prefix, its quoting and its trailing comment; missing keys are
// appended with the file's own line ending. Every other byte is kept.
import { effectiveLine, effectiveValue, parseConf, serializeConf, type ConfDoc } from './parse.js';
import { checkConfValues, OWNED_KEYS, type ConfValues, type OwnedKey } from './values.js';

export class ConfEditError extends Error {}

/** The owned keys' effective values (undefined where absent or computed by shell logic). */
export function readOwned(text: string): ConfValues {
  const doc = parseConf(text);
  const out: ConfValues = {};
  for (const k of OWNED_KEYS) {
    const v = effectiveValue(doc, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function quoted(value: string, quote: '' | "'" | '"'): string {
  return `${quote}${value}${quote}`;
}

/** Returns the text with the given owned keys set; unchanged text when they already hold those values. */
export function updateConf(text: string, values: ConfValues): string {
  const checked = checkConfValues(values);
  const doc: ConfDoc = parseConf(text);
  const append: Array<[OwnedKey, string]> = [];
  for (const key of OWNED_KEYS) {
    const value = checked[key];
    if (value === undefined) continue;
    const i = effectiveLine(doc, key);
    const line = i === -1 ? undefined : doc.lines[i];
    const a = line?.assignment;
    if (line && a && a.key === key) {
      if (a.value === value) continue;
      const raw = quoted(value, a.quote);
      line.text = a.head + raw + a.tail;
      line.assignment = { ...a, raw, value };
    } else {
      append.push([key, value]);
    }
  }
  if (append.length) {
    if (doc.openAtEnd) {
      throw new ConfEditError(
        `cannot add ${append.map(([k]) => k).join(', ')}: the file ends inside an unfinished quote, heredoc or block`,
      );
    }
    const last = doc.lines[doc.lines.length - 1];
    if (last && last.eol === '') last.eol = doc.eol;
    for (const [key, value] of append) {
      doc.lines.push({ text: `${key}=${value}`, eol: doc.eol, assignment: null, touches: [] });
    }
  }
  return serializeConf(doc);
}

/** Text of a new .operator.conf before the owned keys are added. */
export const NEW_CONF_HEADER =
  '# Knowledge Graph platform settings, read by operator.sh.\n' +
  '# kg-init sets GPU_MODE, KG_API_IMAGE_TAG, IMAGE_SOURCE and INITIALIZED_AT;\n' +
  '# it keeps every other line of this file as you wrote it.\n';
