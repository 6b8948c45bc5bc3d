// Pure layout arithmetic for the wizard's screens: every screen is a list of
// one-row lines, so fitting a terminal is counting. Ink wipes the scrollback
// when a frame is as tall as the terminal, so a frame uses at most rows - 1.
import type { FileChange, Plan } from '../plan/types.js';
import type { InstallState } from '../install/types.js';

export interface Size {
  columns: number;
  rows: number;
}

/** Rows a whole frame may use: one less than the terminal, and at least 4. */
export function frameRows(size: Size): number {
  return Math.max(size.rows - 1, 4);
}

/** Rows left for a screen's body under the header line, a blank line and the footer line. */
export function bodyRows(size: Size): number {
  return Math.max(frameRows(size) - 3, 1);
}

/** Code points, not UTF-16 units: close enough for the symbols used here. */
export function textWidth(s: string): number {
  return [...s].length;
}

/**
 * Breaks text into rows of at most `width` columns at spaces (a word longer
 * than a row is cut hard), continuation rows indented by `indent` spaces.
 * For what must be read whole: the next command, a fix.
 */
export function wrapText(text: string, width: number, indent = 0): string[] {
  const rows: string[] = [];
  let row = '';
  const limit = (): number => Math.max(rows.length === 0 ? width : width - indent, 1);
  const push = () => {
    rows.push(rows.length === 0 ? row : ' '.repeat(indent) + row);
    row = '';
  };
  for (const word of text.split(' ')) {
    let w = word;
    while (textWidth(row ? `${row} ${w}` : w) > limit()) {
      if (row) {
        push();
        continue;
      }
      const cps = [...w];
      row = cps.slice(0, limit()).join('');
      w = cps.slice(limit()).join('');
      push();
      if (!w) break;
    }
    if (w) row = row ? `${row} ${w}` : w;
  }
  if (row || rows.length === 0) push();
  return rows;
}

export function pad(s: string, width: number): string {
  const w = textWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

/**
 * Fits a list into `max` rows: keeps the first rows and replaces the rest by
 * one "… N more" row, so the reader knows something was left out.
 */
export function fitList<T>(items: readonly T[], max: number): { shown: T[]; hidden: number } {
  if (max <= 0) return { shown: [], hidden: items.length };
  if (items.length <= max) return { shown: [...items], hidden: 0 };
  return { shown: items.slice(0, Math.max(max - 1, 0)), hidden: items.length - Math.max(max - 1, 0) };
}

/** Files of a plan that will change, in plan order. */
export function changedFiles(plan: Plan): FileChange[] {
  return plan.files.filter((f) => f.action !== 'unchanged');
}

export type DiffKind = 'add' | 'del' | 'hunk' | 'file' | 'context';
export interface DiffLine {
  kind: DiffKind;
  text: string;
}

/** The unified diff of every changed file, one entry per terminal row. */
export function diffLines(plan: Plan, diff: (c: FileChange) => string): DiffLine[] {
  const out: DiffLine[] = [];
  for (const change of changedFiles(plan)) {
    const text = diff(change).replace(/\n$/, '');
    for (const line of text.split('\n')) {
      const kind: DiffKind = line.startsWith('+++') || line.startsWith('---')
        ? 'file'
        : line.startsWith('@@')
          ? 'hunk'
          : line.startsWith('+')
            ? 'add'
            : line.startsWith('-')
              ? 'del'
              : 'context';
      // Tabs would make a row wider than it counts; show them as spaces.
      out.push({ kind, text: line.replace(/\t/g, '    ') });
    }
  }
  return out;
}

export interface ReviewLayout {
  /** Rows given to the list of changed files (including a "… N more" row). */
  fileRows: number;
  /** Rows of diff shown at once. */
  window: number;
  /** Largest first-row offset. */
  maxScroll: number;
  total: number;
}

export function reviewLayout(plan: Plan | null, lines: number, size: Size): ReviewLayout {
  const body = bodyRows(size);
  const files = plan ? changedFiles(plan).length : 0;
  // The file list gets at most a third of the body; the diff the rest, less its ruler.
  const fileRows = Math.min(Math.max(files, 1), Math.max(Math.floor(body / 3), 1));
  const window = Math.max(body - fileRows - 1, 1);
  return { fileRows, window, maxScroll: Math.max(lines - window, 0), total: lines };
}

/** An existing .operator.conf in one or two lines: mode, image, when initialised. */
export function confSummary(install: InstallState): { tone: 'info' | 'warn'; lines: string[] } {
  const c = install.conf;
  if (!c.exists) return { tone: 'info', lines: [`No .operator.conf in ${install.dir} yet: a new install.`] };
  if (c.problem) return { tone: 'warn', lines: [`.operator.conf cannot be used (${c.problem}):`, '  fix it or move it aside before writing.'] };
  const v = c.values;
  const parts = [
    `mode ${v.GPU_MODE ?? 'not set'}`,
    `image ${v.KG_API_IMAGE_TAG ?? 'not set'}`,
    v.INITIALIZED_AT ? `initialised ${formatWhen(v.INITIALIZED_AT)}` : 'initialisation time not recorded',
  ];
  return { tone: 'info', lines: [`Existing .operator.conf in ${install.dir}:`, `  ${parts.join(', ')}`] };
}

function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}
