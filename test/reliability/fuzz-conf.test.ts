// Fuzzed .operator.conf: random bytes, odd quoting, NUL bytes, CRLF and CR
// mixes, a BOM, unfinished quotes and heredocs, huge files and very long
// lines. Never a stack trace, exit 0 or 1 only; when it succeeds every foreign
// line is kept, in order; when it fails nothing is touched; a file that is not
// text is refused and left byte-identical.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/run.js';
import { decodeConf, readOwned } from '../../src/conf/index.js';
import { makeReport } from '../helpers/report.js';
import { keepsLinesInOrder, SEED, startCli } from './support.js';

const OWNED = ['GPU_MODE', 'KG_API_IMAGE_TAG', 'IMAGE_SOURCE', 'INITIALIZED_AT'];

let root: string;
let report: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-fuzz-'));
  report = join(root, 'cpu.json');
  writeFileSync(report, JSON.stringify(makeReport({ recommend: 'cpu' })));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** kg-init --yes in this process (the same run() the bin calls): fast enough for hundreds of cases. */
async function kgInProcess(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await run(['--yes', '-C', dir, '--gpu', 'cpu'], {
    stdout,
    stderr,
    stdin: process.stdin,
    env: { KG_INIT_REPORT: report, NO_COLOR: '1', KG_INIT_PLATFORM_SOURCE: process.env.KG_INIT_PLATFORM_SOURCE },
    cwd: root,
  });
  // --yes always answers (null is only the wizard, outside the ES module build).
  return { code: code!, stdout: stdout.text, stderr: stderr.text };
}

/** Lines that name no owned key are foreign wherever they are: each must survive, in order. */
function foreignLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  // The last line may gain a terminator when keys are appended after it.
  lines.pop();
  return lines.filter((l) => !OWNED.some((k) => l.includes(k)));
}

const eol = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');
const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
const owned = fc.constantFrom(...OWNED);
const value = fc.oneof(
  fc.constantFrom('nvidia', 'cpu', 'amd', 'amd-host', 'mac', 'latest', 'rocm72-host', 'ghcr', '2026-01-01T00:00:00Z', '', 'bogus value'),
  fc.string({ maxLength: 20 }),
);
const quoted = fc.tuple(fc.constantFrom('', '"', "'", '$\'', '`'), value, fc.constantFrom('', '"', "'", '`')).map(([a, v, b]) => `${a}${v}${b}`);
const tail = fc.constantFrom('', ' # comment', '  #', ' ;', ' && echo x', '\t# tab');
const line = fc.oneof(
  fc.tuple(fc.constantFrom('', 'export ', '  ', 'readonly ', 'local '), fc.oneof(key, owned), quoted, tail).map(([p, k, v, t]) => `${p}${k}=${v}${t}`),
  fc.string({ maxLength: 60 }).map((s) => `# ${s}`),
  fc.constantFrom(
    'if [ -n "$X" ]; then', 'fi', 'case "$Y" in', 'a) GPU_MODE=nvidia;;', 'esac', 'cat <<EOF', 'EOF', "cat <<-'END'", '\tEND',
    'GPU_MODE=$(detect_gpu)', 'unset GPU_MODE', 'export GPU_MODE', '{', '}', 'continued \\', 'KG_API_IMAGE_TAG="a\\"b"', "'", '"', '$(',
    'for m in a b; do', 'done', '', '   ', 'GPU_MODE=amd', 'IMAGE_SOURCE=local',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const confText = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(line, eol), { maxLength: 25 }), fc.boolean())
  .map(([bom, ls, endsOpen]) => {
    let t = (bom ? '\uFEFF' : '') + ls.map(([l, e]) => l + e).join('');
    if (endsOpen && t.endsWith('\n')) t = t.slice(0, -1);
    return Buffer.from(t, 'utf8');
  });
const confBytes = fc.oneof(
  { weight: 4, arbitrary: confText },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)) },
  // Text with one bad byte: a NUL, or a byte that is not UTF-8.
  { weight: 1, arbitrary: fc.tuple(confText, fc.constantFrom(0x00, 0xff, 0xc3, 0x80), fc.nat()).map(([b, x, at]) => Buffer.concat([b.subarray(0, at % (b.length + 1)), Buffer.from([x]), b.subarray(at % (b.length + 1))])) },
);

function checkOutcome(before: Buffer, after: Buffer, r: { code: number | null; stderr: string }, confPath: string): void {
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.stderr).not.toMatch(/unexpected error|internal error/);
  expect([0, 1], r.stderr).toContain(r.code);
  const decoded = decodeConf(before);
  if (decoded.text === null) {
    // Not text: refused, left byte-identical.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(confPath);
  }
  if (r.code === 1) {
    expect(after.equals(before), 'a failed run changed the config').toBe(true);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    return;
  }
  const text = after.toString('utf8').replace(/^\uFEFF/, '');
  expect(after.subarray(0, 3).equals(Buffer.from('\uFEFF')), 'the BOM kept as it was').toBe(decoded.text!.startsWith('\uFEFF'));
  expect(keepsLinesInOrder(text, foreignLines(decoded.text!)), `foreign lines lost:\n${JSON.stringify(decoded.text)}\n→\n${JSON.stringify(text)}`).toBe(true);
  expect(readOwned(text).GPU_MODE).toBe('cpu');
  // IMAGE_SOURCE is kept as the config had it (never switched unasked); a last line's lone CR
  // becomes a line ending when kg-init appends after it.
  const cr = (v: string | undefined) => v?.replace(/\r$/, '');
  expect(cr(readOwned(text).IMAGE_SOURCE)).toBe(cr(readOwned(decoded.text!).IMAGE_SOURCE));
}

describe('fuzzed .operator.conf', () => {
  test('random configs, in process: exit 0 or 1, never a stack trace, foreign lines kept, failures touch nothing, a second run changes nothing', { timeout: 120_000 }, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(confBytes, async (bytes) => {
        const dir = join(root, `p${n++}`);
        mkdirSync(dir);
        const conf = join(dir, '.operator.conf');
        writeFileSync(conf, bytes);
        const r = await kgInProcess(dir);
        checkOutcome(bytes, readFileSync(conf), r, conf);
        if (r.code === 1) expect(readdirSync(dir).filter((f) => f !== '.kg-init')).toEqual(['.operator.conf']);
        else {
          // kg-init reads back what it wrote the way bash would: a second run changes nothing.
          const written = readFileSync(conf);
          const again = await kgInProcess(dir);
          expect(again.code, again.stderr).toBe(0);
          expect(again.stdout).toContain('nothing changed');
          expect(readFileSync(conf).equals(written)).toBe(true);
        }
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: Number(process.env.KG_INIT_FUZZ_RUNS ?? 400), seed: SEED },
    );
  });

  test('found by the fuzzer: a backslash before CRLF does not continue the line (bash reads the CR), so the keys kg-init appends are read back', async () => {
    const dir = join(root, 'backslash-crlf');
    mkdirSync(dir);
    const conf = join(dir, '.operator.conf');
    writeFileSync(conf, 'continued \\\r');
    expect((await kgInProcess(dir)).code).toBe(0);
    expect(readOwned(readFileSync(conf, 'utf8')).GPU_MODE).toBe('cpu');
    const again = await kgInProcess(dir);
    expect(again.stdout).toContain('nothing changed');
  });

  // The real process, for what only it can show: a stack trace on stderr, memory and time on big inputs.
  const big = (): Array<[string, () => Buffer]> => [
    ['a 20 MB text config', () => Buffer.from(Array.from({ length: 400_000 }, (_, i) => `EXTRA_${i}="value ${i}" # line ${i}\n`).join('').padEnd(20 * 2 ** 20, '#'))],
    ['one 2 MB line', () => Buffer.from(`LONG="${'x'.repeat(2 * 2 ** 20)}"\nGPU_MODE=nvidia\n`)],
    ['20 MB of random bytes', () => Buffer.from(Array.from({ length: 20 * 2 ** 20 }, (_, i) => (i * 2654435761) >>> 24))],
    ['a NUL in the middle of a big text file', () => Buffer.concat([Buffer.from('A=1\n'.repeat(100_000)), Buffer.from([0]), Buffer.from('B=2\n')])],
    ['CRLF, CR and LF mixed, a BOM, an unfinished quote at the end', () => Buffer.from('\uFEFFA=1\r\nB=2\rC=3\n# x\r\nGPU_MODE=nvidia\r\nD="open')],
  ];
  test.each(big())('%s: the real CLI exits 0 or 1 without a stack trace; nothing lost or touched', { timeout: 60_000 }, async (name, make) => {
    const dir = join(root, name.replace(/\W+/g, '_'));
    mkdirSync(dir);
    const conf = join(dir, '.operator.conf');
    const bytes = make();
    writeFileSync(conf, bytes);
    const r = await startCli(['--yes', '-C', dir, '--gpu', 'cpu'], { KG_INIT_REPORT: report }).done;
    checkOutcome(bytes, readFileSync(conf), r, conf);
    expect(readdirSync(dir).filter((f) => /\.tmp$/.test(f))).toEqual([]);
  });
});
