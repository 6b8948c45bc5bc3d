// `probe --json` prints the Report as probeReport builds it, without running
// reportSchema over it on every run (zod's load alone was some 12 ms of a
// 180 ms probe). That is only right while what probeReport builds is exactly
// what the schema, the public API of docs/probe-json.md, describes: on every
// recorded host the schema accepts it and changes nothing (no key it would
// strip, no value it would coerce). Key order may differ; JSON readers do not
// depend on it.
import { describe, expect, it } from 'vitest';
import { replayedHosts } from '../helpers/cli.js';
import { openSnapshot } from '../../src/host/index.js';
import { probeReport } from '../../src/assess/report.js';
import { reportSchema } from '../../src/report.js';

const asJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('the report probe --json prints is what reportSchema describes, unchanged', () => {
  it.each(replayedHosts())('%s', async (_name, dir) => {
    const report = await probeReport(await openSnapshot(dir));
    const parsed = reportSchema.safeParse(report);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(asJson(parsed.data)).toStrictEqual(asJson(report));
  });
});
