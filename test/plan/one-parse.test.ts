// A headless re-init reads .operator.conf once: reading the install (its owned
// keys and the platform's selection keys), planning the update (set the mode,
// drop the tag), the dry run's diff and the write all work from one parse. A
// big config then costs one pass over its text, not three (issue #16). The
// parse is counted by wrapping parseConf here, in the test, not by a hook in
// kg-init.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IO } from '../../src/cli/io.js';
import { parseCommandLine } from '../../src/cli/options.js';
import { runConfigure } from '../../src/commands/configure.js';
import { makeReport } from '../helpers/report.js';

const parses = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../src/conf/parse.js', async (original) => {
  const mod = await original<typeof import('../../src/conf/parse.js')>();
  return {
    ...mod,
    parseConf: (...a: Parameters<typeof mod.parseConf>) => {
      parses.n++;
      return mod.parseConf(...a);
    },
  };
});

const PLATFORM = fileURLToPath(new URL('../fixtures/platform/', import.meta.url));
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-one-parse-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function io(): IO & { out: () => string } {
  let out = '';
  const sink = { write: (s: string) => ((out += s), true), isTTY: false, columns: 80 } as unknown as NodeJS.WriteStream;
  return { stdout: sink, stderr: sink, stdin: process.stdin, env: { ...process.env, NO_COLOR: '1' }, cwd: root, out: () => out } as IO & { out: () => string };
}

const userLines = Array.from({ length: 2000 }, (_, i) => (i % 2 ? `USER_${i}="kept ${i}" # mine` : `# note ${i}`)).join('\n');
// The tag of the mode before (amd-host): the platform derives cpu's itself, so kg-init drops the line.
const conf = (name: string) => `GPU_MODE=amd-host\nKG_API_IMAGE_TAG=rocm72-host\nDEV_MODE=false\n# ${name}\n${userLines}\n`;

describe('.operator.conf is parsed once per run', () => {
  test.each([
    ['a re-init that changes the mode and drops the tag', [] as string[]],
    ['its --dry-run, diff included', ['--dry-run']],
  ])('%s', async (_name, extra) => {
    const dir = join(root, `d${extra.length}`);
    cpSync(PLATFORM, dir, { recursive: true });
    // A text of its own per case: the parse of the last text read is kept (and reused) in-process.
    const CONF = conf(_name);
    writeFileSync(join(dir, '.operator.conf'), CONF);
    const args = await parseCommandLine(['--yes', '--gpu=cpu', '--dir', dir, ...extra]);
    const out = io();
    parses.n = 0;
    const code = await runConfigure(args, out, { report: async () => makeReport({ recommend: 'cpu' }) });
    expect(code, out.out()).toBe(0);
    expect(parses.n).toBe(1);
    const text = readFileSync(join(dir, '.operator.conf'), 'utf8');
    if (extra.length) {
      expect(text).toBe(CONF);
      expect(out.out()).toContain('+GPU_MODE=cpu');
    } else {
      expect(text).toMatch(/^GPU_MODE=cpu\nDEV_MODE=false\n/);
      expect(text).not.toContain('KG_API_IMAGE_TAG');
      expect(text).toContain(`${userLines}\nINITIALIZED_AT=`);
    }
  });
});
