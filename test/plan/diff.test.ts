// The review diff (--dry-run, the wizard's review screen) shows the changed
// lines with their context, whatever the size of the file, and applying it to
// the old text gives the new text.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { unifiedDiff } from '../../src/plan/diff.js';

/** Applies a unified diff made by unifiedDiff to `before` (a minimal patch(1)). */
function applyDiff(before: string | null, diff: string): string {
  if (diff === '') return before ?? '';
  type L = { text: string; noEol: boolean };
  const split = (t: string | null): L[] => {
    if (!t) return [];
    const parts = t.split('\n');
    const nl = parts[parts.length - 1] === '';
    if (nl) parts.pop();
    return parts.map((p, i) => ({ text: p, noEol: !nl && i === parts.length - 1 }));
  };
  const old = split(before);
  const out: L[] = [];
  let pos = 0; // next line of old not yet copied
  for (const l of diff.split('\n').slice(2, -1)) {
    const h = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(l);
    if (h) {
      const start = Number(h[2]) === 0 ? Number(h[1]) : Number(h[1]) - 1;
      while (pos < start) out.push(old[pos++]!);
    } else if (l === '\\ No newline at end of file') {
      if (out.length && diffLast === 'out') out[out.length - 1] = { ...out[out.length - 1]!, noEol: true };
    } else if (l[0] === ' ') {
      out.push(old[pos++]!);
      diffLast = 'out';
    } else if (l[0] === '-') {
      pos++;
      diffLast = 'old';
    } else {
      out.push({ text: l.slice(1), noEol: false });
      diffLast = 'out';
    }
  }
  while (pos < old.length) out.push(old[pos++]!);
  return out.map((l) => l.text + (l.noEol ? '' : '\n')).join('');
}
let diffLast: 'out' | 'old' = 'out';

const config = (n: number) => Array.from({ length: n }, (_, i) => `KEY_${i}=value ${i}`).join('\n') + '\n';

describe('unifiedDiff on large files', () => {
  test('a two-line change in a 4,000-line config is two small hunks, not the whole file', () => {
    const before = config(4000);
    const after = before.replace('KEY_1000=value 1000\n', 'KEY_1000=changed\n').replace('KEY_3000=value 3000\n', 'KEY_3000=changed\n');
    const d = unifiedDiff({ path: '.operator.conf', action: 'update', before, after });
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual([
      '-KEY_1000=value 1000', '+KEY_1000=changed', '-KEY_3000=value 3000', '+KEY_3000=changed',
    ]);
    // Headers, two hunk lines, 2 × (3 + 2 + 3) lines: nothing else of the file.
    expect(d.split('\n').length).toBeLessThanOrEqual(2 + 2 + 16 + 1);
    expect(d).toContain('@@ -998,7 +998,7 @@');
    expect(applyDiff(before, d)).toBe(after);
  });

  test('a line added at the end of a 20,000-line file and one removed at the start', () => {
    const before = config(20000);
    const after = before.slice(before.indexOf('\n') + 1) + 'NEW=1\n';
    const d = unifiedDiff({ path: 'f', action: 'update', before, after });
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-KEY_0=value 0', '+NEW=1']);
    expect(applyDiff(before, d)).toBe(after);
  });

  test('a file rewritten wholesale is still a correct diff', () => {
    const before = config(3000);
    const after = Array.from({ length: 3000 }, (_, i) => `OTHER_${i}=x`).join('\n') + '\n';
    const d = unifiedDiff({ path: 'f', action: 'update', before, after });
    expect(applyDiff(before, d)).toBe(after);
  });

  test('applying the diff to the old text gives the new text (random edits)', () => {
    const line = fc.constantFrom('a', 'b', 'c', 'd', 'KEY=1', 'KEY=2', '', '# comment', 'x\r');
    const text = fc.tuple(fc.array(line, { maxLength: 40 }), fc.boolean()).map(([ls, nl]) => (ls.length ? ls.join('\n') + (nl ? '\n' : '') : ''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        fc.pre(!before.includes('\r') && !after.includes('\r'));
        const d = unifiedDiff({ path: 'f', action: 'update', before, after });
        expect(applyDiff(before, d)).toBe(after);
      }),
      { numRuns: 300 },
    );
  });

  test('the diff is minimal: as many changed lines as a shortest edit needs', () => {
    const d = unifiedDiff({ path: 'f', action: 'update', before: 'a\nb\nc\nd\ne\n', after: 'a\nc\nd\nx\ne\n' });
    expect(d).toBe('--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n a\n-b\n c\n d\n+x\n e\n');
  });
});
