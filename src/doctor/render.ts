// Doctor's two outputs: a readable list (the symbols of src/present: ✓ ok,
// ! warning, ✗ error, i info, – skipped; each problem followed by its fix)
// and the --json object.
import type { Style } from '../cli/color.js';
import { mark as glyph } from '../present/symbols.js';
import type { CheckOutcome, DoctorResult } from './checks.js';

function mark(s: Style, status: CheckOutcome['status']): string {
  return glyph(status, s);
}

export function renderText(r: DoctorResult, s: Style): string {
  const lines: string[] = [];
  lines.push(`${s.bold('kg-init doctor')} ${r.dir}`);
  lines.push(`  mode ${r.mode ?? '(none)'}, kg-api:${r.imageTag ?? '(none)'}`);
  lines.push('');
  for (const c of r.checks) {
    if (c.problems.length === 0) {
      lines.push(`${mark(s, c.status)} ${c.title}${c.detail ? s.dim(` — ${c.detail}`) : ''}`);
      continue;
    }
    lines.push(`${mark(s, c.status)} ${c.title}`);
    for (const p of c.problems) {
      lines.push(`    ${p.message}`);
      lines.push(`    ${s.dim('fix:')} ${s.cyan(p.fix)}`);
    }
  }
  lines.push('');
  const errors = r.problems.filter((p) => p.severity === 'error').length;
  const warnings = r.problems.filter((p) => p.severity === 'warning').length;
  if (r.healthy) {
    lines.push(warnings ? s.yellow(`Healthy, with ${warnings} warning${warnings > 1 ? 's' : ''}.`) : s.green('Healthy: this install fits this host.'));
  } else {
    lines.push(s.red(`${errors} problem${errors > 1 ? 's' : ''} will stop this install from working`) + (warnings ? `, and ${warnings} warning${warnings > 1 ? 's' : ''}` : '') + '.');
  }
  return `${lines.join('\n')}\n`;
}

export function renderJson(r: DoctorResult): string {
  const out = {
    healthy: r.healthy,
    dir: r.dir,
    mode: r.mode,
    imageTag: r.imageTag,
    problems: r.problems,
    checks: r.checks.map((c) => ({ id: c.id, title: c.title, status: c.status, detail: c.detail })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
