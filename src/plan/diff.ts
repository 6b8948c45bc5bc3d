// A unified diff of one FileChange, for --dry-run and the wizard's preview.
// No dependency. Linear in the common part of the file: the common prefix and
// suffix are trimmed first, and only what lies between is diffed, with Myers'
// O((N+M)·D) algorithm, so a two-line change in a config of thousands of lines
// is a few hunks, found in a few milliseconds. Only a middle that differs in
// more than MAX_EDITS lines (a file rewritten wholesale) is shown as removed
// and added whole, which is still a correct diff.
// It is for the terminal: a line holding escape sequences or other control
// characters (a planted .operator.conf) is shown with them removed or made
// visible (src/util/sanitize.ts), a CRLF line's CR as \x0d.
import type { FileChange } from './types.js';
import { needsSanitizing, sanitizeText } from '../util/sanitize.js';

/** Past this many differing lines in the middle, the middle is shown as removed and re-added. */
const MAX_EDITS = 2_000;

/** A file's lines; `noEol`: its last line has no newline. */
interface Lines {
  text: string[];
  noEol: boolean;
}

function toLines(text: string | null): Lines {
  if (!text) return { text: [], noEol: false };
  const parts = text.split('\n');
  const endsWithNl = parts[parts.length - 1] === '';
  if (endsWithNl) parts.pop();
  // A CR of a CRLF line is shown as a visible mark rather than moving the cursor.
  for (let i = 0; i < parts.length; i++) if (parts[i]!.endsWith('\r')) parts[i] = `${parts[i]!.slice(0, -1)}␍`;
  return { text: parts, noEol: !endsWithNl };
}

// Ops: ' ' (a line of a, kept), '-' (a line of a, removed), '+' (a line of b, added).
const KEEP = 0;
const DEL = 1;
const ADD = 2;
const MARK = [' ', '-', '+'] as const;

/** The edit script, as parallel arrays: kind[i] and the index of its line (in a, or in b for ADD). */
class Script {
  kind: number[] = [];
  at: number[] = [];
  push(kind: number, at: number): void {
    this.kind.push(kind);
    this.at.push(at);
  }
  get length(): number {
    return this.kind.length;
  }
}

/**
 * Myers' greedy shortest edit script between a[aLo..aHi) and b[bLo..bHi),
 * appended to `out`, removals before additions within a run of changes (as
 * diff(1) prints them); false (nothing appended) past maxD edits.
 */
function myers(a: Lines, aLo: number, aHi: number, b: Lines, bLo: number, bHi: number, out: Script, maxD: number): boolean {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const A = a.text;
  const B = b.text;
  const aLast = A.length - 1;
  const bLast = B.length - 1;
  // Equal text, and both or neither the last line without a newline.
  const same = (i: number, j: number) => A[i] === B[j] && (a.noEol && i === aLast) === (b.noEol && j === bLast);

  const max = Math.min(n + m, maxD);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d][k + d]: the furthest x on diagonal k after step d.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && same(aLo + x, bLo + y)) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    trace.push(v.slice(off - d, off + d + 1));
  }
  if (found < 0) return false;

  // Walk back from (n, m) to (0, 0): the ops in reverse.
  const rev = new Script();
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number) => prev[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      x--;
      y--;
      rev.push(KEEP, aLo + x);
    }
    if (down) rev.push(ADD, bLo + --y);
    else rev.push(DEL, aLo + --x);
  }
  while (x > 0) rev.push(KEEP, aLo + --x);
  for (let i = rev.length - 1; i >= 0; ) {
    if (rev.kind[i] === KEEP) {
      out.push(KEEP, rev.at[i]!);
      i--;
      continue;
    }
    let j = i;
    while (j >= 0 && rev.kind[j] !== KEEP) j--;
    for (let t = i; t > j; t--) if (rev.kind[t] === DEL) out.push(DEL, rev.at[t]!);
    for (let t = i; t > j; t--) if (rev.kind[t] === ADD) out.push(ADD, rev.at[t]!);
    i = j;
  }
  return true;
}

function script(a: Lines, b: Lines): Script {
  const n = a.text.length;
  const m = b.text.length;
  // Trim the common prefix and suffix; only what lies between is diffed.
  const eq = (i: number, j: number) => a.text[i] === b.text[j] && (a.noEol && i === n - 1) === (b.noEol && j === m - 1);
  let pre = 0;
  while (pre < n && pre < m && eq(pre, pre)) pre++;
  let suf = 0;
  while (suf < n - pre && suf < m - pre && eq(n - 1 - suf, m - 1 - suf)) suf++;
  const out = new Script();
  for (let i = 0; i < pre; i++) out.push(KEEP, i);
  if (!myers(a, pre, n - suf, b, pre, m - suf, out, MAX_EDITS)) {
    for (let i = pre; i < n - suf; i++) out.push(DEL, i);
    for (let j = pre; j < m - suf; j++) out.push(ADD, j);
  }
  for (let i = n - suf; i < n; i++) out.push(KEEP, i);
  return out;
}

/** Unified diff (3 lines of context) of a change, for the terminal; '' when nothing changes. */
export function unifiedDiff(change: FileChange, context = 3): string {
  if (change.before === change.after) return '';
  // A file shown as one line (the platform's own files, a new .env whose secrets never reach a terminal).
  if (change.brief !== undefined) return `--- /dev/null\n+++ b/${change.path}\n${change.brief}\n`;
  const a = toLines(change.before);
  const b = toLines(change.after);
  const all = script(a, b);
  const { kind } = all;
  const lineOf = (t: number) => {
    const from = kind[t] === ADD ? b : a;
    const i = all.at[t]!;
    return { text: from.text[i]!, noEol: from.noEol && i === from.text.length - 1 };
  };
  const out = [
    `--- ${change.before === null ? '/dev/null' : `a/${change.path}`}`,
    `+++ ${change.after === null ? '/dev/null' : `b/${change.path}`}`,
  ];
  // Line numbers (1-based) in a and b of op k, kept as k advances.
  let k = 0;
  let aLine = 1;
  let bLine = 1;
  const step = (t: number) => {
    if (kind[t] !== ADD) aLine++;
    if (kind[t] !== DEL) bLine++;
  };
  while (k < all.length) {
    if (kind[k] === KEEP) {
      step(k++);
      continue;
    }
    // The hunk starts `context` kept lines back (all after the previous hunk).
    const start = Math.max(0, k - context);
    aLine -= k - start;
    bLine -= k - start;
    // Grow it until more than 2*context kept lines separate it from the next change.
    let end = k;
    while (end < all.length) {
      if (kind[end] !== KEEP) {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < all.length && kind[end + run] === KEEP) run++;
      if (end + run >= all.length || run > 2 * context) {
        end = Math.min(all.length, end + context);
        break;
      }
      end += run;
    }
    let aLen = 0;
    let bLen = 0;
    for (let t = start; t < end; t++) {
      if (kind[t] !== ADD) aLen++;
      if (kind[t] !== DEL) bLen++;
    }
    out.push(`@@ -${aLen ? aLine : aLine - 1},${aLen} +${bLen ? bLine : bLine - 1},${bLen} @@`);
    for (let t = start; t < end; t++) {
      const line = lineOf(t);
      out.push(`${MARK[kind[t]!]}${needsSanitizing(line.text) ? sanitizeText(line.text) : line.text}`);
      if (line.noEol) out.push('\\ No newline at end of file');
      step(t);
    }
    k = end;
  }
  return out.join('\n') + '\n';
}
