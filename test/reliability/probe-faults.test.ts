// The probe on hosts that misbehave: tools that hang (and leave a grandchild
// holding the pipe), crash, print garbage or tens of megabytes; sysfs files
// that vanish between a listing and a read, are cut short mid-read or cannot
// be read. Hosts are recorded ones copied to a temp dir with bin/ scripts
// replaced, or wrapped to fail reads. The report must stay honest (valid, a
// recommendation that is not blocked and never the wrong GPU mode, timeouts
// named) and bounded (the probe returns).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mode } from '../../src/catalog.js';
import { openSnapshot } from '../../src/host/index.js';
import type { Host } from '../../src/host/types.js';
import { probeReport as probe } from '../../src/assess/report.js';
import { reportSchema, type Report } from '../../src/report.js';
import { HOSTS } from '../helpers/cli.js';

const NVIDIA = join(HOSTS, 'nvidia-4090-toolkit');
const AMD = join(HOSTS, 'amd-7900xtx-igpu-arch');
const BOTH = join(HOSTS, 'nvidia-3060-plus-amd-7900xtx');
const EXPECTED: Record<string, Mode> = { [NVIDIA]: 'nvidia', [AMD]: 'amd-host', [BOTH]: 'amd-host' };
/** Modes that really work on each host: a fault may fall back to another of them, or to cpu. */
const WORKS: Record<string, Mode[]> = { [NVIDIA]: ['nvidia'], [AMD]: ['amd-host'], [BOTH]: ['amd-host', 'nvidia'] };
/** Only catches a hang; the probe's own bound is a benchmark figure, not a test. */
const SANITY_MS = 15_000;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-probefault-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A copy of a recorded host with one tool's script replaced. */
function withTool(host: string, tool: string, script: string): string {
  const dir = join(root, `host-${++n}`);
  cpSync(host, dir, { recursive: true });
  writeFileSync(join(dir, 'bin', tool), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, 'bin', tool), 0o755);
  return dir;
}

async function timedProbe(host: Host): Promise<Report> {
  const t0 = performance.now();
  const report = await probe(host);
  expect(performance.now() - t0, 'the probe returned (sanity bound against hangs)').toBeLessThan(SANITY_MS);
  return report;
}

/** What every report must be, whatever the host did. */
function honest(report: Report, works: Mode[]): void {
  expect(() => reportSchema.parse(report)).not.toThrow();
  const rec = report.modes.find((m) => m.mode === report.recommendation.mode)!;
  expect(rec.status, `recommended ${rec.mode}, which is blocked`).not.toBe('blocked');
  // A faulty tool may cost the GPU mode, never buy another vendor's.
  expect([...works, 'cpu']).toContain(report.recommendation.mode);
  expect(JSON.stringify(report).length, 'report size stays bounded').toBeLessThan(256 * 1024);
}

const LINE = '0, NVIDIA GeForce RTX 4090, GPU-5a4f3c1e-9d2b-4e7a-8c61-0f3b2a1d9e88, 00000000:01:00.0, 580.95.05, 24564 MiB';
type ToolCase = [what: string, host: string, tool: string, script: string, check: (r: Report) => void];
const blocked = (mode: Mode) => (r: Report) => expect(r.modes.find((m) => m.mode === mode)!.status).toBe('blocked');
const timedOut = (tool: string) => (r: Report) => {
  expect(r.findings.some((f) => f.code === 'PROBE_TIMEOUT' && f.message.includes(tool)), JSON.stringify(r.findings)).toBe(true);
  expect(r.tools.find((t) => t.command === tool)?.status).toBe('timeout');
};
const TOOL_CASES: ToolCase[] = [
  ['nvidia-smi hangs', NVIDIA, 'nvidia-smi', 'exec sleep 60', (r) => (timedOut('nvidia-smi')(r), blocked('nvidia')(r))],
  ['nvidia-smi hangs, a grandchild holding its pipe', NVIDIA, 'nvidia-smi', 'sleep 60 &\nexec sleep 60', (r) => (timedOut('nvidia-smi')(r), blocked('nvidia')(r))],
  ['nvidia-smi kills itself', NVIDIA, 'nvidia-smi', 'kill -9 $$', blocked('nvidia')],
  ['nvidia-smi segfaults', NVIDIA, 'nvidia-smi', 'kill -SEGV $$', blocked('nvidia')],
  ['nvidia-smi prints random bytes', NVIDIA, 'nvidia-smi', 'head -c 4096 /dev/urandom', blocked('nvidia')],
  ['nvidia-smi prints 30 MB of random bytes', NVIDIA, 'nvidia-smi', 'head -c 30000000 /dev/urandom', blocked('nvidia')],
  ['nvidia-smi prints one good line 300,000 times (30 MB)', NVIDIA, 'nvidia-smi', `yes '${LINE}' | head -c 30000000`, blocked('nvidia')],
  ['nvidia-smi answers, then hangs', NVIDIA, 'nvidia-smi', `echo '${LINE}'\nexec sleep 60`, (r) => (timedOut('nvidia-smi')(r), blocked('nvidia')(r))],
  ['docker hangs', NVIDIA, 'docker', 'exec sleep 60', (r) => (timedOut('docker')(r), expect(r.docker.running).toBe(false))],
  ['docker crashes', AMD, 'docker', 'kill -SEGV $$', (r) => expect(r.docker.running).toBe(false)],
  ['docker prints 30 MB of garbage', AMD, 'docker', 'head -c 30000000 /dev/urandom', (r) => expect(r.docker.running).toBe(false)],
  ['docker prints half a JSON document', NVIDIA, 'docker', `printf '{"ServerVersion":"27.1.1","Runtimes":{"nvidia":'`, (r) => expect(r.docker.nvidiaRuntime).toBe(false)],
  ['rocminfo and amd-smi hang', AMD, 'rocminfo', 'exec sleep 60', () => {}],
  ['nvidia-smi hangs on a host with both vendors', BOTH, 'nvidia-smi', 'exec sleep 60', (r) => (timedOut('nvidia-smi')(r), blocked('nvidia')(r))],
];

describe('tools that misbehave', () => {
  // Concurrently: each hang costs its 2 s bound once, not once per case.
  const results = new Map<string, Promise<Report>>();
  beforeAll(() => {
    for (const [what, host, tool, script] of TOOL_CASES) {
      const dir = withTool(host, tool, script);
      if (what.startsWith('rocminfo and amd-smi')) writeFileSync(join(dir, 'bin', 'amd-smi'), '#!/bin/sh\nexec sleep 60\n');
      results.set(what, openSnapshot(dir).then(timedProbe));
    }
  });
  test.each(TOOL_CASES)('%s: honest and bounded', async (what, host, _tool, _script, check) => {
    const report = await results.get(what)!;
    honest(report, WORKS[host]!);
    check(report);
  });
});

/** A recorded host whose reads fail the way a live one's can. */
function faulty(inner: Host, fault: (op: 'readText' | 'list' | 'readLink' | 'stat', path: string, text?: string) => 'vanish' | 'truncate' | null): Host {
  const wrap = <A extends unknown[], T>(op: 'readText' | 'list' | 'readLink' | 'stat', f: (p: string, ...a: A) => Promise<T | null>) =>
    async (p: string, ...a: A): Promise<T | null> => {
      const v = await f(p, ...a);
      const what = fault(op, p, typeof v === 'string' ? v : undefined);
      if (what === 'vanish') return null;
      if (what === 'truncate' && typeof v === 'string') return v.slice(0, v.length >> 1) as T;
      return v;
    };
  return {
    source: inner.source,
    platform: inner.platform,
    arch: inner.arch,
    kernelRelease: inner.kernelRelease,
    identity: inner.identity,
    readText: wrap('readText', (p) => inner.readText(p)),
    readIdSections: wrap('readText', (p: string, keys: string[]) => inner.readIdSections(p, keys)),
    list: wrap('list', (p) => inner.list(p)),
    readLink: wrap('readLink', (p) => inner.readLink(p)),
    stat: wrap('stat', (p) => inner.stat(p)),
    run: (c, a, o) => inner.run(c, a, o),
  };
}

type ReadCase = [what: string, host: string, fault: Parameters<typeof faulty>[1], check: (r: Report, clean: Report) => void];
const pciDevice = /^\/sys\/bus\/pci\/devices\/[^/]+\//;
let flaky = 0;
const READ_CASES: ReadCase[] = [
  ['PCI devices listed, then gone before their files are read', AMD, (op, p) => (op !== 'list' && pciDevice.test(p) ? 'vanish' : null), () => {}],
  ['PCI devices listed, then gone (NVIDIA)', NVIDIA, (op, p) => (op !== 'list' && pciDevice.test(p) ? 'vanish' : null), () => {}],
  ['KFD topology files cut short mid-read', AMD, (op, p) => (op === 'readText' && p.startsWith('/sys/class/kfd/') ? 'truncate' : null), (r, clean) => {
    // A half-read gfx_target_version must never turn into an override.
    expect(r.amdOverlay?.hsaOverrideGfxVersion ?? null).toBe(clean.amdOverlay?.hsaOverrideGfxVersion ?? null);
  }],
  ['every sysfs file cut short mid-read', BOTH, (op, p) => (op === 'readText' && p.startsWith('/sys/') ? 'truncate' : null), (r, clean) => {
    expect(r.amdOverlay?.hsaOverrideGfxVersion ?? null).toBe(clean.amdOverlay?.hsaOverrideGfxVersion ?? null);
  }],
  ['the KFD topology unreadable', AMD, (_op, p) => (p.startsWith('/sys/class/kfd') ? 'vanish' : null), (r) => expect(r.recommendation.mode).not.toBe('amd-host')],
  ['/dev/kfd vanished', AMD, (_op, p) => (p === '/dev/kfd' ? 'vanish' : null), (r) => expect(r.recommendation.mode).not.toBe('amd-host')],
  ['every other read under /sys fails', BOTH, (_op, p) => (p.startsWith('/sys/') && flaky++ % 2 === 0 ? 'vanish' : null), () => {}],
  ['all of /sys unreadable', NVIDIA, (_op, p) => (p.startsWith('/sys') ? 'vanish' : null), () => {}],
  ['/proc/driver/nvidia unreadable', NVIDIA, (_op, p) => (p.startsWith('/proc/driver/nvidia') ? 'vanish' : null), () => {}],
];

describe('sysfs and device files that vanish, are cut short or cannot be read', () => {
  test.each(READ_CASES)('%s: honest and bounded', async (_what, host, fault, check) => {
    const clean = await probe(await openSnapshot(host));
    expect(clean.recommendation.mode).toBe(EXPECTED[host]);
    const report = await timedProbe(faulty(await openSnapshot(host), fault));
    honest(report, WORKS[host]!);
    check(report, clean);
  });
});
