// A host that answers with terminal escape sequences (a GPU name from
// nvidia-smi or the kernel's model line carrying an OSC 52 clipboard write and
// a screen clear): the probe's Report and the per-check lines the wizard shows
// carry none of them, whichever front end prints them.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeReport } from '../../src/assess/report.js';
import { openSnapshot } from '../../src/host/index.js';
import type { CheckEvent } from '../../src/probe/index.js';
import { HOSTS } from '../helpers/cli.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
let snap: string;

beforeAll(() => {
  snap = join(mkdtempSync(join(tmpdir(), 'kg-hostile-host-')), 'host');
  cpSync(join(HOSTS, 'nvidia-4090-toolkit'), snap, { recursive: true });
  const smi = join(snap, 'bin', 'nvidia-smi');
  const lines = readFileSync(smi, 'utf8')
    .split('\n')
    .map((l) => (l.includes('NVIDIA GeForce RTX 4090') ? l.replace('NVIDIA GeForce RTX 4090', '%s').replace(/' ;;\s*$/, `' "$N" ;;`) : l));
  lines.splice(1, 0, `N="NVIDIA $(printf '\\033]52;c;cHduZWQ=\\007\\033[2J\\033[H\\302\\23331m')GeForce RTX 4090"`);
  writeFileSync(smi, lines.join('\n'));
  const info = join(snap, 'root', 'proc', 'driver', 'nvidia', 'gpus', '0000:01:00.0', 'information');
  writeFileSync(info, readFileSync(info, 'utf8').replace('NVIDIA GeForce RTX 4090', 'NVIDIA \x1b]0;owned\x07GeForce \x1b[2J RTX 4090'));
});
afterAll(() => rmSync(join(snap, '..'), { recursive: true, force: true }));

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

test.runIf(process.platform !== 'win32')('no escape sequence or control character of the host reaches the Report or a check line', async () => {
  const events: CheckEvent[] = [];
  const report = await probeReport(await openSnapshot(snap), { onCheck: (e) => events.push(e) });
  const details = events.map((e) => e.detail ?? '');
  // The host really said it: the nvidia check quotes nvidia-smi's name, made visible.
  expect(details.join('\n')).toContain('GeForce RTX 4090');
  for (const s of [...strings(report), ...details]) expect(s, JSON.stringify(s)).not.toMatch(CONTROL);
  expect(report.gpus[0]!.name).toBe('NVIDIA GPU [10de:2684]');
});
