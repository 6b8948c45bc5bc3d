// kg-init reads .operator.conf without running it; bash sources it. These
// tests hold the two to the same answer: for every config, kg-init either
// reports what bash ends up with (or says it cannot know: shell logic it
// overrides by appending), or refuses the file naming the line. And whatever
// kg-init writes, bash reads back as the values kg-init meant.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNED_KEYS, readConf, updateConf, type ConfDoc, type ConfValues } from '../../src/conf/index.js';
import { SEED } from '../reliability/support.js';

const NEW: ConfValues = { GPU_MODE: 'amd-host', KG_API_IMAGE_TAG: '0.13.1-rocm72-host', IMAGE_SOURCE: 'ghcr', INITIALIZED_AT: '2026-05-28T09:14:03Z' };

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-bash-agree-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Sources each text with bash (in its own subshell, stdin closed) and returns the owned keys' values. */
function sourceAll(texts: string[]): Array<Record<string, string>> {
  const dir = mkdtempSync(join(root, 'batch-'));
  texts.forEach((t, i) => writeFileSync(join(dir, `c${i}`), t));
  const keys = OWNED_KEYS.map((k) => `"$${k}"`).join(' ');
  // Each file's values are written by an EXIT trap to its own file (an `exit` in the config still
  // reports; a nested subshell that runs the trap too is overwritten by the outer one).
  const script = `for i in $(seq 0 ${texts.length - 1}); do ( trap 'printf "%s\\0" ${keys} >"o$i"' EXIT; source "./c$i" </dev/null >/dev/null 2>&1 ); done; true`;
  execFileSync('bash', ['--norc', '--noprofile', '-c', script], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: '/nonexistent-home' },
    stdio: ['ignore', 'ignore', 'ignore'],
    timeout: 90_000,
  });
  const fields = texts.flatMap((_, i) => {
    const f = readFileSync(join(dir, `o${i}`), 'utf8').split('\0');
    return OWNED_KEYS.map((_k, j) => f[j]!);
  });
  return texts.map((_, i) => Object.fromEntries(OWNED_KEYS.map((k, j) => [k, fields[i * OWNED_KEYS.length + j]!])));
}

/** kg-init's reading agrees with bash's, or kg-init says it cannot know, or it refuses. */
function agrees(text: string, bash: Record<string, string>): string | null {
  const r = readConf(text);
  if (r.refusal) return null;
  for (const k of OWNED_KEYS) {
    if (r.unknown.includes(k)) continue;
    const mine = r.values[k] ?? '';
    if (mine !== bash[k]) return `${k}: kg-init read ${JSON.stringify(mine)}, bash ${JSON.stringify(bash[k])}`;
  }
  return null;
}

describe('the attacks of issue #12: refused with the line and why, or read as bash reads them', () => {
  const cases: Array<[string, string, RegExp | null]> = [
    ['readonly', 'readonly GPU_MODE=cpu\nGPU_MODE=nvidia\n', /line 1: `readonly GPU_MODE`/],
    ['declare -r', 'declare -r GPU_MODE=cpu\n', /line 1: `declare` gives GPU_MODE attributes/],
    ['typeset -i', 'typeset -i GPU_MODE\nGPU_MODE=nvidia\n', /line 1: `typeset`/],
    ['a function body', 'set_mode() {\n  GPU_MODE=cpu\n}\nGPU_MODE=nvidia\nset_mode\n', /line 2: GPU_MODE is set inside a function/],
    ['a one-line function', 'f() { GPU_MODE=cpu; }\n', /line 1: GPU_MODE is set inside a function/],
    ['a multi-line subshell', '(\nGPU_MODE=nvidia\n)\nGPU_MODE=cpu\n', /line 2: GPU_MODE is set inside a subshell/],
    ['a multi-line $( )', 'X=$(\nGPU_MODE=nvidia\necho x\n)\nGPU_MODE=cpu\n', /line 2: GPU_MODE is set inside a command substitution/],
    ['backticks', 'X=`\nGPU_MODE=nvidia\n`\n', /line 2: GPU_MODE is set inside a command substitution/],
    ['a BOM', '\uFEFFGPU_MODE=nvidia\n', /line 1: the file starts with a UTF-8 byte order mark/],
    ['${X:-cpu}', 'GPU_MODE=${KG_FORCE_GPU:-cpu}\n', /line 1: GPU_MODE=\$\{KG_FORCE_GPU:-cpu\} is computed by the shell/],
    ['command substitution value', 'GPU_MODE=`detect`\n', /line 1: GPU_MODE=`detect` is computed by the shell/],
    ['return', 'GPU_MODE=cpu\nreturn 0\nKG_API_IMAGE_TAG=latest\n', /line 2: `return` stops bash reading/],
    ['a stray fi', 'GPU_MODE=cpu\nfi\nGPU_MODE=nvidia\n', /line 2: syntax error at `fi`/],
    ['$((1<<2)) is arithmetic, not a heredoc', 'N=$((1<<2))\nGPU_MODE=nvidia\n', null],
    ['a case pattern paren is not a subshell', 'case "$X" in\n  a) Y=1 ;;\nesac\nGPU_MODE=nvidia\n', null],
    ['a CR is part of the value, as bash reads it', 'GPU_MODE=cpu\r\nKG_API_IMAGE_TAG=latest # tag\r\n', null],
    ['a heredoc body is not code', 'cat <<EOF\nreadonly GPU_MODE=x\nEOF\nGPU_MODE=nvidia\n', null],
    ['a line of `a[` never closed: bash reads to the end for its `]`', `${'a['.repeat(1000)}\nGPU_MODE=nvidia\n`, /line 1: syntax error: the `\[` of `a\[` is never closed/],
    ['a subscript over two lines is one word', 'a[\n1]=x\nGPU_MODE=nvidia\n', null],
    ['a subscript hides the line inside it', 'a[\nGPU_MODE=cpu\n]=x\nGPU_MODE=nvidia\n', /line 2: GPU_MODE is set by arithmetic|line 2: .*arithmetic/],
    ['if/else sets it last: unknown, overridden', 'GPU_MODE=nvidia\nif [ -e /dev/kfd ]; then\n  GPU_MODE=amd\nfi\n', null],
  ];
  test.each(cases)('%s', (_name, text, refused) => {
    const r = readConf(text);
    const [bash] = sourceAll([text]);
    if (refused) {
      expect(r.refusal, JSON.stringify(r)).not.toBeNull();
      expect(`line ${r.refusal!.line}: ${r.refusal!.reason}`).toMatch(refused);
      expect(() => updateConf(text, NEW)).toThrow(refused);
    } else {
      expect(r.refusal).toBeNull();
      expect(agrees(text, bash!)).toBeNull();
      expect(sourceAll([updateConf(text, NEW)])[0]).toEqual(NEW);
    }
  });

  test('a CRLF line\'s CR is read as part of the value, and a rewritten value loses it', () => {
    const text = 'GPU_MODE=cpu\r\nFOO=1\r\n';
    expect(readConf(text).values.GPU_MODE).toBe('cpu\r');
    const out = updateConf(text, { GPU_MODE: 'nvidia' });
    expect(out).toBe('GPU_MODE=nvidia\nFOO=1\r\n');
    expect(sourceAll([out])[0]!.GPU_MODE).toBe('nvidia');
  });
});

// ---- fuzz: generated configs, balanced blocks of odd shell, against bash ----
const K = fc.constantFrom(...OWNED_KEYS, 'GPU_MODE', 'GPU_MODE', 'OTHER', 'OTHER', 'OTHER');
const literal = fc.constantFrom('cpu', 'nvidia', '"amd-host"', "'mac'", '""', 'a\\ b', '"x y"', "'q'\"r\"", 'latest', 'ghcr');
const computed = fc.constantFrom('${X:-cpu}', '`echo cpu`', '$(echo nvidia)', '"$HOME"', '~', 'x:~/y', "$'a\\tb'", '$((1<<2))', '"${Y:=z}"');
const value = fc.oneof({ weight: 12, arbitrary: literal }, { weight: 1, arbitrary: computed });
const prefix = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('', '', '', 'export ', '  ', '\t') }, { weight: 1, arbitrary: fc.constantFrom('readonly ', 'declare -r ', 'declare ', 'typeset -x ', 'local ') });
const tail = fc.constantFrom('', '', '', '', '', '', ' # note', '   #', ';', ' ; true', ' && true', ' || true', ' | cat', ' &', ' 2>/dev/null');
const assign = fc.tuple(prefix, K, value, tail).map(([p, k, v, t]) => `${p}${k}=${v}${t}`);
const simple = fc.oneof(
  { weight: 6, arbitrary: assign },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '# GPU_MODE=comment', 'echo hi', ': "${Z:=1}"', ': ${GPU_MODE:=fromdefault}', 'unset GPU_MODE', 'export GPU_MODE', 'read GPU_MODE',
      'eval "GPU_MODE=ev"', 'let GPU_MODE=1', 'printf -v GPU_MODE %s pv', 'N=$((1<<2))', 'echo `echo GPU_MODE=bq`', "echo 'GPU_MODE=q'",
      'GPU_MODE=pre true', 'true && GPU_MODE=andand', 'echo x | GPU_MODE=piped', 'A=(a b\nc)', 'X="multi\nGPU_MODE=inquote"', "Y='a\nGPU_MODE=insq'",
      'cat <<EOF\nGPU_MODE=heredoc\nEOF', "cat <<-'END'\n\tGPU_MODE=heredoc2\n\tEND", 'echo a \\\nGPU_MODE=continued', 'return', 'exit 0',
      '[ -n "$Z" ] && return', 'for GPU_MODE in a b; do :; done', 'case x in x) GPU_MODE=incase;; esac', '(( GPU_MODE = 3 ))', 'f', '',
      'a[1]=x', 'a[\n2]=y', 'b[$(echo 1)]=2', 'c[GPU_MODE=3]=1', 'echo a[', 'd[',
    ),
  },
);
type Block = string;
const block: fc.Memo<Block> = fc.memo((depth) => {
  const body = depth <= 1 ? fc.array(simple, { minLength: 1, maxLength: 3 }) : fc.array(fc.oneof(simple, block(depth - 1)), { minLength: 1, maxLength: 3 });
  const lines = body.map((b) => b.join('\n'));
  return fc.oneof(
    lines.map((b) => `if true; then\n${b}\nfi`),
    lines.map((b) => `if false; then :\nelse\n${b}\nfi`),
    lines.map((b) => `f() {\n${b}\n}`),
    lines.map((b) => `function g {\n${b}\n}\ng`),
    lines.map((b) => `(\n${b}\n)`),
    lines.map((b) => `X=$(\n${b}\n)`),
    lines.map((b) => `{\n${b}\n}`),
    lines.map((b) => `for m in a; do\n${b}\ndone`),
    lines.map((b) => `case y in\n  y)\n${b}\n  ;;\nesac`),
    lines.map((b) => `while false; do\n${b}\ndone`),
  );
});
const conf = fc
  .tuple(fc.array(fc.oneof({ weight: 8, arbitrary: simple }, { weight: 1, arbitrary: block(2) }), { maxLength: 10 }), fc.boolean(), fc.constantFrom('\n', '\n', '\r\n'), fc.boolean())
  .map(([parts, bom, eol, finalNl]) => (bom ? '\uFEFF' : '') + parts.join('\n').replaceAll('\n', eol) + (finalNl ? eol : ''));

describe('fuzz: kg-init and bash agree, or kg-init refuses', () => {
  test('reading: every generated config agrees with `bash -c source` or is refused', { timeout: 120_000 }, () => {
    const texts = fc.sample(conf, { numRuns: 300, seed: SEED });
    const bash = sourceAll(texts);
    const bad: string[] = [];
    texts.forEach((t, i) => {
      const why = agrees(t, bash[i]!);
      if (why) bad.push(`${why}\n--- config: ${JSON.stringify(t)}`);
    });
    expect(bad.slice(0, 3).join('\n\n')).toBe('');
    // The generator reaches both outcomes often.
    const refused = texts.filter((t) => readConf(t).refusal).length;
    expect(refused).toBeGreaterThan(30);
    expect(texts.length - refused).toBeGreaterThan(30);
  });

  test('writing: what kg-init writes, bash reads back; or kg-init refuses to write', { timeout: 120_000 }, () => {
    const texts = fc.sample(conf, { numRuns: 250, seed: SEED + 1 });
    const written: string[] = [];
    for (const t of texts) {
      try {
        written.push(updateConf(t, NEW));
      } catch (e) {
        expect((e as Error).message).toMatch(/^line \d+: |^cannot add /);
      }
    }
    expect(written.length).toBeGreaterThan(30);
    const bash = sourceAll(written);
    const bad = written.map((w, i) => ({ w, b: bash[i]! })).filter(({ b }) => JSON.stringify(b) !== JSON.stringify(NEW));
    expect(bad.slice(0, 3).map(({ w, b }) => `${JSON.stringify(b)}\n--- written: ${JSON.stringify(w)}`).join('\n\n')).toBe('');
  });
});

describe('hostile sizes: one pass', () => {
  test('a line of `a[` repeated (quadratic for a backtracking regex) and a 10 MB config are read; the parse is reused, not repeated', () => {
    // bash reads `a[` as a subscript and looks for its `]` to the end of the file: a syntax error, refused in one pass.
    const hostile = 'a['.repeat(80_000);
    expect(readConf(hostile).refusal).toEqual({ line: 1, reason: expect.stringContaining('is never closed') });
    const big = `${Array.from({ length: 300_000 }, (_, i) => `EXTRA_${i}="value ${i}" # line ${i}`).join('\n')}\nGPU_MODE=nvidia\n`;
    expect(big.length).toBeGreaterThan(10_000_000);
    const first = readConf(big);
    expect(first.values.GPU_MODE).toBe('nvidia');
    // Reading and then planning the update of the same text parse it once.
    expect(readConf(big)).toBe(first);
    expect(updateConf(big, { GPU_MODE: 'cpu' }).endsWith('\nGPU_MODE=cpu\n')).toBe(true);
  });
});

// ---- the quick ways are the long ways: plain lines matched whole, one edit for set and drop ----
const plainPart = fc.constantFrom('a', 'b#c', '"x y"', "'q r'", '"', "'", '$X', '`c`', '\\ ', '~', ';', ' ', '\t', '#', ' # note', '\r', '=', '(', 'é', '{}', '*', ' return', ' fi', ' {', ' x');
const plainLine = fc
  .tuple(fc.constantFrom('', '', 'export ', '  ', '\t', 'export\t', '#', ' # '), fc.constantFrom(...OWNED_KEYS, 'OTHER', 'export', '_x1', '1X'), fc.constantFrom('=', '=', '+=', ' ='), fc.array(plainPart, { maxLength: 6 }))
  .map(([p, k, eq, parts]) => `${p}${k}${eq}${parts.join('')}`);
const mixed = fc
  .tuple(fc.array(fc.oneof({ weight: 4, arbitrary: plainLine }, { weight: 2, arbitrary: simple }, { weight: 1, arbitrary: block(2) }), { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([parts, eol, finalNl]) => parts.join('\n').replaceAll('\n', eol) + (finalNl ? eol : ''));

describe('the quick ways give what the long ways give', () => {
  test('plain lines matched whole: the parse equals the character-by-character one, for every key set', async () => {
    const { parseConf, effectiveLine } = await import('../../src/conf/parse.js');
    const texts = [...fc.sample(mixed, { numRuns: 400, seed: SEED + 2 }), ...fc.sample(conf, { numRuns: 200, seed: SEED + 3 })];
    texts.push('X=a#b c\n', 'X="a"#c\n', 'X= #c\n', "export X='a b' # c\n", 'X=a\r\n', 'X=~\n', `X=${'a'.repeat(5000)}\n`, 'f()\nGPU_MODE=x\n', 'f() \n{ :; }\nGPU_MODE=y');
    const owned = new Set<string>(OWNED_KEYS);
    // What a parse says: every line (made from the parse's records), the touches, where lines start, the state at the end.
    const said = (d: ConfDoc) => ({ bom: d.bom, lines: d.lines, count: d.count, touches: d.touches, starts: d.starts, openAtEnd: d.openAtEnd });
    for (const t of texts) {
      expect(said(parseConf(t)), JSON.stringify(t)).toEqual(said(parseConf(t, undefined, { fastLines: false })));
      const keyed = parseConf(t, owned);
      expect(said(keyed), JSON.stringify(t)).toEqual(said(parseConf(t, owned, { fastLines: false })));
      // A keyed parse finds each owned key's deciding line among the lines it recorded, as a look at every line does.
      const all = parseConf(t, owned).lines;
      for (const k of OWNED_KEYS) {
        expect(effectiveLine(keyed, k), `${k} in ${JSON.stringify(t)}`).toBe(all.findLastIndex((l) => l.assignment?.key === k || l.touches.includes(k)));
      }
    }
  });

  test('setting keys and dropping KG_API_IMAGE_TAG in one edit equals updateConf, then dropConfKey', async () => {
    const { dropConfKey } = await import('../../src/conf/edit.js');
    const { KG_API_IMAGE_TAG: _tag, ...set } = NEW;
    const texts = [...fc.sample(mixed, { numRuns: 300, seed: SEED + 4 }), ...fc.sample(conf, { numRuns: 300, seed: SEED + 5 })];
    texts.push('A=1\nKG_API_IMAGE_TAG=x', 'KG_API_IMAGE_TAG=x\nif true; then KG_API_IMAGE_TAG=b; fi', 'X="open\n', 'KG_API_IMAGE_TAG=');
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (e) {
        return `threw: ${(e as Error).message}`;
      }
    };
    let edited = 0;
    for (const t of texts) {
      const one = outcome(() => updateConf(t, set, ['KG_API_IMAGE_TAG']));
      const two = outcome(() => dropConfKey(updateConf(t, set), 'KG_API_IMAGE_TAG'));
      expect(one, JSON.stringify(t)).toBe(two);
      if (!one.startsWith('threw') && one !== t) edited++;
    }
    expect(edited).toBeGreaterThan(100);
  });
});
