// `kg-init probe --save-snapshot`: a recorded host replays to the same report.
// Recorded from replayed hosts (every host of test/hosts) and from this machine.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOSTS, hostDirs, runCli } from '../helpers/cli.js';
import { openSnapshot } from '../../src/host/index.js';
import { RecordingHost, writeSnapshot } from '../../src/host/record.js';
import { probeReport as probe } from '../../src/assess/report.js';
import { reportSchema, type Report } from '../../src/report.js';

/** A report without what legitimately differs between two runs: timings and where it came from. */
function comparable(r: Report): unknown {
  const { durationMs: _d, source: _s, ...rest } = r;
  return { ...rest, tools: r.tools.map(({ ms: _ms, ...t }) => t) };
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kg-save-'));

const hosts = hostDirs(HOSTS).map((d) => [path.basename(d), d] as const);
// Hosts whose tools hang are recorded once through the CLI below (each costs the full time bound).
const quick = hosts.filter(([n]) => !/hang/.test(n));

describe('save-snapshot of a replayed host replays the same report', () => {
  it.each(quick)('%s', async (_name, dir) => {
    const rec = new RecordingHost(await openSnapshot(dir));
    const first = await probe(rec);
    const out = tmp();
    await writeSnapshot(rec, out, first);
    const again = await probe(await openSnapshot(out));
    expect(comparable(again)).toEqual(comparable(first));
    // Device nodes the probe looked at keep their metadata (owner, group, mode).
    const before = JSON.parse(readFileSync(path.join(dir, 'host.json'), 'utf8')).files ?? {};
    const after = JSON.parse(readFileSync(path.join(out, 'host.json'), 'utf8')).files;
    for (const p of ['/dev/kfd', '/dev/dri/renderD128']) if (before[p]) expect(after[p]).toEqual(before[p]);
  });
});

describe('kg-init probe --save-snapshot', () => {
  it('records a replayed host whose tool hangs as one that still hangs', async () => {
    const out = path.join(tmp(), 'snap');
    const src = path.join(HOSTS, 'nvidia-smi-hangs');
    const saved = await runCli(['probe', '--json', '--save-snapshot', out], { env: { KG_INIT_HOST_SNAPSHOT: src } });
    expect(saved.code).toBe(0);
    expect(saved.stderr).toContain(`Snapshot saved to ${out}`);
    const replayed = await runCli(['probe', '--json'], { env: { KG_INIT_HOST_SNAPSHOT: out } });
    expect(replayed.code).toBe(0);
    const a = reportSchema.parse(JSON.parse(saved.stdout));
    const b = reportSchema.parse(JSON.parse(replayed.stdout));
    expect(comparable(b)).toEqual(comparable(a));
    expect(b.findings.map((f) => f.code)).toContain('PROBE_TIMEOUT');
    // The identity went to host.json; the hanging tool to bin/ as one that sleeps.
    const meta = JSON.parse(readFileSync(path.join(out, 'host.json'), 'utf8'));
    expect(meta.identity).toEqual(JSON.parse(readFileSync(path.join(src, 'host.json'), 'utf8')).identity);
    expect(readFileSync(path.join(out, 'bin/nvidia-smi'), 'utf8')).toContain('sleep');
    const expected = JSON.parse(readFileSync(path.join(out, 'expect.json'), 'utf8'));
    expect(expected).toMatchObject({ mode: 'cpu', imageTag: 'latest', modes: { nvidia: 'blocked' } });
  });

  it('records this machine so that replaying it gives the live report', async () => {
    const out = path.join(tmp(), 'live');
    const saved = await runCli(['probe', '--json', '--save-snapshot', out], { env: { KG_INIT_HOST_SNAPSHOT: undefined } });
    expect(saved.code).toBe(0);
    const live = reportSchema.parse(JSON.parse(saved.stdout));
    expect(live.source).toBe('live');
    const replayed = await runCli(['probe', '--json'], { env: { KG_INIT_HOST_SNAPSHOT: out } });
    expect(replayed.code).toBe(0);
    expect(comparable(reportSchema.parse(JSON.parse(replayed.stdout)))).toEqual(comparable(live));
  });

  it('refuses a directory that is not empty, without touching it', async () => {
    const out = tmp();
    writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const r = await runCli(['probe', '--save-snapshot', out], { env: { KG_INIT_HOST_SNAPSHOT: path.join(HOSTS, 'macos-m3') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('exists and is not empty');
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });
});
