// .operator.conf is edited as text: owned keys change in place or are
// appended, every other byte stays, and nothing in it is ever executed.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeConf, effectiveLine, parseConf, readOwned, updateConf, type ConfValues } from '../../src/conf/index.js';

const NEW: ConfValues = { GPU_MODE: 'amd-host', KG_API_IMAGE_TAG: '0.13.1-rocm72-host', IMAGE_SOURCE: 'ghcr', INITIALIZED_AT: '2026-05-28T09:14:03Z' };

function sourceWithBash(text: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-conf-'));
  try {
    writeFileSync(join(dir, '.operator.conf'), text);
    const out = execFileSync(
      'bash',
      ['--norc', '--noprofile', '-c', 'set -a; source ./.operator.conf >/dev/null 2>&1; printf "%s\\n" "$GPU_MODE" "$KG_API_IMAGE_TAG" "$IMAGE_SOURCE" "$INITIALIZED_AT" "$USER_KEY"'],
      { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const [GPU_MODE, KG_API_IMAGE_TAG, IMAGE_SOURCE, INITIALIZED_AT, USER_KEY] = out.split('\n');
    return { GPU_MODE: GPU_MODE!, KG_API_IMAGE_TAG: KG_API_IMAGE_TAG!, IMAGE_SOURCE: IMAGE_SOURCE!, INITIALIZED_AT: INITIALIZED_AT!, USER_KEY: USER_KEY! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('updateConf keeps what is not ours', () => {
  test('in place: position, export prefix, quoting and trailing comment are kept', () => {
    const text = '# settings\nexport GPU_MODE="nvidia"   # chosen by hand\nPOSTGRES_PORT=5432\nKG_API_IMAGE_TAG=latest\n';
    expect(updateConf(text, { GPU_MODE: 'cpu', KG_API_IMAGE_TAG: 'latest' })).toBe(
      '# settings\nexport GPU_MODE="cpu"   # chosen by hand\nPOSTGRES_PORT=5432\nKG_API_IMAGE_TAG=latest\n',
    );
  });

  test('missing keys are appended with LF even in a CRLF file (bash would read a CR into the value); a missing final newline handled', () => {
    const text = '# win\r\nFOO=1\r\nBAR=2';
    const out = updateConf(text, { GPU_MODE: 'cpu', IMAGE_SOURCE: 'ghcr' });
    expect(out).toBe('# win\r\nFOO=1\r\nBAR=2\nGPU_MODE=cpu\nIMAGE_SOURCE=ghcr\n');
    expect(sourceWithBash(out).GPU_MODE).toBe('cpu');
  });

  test('a BOM is refused: bash runs it as part of the first command', () => {
    expect(() => updateConf('\uFEFF# win\nFOO=1\n', { GPU_MODE: 'cpu' })).toThrow(/line 1: .*byte order mark/);
  });

  test('the last assignment is the one updated; earlier ones stay as written', () => {
    const text = 'GPU_MODE=nvidia\nX=1\nGPU_MODE=amd # old alias\n';
    expect(updateConf(text, { GPU_MODE: 'amd-host' })).toBe('GPU_MODE=nvidia\nX=1\nGPU_MODE=amd-host # old alias\n');
    expect(readOwned(text).GPU_MODE).toBe('amd');
  });

  test('shell logic that sets a key last is left alone and overridden by an appended line', () => {
    const text = 'GPU_MODE=nvidia\nif [ -e /dev/kfd ]; then\n  GPU_MODE=amd\nfi\n[ -n "$X" ] && KG_API_IMAGE_TAG=foo\n';
    const out = updateConf(text, { GPU_MODE: 'cpu', KG_API_IMAGE_TAG: 'latest' });
    expect(out).toBe(`${text}GPU_MODE=cpu\nKG_API_IMAGE_TAG=latest\n`);
    expect(sourceWithBash(out).GPU_MODE).toBe('cpu');
    expect(readOwned(text).GPU_MODE).toBeUndefined();
  });

  test('lines inside multi-line strings and heredocs are not assignments', () => {
    const text = 'NOTE="first\nGPU_MODE=nvidia\n"\ncat >/dev/null <<EOF\nGPU_MODE=mac\nEOF\n';
    const doc = parseConf(text);
    expect(doc.lines.filter((l) => l.assignment?.key === 'GPU_MODE')).toHaveLength(0);
    expect(updateConf(text, { GPU_MODE: 'cpu' })).toBe(`${text}GPU_MODE=cpu\n`);
  });

  test('a value computed by the shell is never read as a literal', () => {
    expect(readOwned('GPU_MODE=$(detect-gpu)\nKG_API_IMAGE_TAG="${TAG:-latest}"\n')).toEqual({});
    expect(readOwned("GPU_MODE='amd'\n")).toEqual({ GPU_MODE: 'amd' });
  });

  test('a file ending inside an open quote is refused rather than appended to', () => {
    expect(() => updateConf('X="unterminated\n', { GPU_MODE: 'cpu' })).toThrow(/unfinished quote/);
  });

  test('written values are validated: nothing a shell would interpret gets in', () => {
    expect(() => updateConf('', { KG_API_IMAGE_TAG: 'latest;rm -rf ~' })).toThrow(/refusing to write/);
    expect(() => updateConf('', { GPU_MODE: 'amd' as never })).toThrow(/refusing to write/);
    expect(() => updateConf('', { INITIALIZED_AT: '$(date)' })).toThrow(/refusing to write/);
  });

  test('non-text bytes are refused', () => {
    expect(decodeConf(Buffer.from('GPU_MODE=cpu\0\n')).problem).toMatch(/NUL/);
    expect(decodeConf(Buffer.from([0x47, 0x3d, 0xff, 0xfe, 0x0a])).problem).toMatch(/UTF-8/);
    expect(decodeConf(Buffer.from('\uFEFFA=1\n')).text).toBe('\uFEFFA=1\n');
  });
});

// ---- property-based round trips ----
const word = fc.stringMatching(/^[A-Za-z0-9_./:-]{0,12}$/);
const spaced = fc.stringMatching(/^[A-Za-z0-9 _./:#=-]{0,16}$/);
const foreignKey = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/).filter((k) => !['GPU_MODE', 'KG_API_IMAGE_TAG', 'IMAGE_SOURCE', 'INITIALIZED_AT', 'USER_KEY'].includes(k));
const value = fc.oneof(word, spaced.map((s) => `"${s}"`), spaced.map((s) => `'${s}'`));
const exportP = fc.constantFrom('', 'export ');
const comment = fc.oneof(fc.constant(''), spaced.map((s) => `  # ${s}`));
const foreignLine = fc.oneof(
  spaced.map((s) => `# ${s}`),
  fc.constantFrom('', '   ', '# GPU_MODE=nvidia (a comment, not an assignment)'),
  fc.tuple(exportP, foreignKey, value, comment).map(([e, k, v, c]) => `${e}${k}=${v}${c}`),
  fc.constantFrom('if [ -n "$HOME" ]; then :', 'fi', 'echo "$GPU_MODE" >/dev/null', 'true && X=1', 'case "$X" in a) ;; esac', 'unset NOTHING'),
);
const ownedKey = fc.constantFrom('GPU_MODE', 'KG_API_IMAGE_TAG', 'IMAGE_SOURCE', 'INITIALIZED_AT');
const ownedLine = fc.tuple(exportP, ownedKey, fc.oneof(word, word.map((w) => `"${w}"`), word.map((w) => `'${w}'`)), comment).map(([e, k, v, c]) => `${e}${k}=${v}${c}`);
const confFile = fc.record({
  lines: fc.array(fc.oneof({ weight: 3, arbitrary: foreignLine }, { weight: 1, arbitrary: ownedLine }), { maxLength: 25 }),
  // CRLF and a BOM: test/conf/bash-agree.test.ts (a CR is part of a value; a BOM is refused).
  eol: fc.constant('\n'),
  bom: fc.constant(false),
  finalNewline: fc.boolean(),
});

function build(f: { lines: string[]; eol: string; bom: boolean; finalNewline: boolean }): string {
  // Keep if/fi balanced so that the file is valid shell.
  let depth = 0;
  const lines = f.lines.filter((l) => {
    if (l.startsWith('if ')) depth++;
    if (l === 'fi') {
      if (depth === 0) return false;
      depth--;
    }
    return true;
  });
  while (depth-- > 0) lines.push('fi');
  const body = lines.join(f.eol) + (f.finalNewline && lines.length ? f.eol : '');
  return (f.bom ? '\uFEFF' : '') + body;
}

describe('property: every foreign line survives', () => {
  test('updateConf changes only the effective owned lines and appends the rest', () => {
    fc.assert(
      fc.property(confFile, (f) => {
        const text = build(f);
        const out = updateConf(text, NEW);
        const doc = parseConf(text);
        const outDoc = parseConf(out);
        const effective = new Set(['GPU_MODE', 'KG_API_IMAGE_TAG', 'IMAGE_SOURCE', 'INITIALIZED_AT'].map((k) => effectiveLine(doc, k)));
        expect(outDoc.bom).toBe(doc.bom);
        doc.lines.forEach((line, i) => {
          const o = outDoc.lines[i]!;
          if (effective.has(i) && line.assignment) {
            expect(o.assignment?.head).toBe(line.assignment.head);
            expect(o.assignment?.tail).toBe(line.assignment.tail);
            expect(o.assignment?.value).toBe(NEW[line.assignment.key as keyof ConfValues]);
          } else {
            expect(o.text).toBe(line.text);
          }
          expect(o.eol).toBe(line.eol === '' && outDoc.lines.length > doc.lines.length ? doc.eol : line.eol);
        });
        for (const l of outDoc.lines.slice(doc.lines.length)) expect(l.eol).toBe(doc.eol);
        expect(readOwned(out)).toEqual(NEW);
        expect(updateConf(out, NEW)).toBe(out);
      }),
      { numRuns: 400 },
    );
  });

  test('bash sourcing the written file yields the chosen values and keeps the user\'s own', () => {
    fc.assert(
      fc.property(confFile, fc.constantFrom('nvidia', 'amd-host', 'mac', 'cpu'), (f, mode) => {
        const text = `${build({ ...f, eol: '\n', bom: false, finalNewline: true })}USER_KEY="kept value"\n`;
        const values = { ...NEW, GPU_MODE: mode };
        const got = sourceWithBash(updateConf(text, values));
        expect(got).toEqual({ ...values, USER_KEY: 'kept value' });
      }),
      { numRuns: 20 },
    );
  });
});

describe('never executed', () => {
  test('a config with $(...) and backticks is read without running anything; owned keys computed so are refused, not overwritten', () => {
    const marker = join(tmpdir(), `pwned-${process.pid}-${Date.now()}`);
    const text = `GPU_MODE=$(touch ${marker})\nKG_API_IMAGE_TAG=\`touch ${marker}\`\nX="$(touch ${marker})"\n`;
    expect(() => updateConf(text, NEW)).toThrow(/line 1: GPU_MODE is computed by the shell/);
    expect(readOwned(text)).toEqual({});
    const foreign = `X=$(touch ${marker})\nY=\`touch ${marker}\`\n`;
    const out = updateConf(foreign, NEW);
    readOwned(out);
    expect(existsSync(marker)).toBe(false);
    expect(out.startsWith(foreign)).toBe(true);
  });
});

describe('dropConfKey', () => {
  test('removes every simple assignment (an earlier one would take over), keeps every other byte', async () => {
    const { dropConfKey } = await import('../../src/conf/edit.js');
    expect(dropConfKey('A=1\r\nKG_API_IMAGE_TAG=x\r\n# c\r\nKG_API_IMAGE_TAG=y # why\r\nB=2\r\n', 'KG_API_IMAGE_TAG')).toBe('A=1\r\n# c\r\nB=2\r\n');
    expect(dropConfKey('A=1\n', 'KG_API_IMAGE_TAG')).toBe('A=1\n');
  });
  test('a value set by shell logic is overridden by an empty assignment, which the platform reads as unset', async () => {
    const { dropConfKey } = await import('../../src/conf/edit.js');
    const text = 'KG_API_IMAGE_TAG=a\nif true; then KG_API_IMAGE_TAG=b; fi\n';
    expect(dropConfKey(text, 'KG_API_IMAGE_TAG')).toBe(`${text}KG_API_IMAGE_TAG=\n`);
    expect(dropConfKey('[ x ] && export KG_API_IMAGE_TAG=b\nKG_API_IMAGE_TAG=c # note\n', 'KG_API_IMAGE_TAG')).toBe('[ x ] && export KG_API_IMAGE_TAG=b\nKG_API_IMAGE_TAG= # note\n');
  });
});
