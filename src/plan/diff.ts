// A unified diff of one FileChange, for --dry-run and the wizard's preview.
// Small LCS diff (config and compose files are a few hundred lines at most);
// no dependency.
import type { FileChange } from './types.js';

type Op = { kind: ' ' | '-' | '+'; text: string; noEol: boolean };

function toLines(text: string | null): Array<{ text: string; noEol: boolean }> {
  if (!text) return [];
  const parts = text.split('\n');
  const endsWithNl = parts[parts.length - 1] === '';
  if (endsWithNl) parts.pop();
  // A CR of a CRLF line is shown as a visible mark rather than moving the cursor.
  return parts.map((p, i) => ({ text: p.replace(/\r$/, '␍'), noEol: !endsWithNl && i === parts.length - 1 }));
}

function ops(a: ReturnType<typeof toLines>, b: ReturnType<typeof toLines>): Op[] {
  const n = a.length;
  const m = b.length;
  const key = (l: { text: string; noEol: boolean }) => `${l.noEol ? '0' : '1'}${l.text}`;
  if (n * m > 4_000_000) {
    return [...a.map((l) => ({ kind: '-' as const, ...l })), ...b.map((l) => ({ kind: '+' as const, ...l }))];
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = key(a[i]!) === key(b[j]!) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && key(a[i]!) === key(b[j]!)) {
      out.push({ kind: ' ', ...a[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removals before additions, as diff(1) prints them.
      out.push({ kind: '-', ...a[i]! });
      i++;
    } else {
      out.push({ kind: '+', ...b[j]! });
      j++;
    }
  }
  return out;
}

/** Unified diff (3 lines of context) of a change; '' when nothing changes. */
export function unifiedDiff(change: FileChange, context = 3): string {
  if (change.before === change.after) return '';
  const all = ops(toLines(change.before), toLines(change.after));
  const header = [
    `--- ${change.before === null ? '/dev/null' : `a/${change.path}`}`,
    `+++ ${change.after === null ? '/dev/null' : `b/${change.path}`}`,
  ];
  const hunks: string[] = [];
  let k = 0;
  while (k < all.length) {
    if (all[k]!.kind === ' ') {
      k++;
      continue;
    }
    // Grow a hunk from this change until 2*context unchanged lines separate it from the next.
    let start = Math.max(0, k - context);
    let end = k;
    while (end < all.length) {
      if (all[end]!.kind !== ' ') {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < all.length && all[end + run]!.kind === ' ') run++;
      if (end + run >= all.length || run > 2 * context) {
        end = Math.min(all.length, end + context);
        break;
      }
      end += run;
    }
    const slice = all.slice(start, end);
    let aStart = 1;
    let bStart = 1;
    for (const op of all.slice(0, start)) {
      if (op.kind !== '+') aStart++;
      if (op.kind !== '-') bStart++;
    }
    const aLen = slice.filter((o) => o.kind !== '+').length;
    const bLen = slice.filter((o) => o.kind !== '-').length;
    hunks.push(`@@ -${aLen ? aStart : aStart - 1},${aLen} +${bLen ? bStart : bStart - 1},${bLen} @@`);
    for (const op of slice) {
      hunks.push(`${op.kind}${op.text}`);
      if (op.noEol) hunks.push('\\ No newline at end of file');
    }
    k = end;
    start = end;
  }
  return [...header, ...hunks].join('\n') + '\n';
}
