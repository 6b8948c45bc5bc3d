// One set of severity symbols for every output (probe, configure, doctor, the
// wizard): ✓ ok, ! warning, ✗ error, i info, – skipped, each with a word for
// --plain and dumb terminals, and one colour each.
import type { Style } from '../cli/color.js';

export type Level = 'ok' | 'warning' | 'error' | 'info' | 'skipped';

export const GLYPH: Readonly<Record<Level, string>> = { ok: '✓', warning: '!', error: '✗', info: 'i', skipped: '–' };

/** Words in place of the symbols, for --plain (screen readers) and TERM=dumb. */
export const PLAIN_WORD: Readonly<Record<Level, string>> = { ok: 'ok:', warning: 'warning:', error: 'error:', info: 'note:', skipped: 'skipped:' };

/** The colour of each level: the wizard's tone names and the CLI style's methods. */
export const TONE = { ok: 'ok', warning: 'warn', error: 'fail', info: 'accent', skipped: 'dim' } as const satisfies Record<Level, string>;

/** The symbol of a level (or its word when plain), coloured by `style`. */
export function mark(level: Level, style?: Style, plain = false): string {
  const text = plain ? PLAIN_WORD[level] : GLYPH[level];
  if (!style) return text;
  switch (level) {
    case 'ok':
      return style.green(text);
    case 'warning':
      return style.yellow(text);
    case 'error':
      return style.red(text);
    case 'info':
      return style.cyan(text);
    case 'skipped':
      return style.dim(text);
  }
}

/** A finding's severity as a level. */
export function levelOf(severity: 'error' | 'warning' | 'info'): Level {
  return severity;
}

/** The one finding format of every output: `message [CODE]`. */
export function findingText(f: { code: string; message: string }): string {
  return `${f.message} [${f.code}]`;
}

/**
 * What to print under a finding: a fix to act on (`fix: …`), or a note when
 * the "fix" says there is nothing to do ("Nothing to do: the overlay sets
 * it."); nothing when it only says "Nothing to do.".
 */
export function fixOf(f: { fix?: string | undefined }): { label: 'fix' | 'note'; text: string } | undefined {
  const fix = f.fix?.trim();
  if (!fix) return undefined;
  if (/^nothing to do\b/i.test(fix)) return /^nothing to do[.!]?$/i.test(fix) ? undefined : { label: 'note', text: fix };
  return { label: 'fix', text: fix };
}
