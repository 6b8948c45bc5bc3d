// Doctor's two outputs: a readable list (the symbols of src/present: ✓ ok,
// ! warning, ✗ error, i info, – skipped; each problem followed by its fix)
// and the --json object.
import type { Style } from '../cli/color.js';
import { mark as glyph } from '../present/symbols.js';
import type { CheckOutcome, DoctorResult, Problem } from './checks.js';
import { suggest } from '../present/shell.js';
import { wrap } from '../present/wrap.js';
import { LAYOUT_LABELS } from '../platform/layout.js';

function mark(s: Style, status: CheckOutcome['status']): string {
  return glyph(status, s);
}

export interface RenderOptions {
  /** Every check, passed and skipped too (--verbose). */
  verbose?: boolean;
  /** Columns to wrap prose at (commands and URLs are never broken). */
  width?: number;
}

const ORDER: Record<Problem['severity'], number> = { error: 0, warning: 1, info: 2 };

/**
 * Problems first, worst first, each with its fix, then one summary line (the
 * way brew doctor and flutter doctor read); --verbose lists every check.
 */
export function renderText(r: DoctorResult, s: Style, opts: RenderOptions = {}): string {
  const width = opts.width ?? 80;
  const lines: string[] = [];
  const para = (lead: string, leadWidth: number, text: string, indent = leadWidth) => {
    wrap(text, width - leadWidth).forEach((row, i) => lines.push(i === 0 ? lead + row : ' '.repeat(indent) + row));
  };
  const head = `${r.dir} · ${r.mode ?? 'no GPU mode'}, kg-api:${r.imageTag ?? '(none)'}`;
  para(`${s.bold('kg-init doctor')} `, 'kg-init doctor '.length, head, 2);
  para('  ', 2, `platform: ${LAYOUT_LABELS[r.layout]}`);
  const problem = (p: Problem) => {
    para(`${mark(s, p.severity)} `, 2, p.message);
    // The fix is a command: on a row of its own, never broken.
    para(`  ${s.dim('fix:')} `, 7, suggest(p.fix));
  };
  if (opts.verbose) {
    lines.push('');
    for (const c of r.checks) {
      para(`${mark(s, c.status)} `, 2, c.problems.length ? c.title : `${c.title}${c.detail ? ` — ${c.detail}` : ''}`);
      for (const p of c.problems) {
        para('    ', 4, p.message);
        para(`    ${s.dim('fix:')} `, 9, suggest(p.fix));
      }
    }
  } else if (r.problems.length) {
    lines.push('');
    for (const p of [...r.problems].sort((a, b) => ORDER[a.severity] - ORDER[b.severity])) problem(p);
  }
  const errors = r.problems.filter((p) => p.severity === 'error').length;
  const warnings = r.problems.filter((p) => p.severity === 'warning').length;
  const passed = r.checks.filter((c) => c.status === 'ok').length;
  const skipped = r.checks.filter((c) => c.status === 'skipped').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const counts = `${plural(passed, 'check')} passed${skipped ? `, ${skipped} not needed here` : ''}`;
  const more = opts.verbose ? '' : '; --verbose lists every check';
  lines.push('');
  if (!r.healthy) {
    para(`${mark(s, 'error')} `, 2, `${s.red(`${plural(errors, 'problem')} will stop this install from working`)}${warnings ? `, and ${plural(warnings, 'warning')}` : ''} (${counts}${more}).`);
  } else if (warnings) {
    para(`${mark(s, 'warning')} `, 2, `${s.yellow(`Works, with ${plural(warnings, 'warning')}`)} (${counts}${more}).`);
  } else {
    para(`${mark(s, 'ok')} `, 2, `${s.green('Healthy: this install fits this host')} (${counts}${more}).`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderJson(r: DoctorResult): string {
  const out = {
    healthy: r.healthy,
    dir: r.dir,
    layout: r.layout,
    mode: r.mode,
    imageTag: r.imageTag,
    problems: r.problems,
    checks: r.checks.map((c) => ({ id: c.id, title: c.title, status: c.status, detail: c.detail })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
