// One test per recorded host (test/hosts, plus the conformance set of
// ../shared/hosts when a copy sits beside the checkout), generated from the
// folders so a new host is picked up by adding it. Each host is replayed
// through the BUILT CLI, as a user would run it, and must match expect.json.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { replayedHosts, runCli } from '../helpers/cli.js';
import { reportSchema, type Report } from '../../src/report.js';

const status = z.enum(['ready', 'degraded', 'blocked']);
const expectSchema = z.object({
  mode: z.string(),
  imageTag: z.string(),
  findings: z.array(z.string()).default([]),
  notFindings: z.array(z.string()).default([]),
  modes: z.record(z.string(), z.union([status, z.array(status)])).default({}),
  overlay: z
    .object({
      groupGids: z.array(z.number()),
      rocrVisibleDevices: z.array(z.string()).nullable(),
      hsaOverride: z.string().nullable(),
    })
    .optional(),
  maxSeconds: z.number().optional(),
});

const hosts = replayedHosts('expect.json');

it('finds the recorded hosts of test/hosts', () => {
  expect(hosts.filter(([n]) => !n.startsWith('shared/')).length).toBeGreaterThanOrEqual(26);
});

async function replay(dir: string): Promise<Report> {
  const r = await runCli(['probe', '--json'], { env: { KG_INIT_HOST_SNAPSHOT: dir } });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return reportSchema.parse(JSON.parse(r.stdout));
}

describe('recorded host', () => {
  it.each(hosts)('%s matches expect.json', async (_name, dir) => {
    const e = expectSchema.parse(JSON.parse(readFileSync(path.join(dir, 'expect.json'), 'utf8')));
    const report = await replay(dir);
    expect(report.recommendation).toMatchObject({ mode: e.mode, imageTag: e.imageTag });
    const codes = report.findings.map((f) => f.code);
    for (const c of e.findings) expect(codes, `finding ${c}`).toContain(c);
    for (const c of e.notFindings) expect(codes, `finding ${c} must not be reported`).not.toContain(c);
    for (const [mode, want] of Object.entries(e.modes)) {
      const got = report.modes.find((m) => m.mode === mode);
      expect(got, `mode ${mode}`).toBeDefined();
      expect([want].flat(), `status of ${mode}: ${got!.reason}`).toContain(got!.status);
    }
    // Every finding says what to do; every mode says why.
    for (const f of report.findings) {
      expect(f.message.includes('\n'), f.code).toBe(false);
      expect(f.fix, f.code).toBeTruthy();
    }
    for (const m of report.modes) expect(m.reason, m.mode).toBeTruthy();
    if (e.overlay) {
      const o = report.amdOverlay;
      expect(o).not.toBeNull();
      for (const gid of e.overlay.groupGids) expect(o!.groupGids).toContain(gid);
      if (e.overlay.rocrVisibleDevices === null) expect(o!.rocrVisibleDevices).toBeNull();
      else expect(e.overlay.rocrVisibleDevices).toContain(o!.rocrVisibleDevices);
      expect(o!.hsaOverrideGfxVersion).toBe(e.overlay.hsaOverride);
    }
    if (e.maxSeconds !== undefined) expect(report.durationMs).toBeLessThanOrEqual(e.maxSeconds * 1000);
  });
});
