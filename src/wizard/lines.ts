// A screen line as data: coloured segments that fit one terminal row. Screens
// are built from these by pure functions (screens.ts); ui.tsx renders them.
import { clip, type Size } from './layout.js';
import { makeStyle } from '../cli/color.js';
import { GLYPH, PLAIN_WORD } from '../present/symbols.js';

export type Tone = 'ok' | 'warn' | 'fail' | 'dim' | 'accent' | 'bold' | 'add' | 'del' | 'hunk' | 'title';
export interface Seg {
  text: string;
  tone?: Tone;
}
export type LineSpec = string | Seg[];

export function segs(spec: LineSpec): Seg[] {
  return typeof spec === 'string' ? [{ text: spec }] : spec;
}

/** The segments of a line cut to `width` columns (an ellipsis marks the cut). */
export function clipSegs(spec: LineSpec, width: number): Seg[] {
  let left = Math.max(width, 1);
  const kept: Seg[] = [];
  const all = segs(spec);
  const total = all.reduce((n, s) => n + [...s.text].length, 0);
  for (const s of all) {
    if (left <= 0) break;
    const cps = [...s.text];
    if (total > width && cps.length >= left) {
      // This segment crosses the edge: cut it and mark the cut.
      const text = cps.slice(0, left - 1).join('') + '…';
      kept.push(s.tone ? { text, tone: s.tone } : { text });
      break;
    }
    kept.push(s.tone ? { text: s.text, tone: s.tone } : { text: s.text });
    left -= cps.length;
  }
  return kept;
}

/**
 * Draws a rounded box around lines, `width` columns wide, with the title in
 * its top edge. The box adds two rows and four columns.
 */
export function boxed(title: string, lines: LineSpec[], width: number): LineSpec[] {
  const inner = Math.max(width - 4, 1);
  const head = clip(` ${title} `, Math.max(width - 3, 1));
  const top: LineSpec = [{ text: `╭─${head}${'─'.repeat(Math.max(width - 3 - [...head].length, 0))}╮`, tone: 'dim' }];
  const bottom: LineSpec = [{ text: `╰${'─'.repeat(Math.max(width - 2, 0))}╯`, tone: 'dim' }];
  const body = lines.map((l): LineSpec => {
    const kept = clipSegs(l, inner);
    const used = kept.reduce((n, s) => n + [...s.text].length, 0);
    return [{ text: '│ ', tone: 'dim' }, ...kept, { text: ' '.repeat(Math.max(inner - used, 0)) }, { text: ' │', tone: 'dim' }];
  });
  return [top, ...body, bottom];
}

/** A segment, with a tone only when one is given. */
export function seg(text: string, tone?: Tone | false): Seg {
  return tone ? { text, tone } : { text };
}

export interface Theme {
  plain: boolean;
  ok: string;
  warn: string;
  fail: string;
  info: string;
  skip: string;
  pointer: string;
  /** Marker of an unhighlighted row, as wide as the pointer. */
  blank: string;
  sep: string;
}

/** Symbols of the fancy look, or words for --plain (screen readers, dumb terminals). */
export function theme(plain: boolean): Theme {
  return plain
    ? { plain, ok: PLAIN_WORD.ok, warn: PLAIN_WORD.warning, fail: PLAIN_WORD.error, info: PLAIN_WORD.info, skip: PLAIN_WORD.skipped, pointer: '>', blank: ' ', sep: ', ' }
    : { plain, ok: GLYPH.ok, warn: GLYPH.warning, fail: GLYPH.error, info: GLYPH.info, skip: GLYPH.skipped, pointer: '❯', blank: ' ', sep: ' · ' };
}

/**
 * A whole frame (title, blank row, body, footer) as terminal text, for the
 * frame painted before Ink has loaded. Mirrors ui.tsx's Frame.
 */
export function frameText(title: LineSpec, body: LineSpec[], footer: string, size: Size, colour: boolean): { text: string; rows: number } {
  const st = makeStyle(colour);
  const paint = (s: Seg): string => {
    switch (s.tone) {
      case 'ok':
      case 'add':
        return st.green(s.text);
      case 'warn':
        return st.yellow(s.text);
      case 'fail':
      case 'del':
        return st.red(s.text);
      case 'dim':
        return st.dim(s.text);
      case 'accent':
      case 'hunk':
        return st.cyan(s.text);
      case 'bold':
        return st.bold(s.text);
      case 'title':
        return st.bold(st.cyan(s.text));
      default:
        return s.text;
    }
  };
  const rows: LineSpec[] = [title, ...(body.length ? ['', ...body] : []), ...(footer ? [[seg(footer, 'dim')]] : [])];
  const text = rows.map((r) => clipSegs(r, size.columns).map(paint).join('')).join('\n') + '\n';
  return { text, rows: rows.length };
}
