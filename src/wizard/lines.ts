// A screen line as data: coloured segments that fit one terminal row. Screens
// are built from these by pure functions (screens.ts); ui.tsx renders them.
import { makeStyle } from '../cli/color.js';
import { GLYPH, PLAIN_WORD } from '../present/symbols.js';

/** `command`: a command to copy (accent colour; printed on one line, never wrapped by kg-init). */
export type Tone = 'ok' | 'warn' | 'fail' | 'dim' | 'accent' | 'bold' | 'add' | 'del' | 'hunk' | 'title' | 'command';
export interface Seg {
  text: string;
  tone?: Tone;
}
export type LineSpec = string | Seg[];

export function segs(spec: LineSpec): Seg[] {
  return typeof spec === 'string' ? [{ text: spec }] : spec;
}

/** The segments of a line cut to `width` columns (a safety net: screens wrap their lines first, so nothing is cut). */
export function clipSegs(spec: LineSpec, width: number): Seg[] {
  let left = Math.max(width, 1);
  const kept: Seg[] = [];
  for (const s of segs(spec)) {
    if (left <= 0) break;
    const cps = [...s.text];
    const text = cps.length > left ? cps.slice(0, left).join('') : s.text;
    kept.push(s.tone ? { text, tone: s.tone } : { text });
    left -= cps.length;
  }
  return kept;
}

/**
 * Where a wrapped line's continuation rows start: under the text after the
 * leading spaces and a short marker ("✓ ", "fix: ", "warning: ").
 */
function continuationIndent(text: string, width: number): number {
  const m = /^(\s*)(\S{1,2} |(?:fix|note|ok|warning|error|skipped|Next|Then|unverified):? )?/.exec(text)!;
  const n = [...m[0]].length;
  return Math.min(n, Math.floor(width / 2));
}

/**
 * A line as rows of at most `width` columns, broken at spaces (a word wider
 * than a row is split), each segment keeping its tone. Nothing is left out.
 */
export function wrapSegs(spec: LineSpec, width: number): Seg[][] {
  const all = segs(spec);
  const w = Math.max(width, 1);
  const text = all.map((x) => x.text).join('');
  const cps = [...text];
  if (cps.length <= w) return [all];
  const tones: Array<Tone | undefined> = [];
  for (const x of all) for (const _ of x.text) tones.push(x.tone);
  const indent = continuationIndent(text, w);
  const rows: Seg[][] = [];
  const emit = (from: number, to: number, first: boolean) => {
    const row: Seg[] = first || indent === 0 ? [] : [{ text: ' '.repeat(indent) }];
    for (let i = from; i < to; i++) {
      const last = row[row.length - 1];
      if (last && last.tone === tones[i] && (row.length > 1 || first || indent === 0)) last.text += cps[i];
      else row.push(tones[i] ? { text: cps[i]!, tone: tones[i]! } : { text: cps[i]! });
    }
    rows.push(row);
  };
  let pos = 0;
  let first = true;
  while (pos < cps.length) {
    const avail = Math.max(first ? w : w - indent, 1);
    if (cps.length - pos <= avail) {
      emit(pos, cps.length, first);
      break;
    }
    let brk = -1;
    for (let i = pos + avail; i > pos; i--) {
      if (cps[i] === ' ') {
        brk = i;
        break;
      }
    }
    if (brk <= pos) {
      emit(pos, pos + avail, first);
      pos += avail;
    } else {
      emit(pos, brk, first);
      pos = brk;
      while (cps[pos] === ' ') pos++;
    }
    first = false;
  }
  return rows;
}

/**
 * Draws a rounded box around lines, `width` columns wide, with the title in
 * its top edge. The box adds two rows and four columns.
 */
export function boxed(title: string, lines: LineSpec[], width: number): LineSpec[] {
  const inner = Math.max(width - 4, 1);
  const head = [...` ${title} `].slice(0, Math.max(width - 3, 1)).join('');
  const top: LineSpec = [{ text: `╭─${head}${'─'.repeat(Math.max(width - 3 - [...head].length, 0))}╮`, tone: 'dim' }];
  const bottom: LineSpec = [{ text: `╰${'─'.repeat(Math.max(width - 2, 0))}╯`, tone: 'dim' }];
  const body = lines.flatMap((l) => wrapSegs(l, inner)).map((kept): LineSpec => {
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

/** A frame as terminal text: its rows, and whether it leaves the cursor on the row under it. */
export interface FrameText {
  text: string;
  rows: number;
  /** True: the cursor ends on the row under the frame; false: at the end of its last row. */
  below: boolean;
}

/**
 * Rows that already fit the width (a laid-out screen's, screens.ts laidText)
 * as terminal text, for the frames painted before Ink has loaded: byte for
 * byte what Ink writes for them (ui.tsx's Frame), so that Ink can take the
 * frame over without painting it again. Ink drops each row's trailing blanks
 * and ends a frame with a newline; in its screen-reader mode (`plain`) it
 * does neither, and keeps an empty row's one space.
 */
export function rowsText(rows: Seg[][], colour: boolean, plain = false): FrameText {
  const paint = painter(colour);
  const lines = rows.map((r) => r.map(paint).join(''));
  if (plain) return { text: lines.map((l) => l || ' ').join('\n'), rows: rows.length, below: false };
  return { text: lines.map((l) => l.trimEnd()).join('\n') + '\n', rows: rows.length, below: true };
}

/** The spinner's glyphs, one per 80 ms (ui.tsx's useSpinner, and the frames painted before Ink). */
export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export const SPINNER_MS = 80;

/** Moves back to the first row of a frame on screen and clears from there down. */
export function eraseFrame(f: Pick<FrameText, 'rows' | 'below'>): string {
  if (f.rows <= 0) return '';
  const up = f.below ? f.rows : f.rows - 1;
  return `\r${up > 0 ? `\u001b[${up}A` : ''}\u001b[J`;
}

/** Terminal text of a segment, coloured as ui.tsx colours it. */
export function painter(colour: boolean): (s: Seg) => string {
  const st = makeStyle(colour);
  return (s: Seg): string => {
    // As Ink's colour library: no codes around nothing.
    if (s.text === '') return '';
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
      case 'command':
        return st.cyan(s.text);
      case 'bold':
        return st.bold(s.text);
      case 'title':
        return st.bold(st.cyan(s.text));
      default:
        return s.text;
    }
  };
}
