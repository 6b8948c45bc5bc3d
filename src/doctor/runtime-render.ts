// doctor --runtime's output: a short section after doctor's own report (the
// healthy case is ONE line, never wrapped: the torch build and the device),
// the problems in the one finding format (`message [CODE]`, then its fix), and
// the `runtime` object of --json.
import type { Style } from '../cli/color.js';
import { suggest } from '../present/shell.js';
import { findingText, mark } from '../present/symbols.js';
import { wrap } from '../present/wrap.js';
import type { RuntimeResult } from './runtime.js';

export function renderRuntimeText(r: RuntimeResult, s: Style, width = 80): string {
  const lines: string[] = [];
  const para = (lead: string, leadWidth: number, text: string) => {
    wrap(text, width - leadWidth).forEach((row, i) => lines.push(i === 0 ? lead + row : ' '.repeat(leadWidth) + row));
  };
  const where = r.container
    ? r.oneOff
      ? `one-off container ${r.container.name}`
      : `${r.container.name}, ${r.container.foundBy}`
    : `compose project ${r.project}`;
  lines.push(`${s.bold('Runtime')} ${s.dim(`(${where})`)}`);
  if (r.torchOk) lines.push(`${mark('ok', s)} ${r.line}`);
  const sorted = [...r.findings].sort((a, b) => (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1));
  for (const f of sorted) {
    para(`${mark(f.severity, s)} `, 2, findingText(f));
    para(`  ${s.dim('fix:')} `, 7, suggest(f.fix));
  }
  if (!r.ok) lines.push(`${mark('error', s)} ${s.red('The configured GPU path is not real inside the platform.')}`);
  return `${lines.join('\n')}\n`;
}

/** The `runtime` member of doctor --json. */
export function runtimeJson(r: RuntimeResult): Record<string, unknown> {
  return {
    ok: r.ok,
    torchOk: r.torchOk,
    line: r.line,
    how: r.how,
    project: r.project,
    projectFrom: r.projectFrom,
    container: r.container,
    image: r.image,
    pull: r.pull,
    torch: r.torch,
    logLines: r.logLines,
    findings: r.findings,
  };
}
