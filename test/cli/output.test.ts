// What the commands of dist/cli.cjs print reaches the reader whole however
// standard output is connected: they write to the descriptor
// (src/cli/fd-writer.ts), and hand over to Node's stream when the descriptor
// will not take the bytes now. On a terminal they still see its width and
// colour. (A reader that goes away: epipe.test.ts.)
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, HOSTS, runCli, toolsRequired } from '../helpers/cli.js';
import { PTY_AVAILABLE, spawnPty } from '../helpers/pty.js';

const HOST = join(HOSTS, 'amd-7900xtx-igpu-arch');
const hasPython = spawnSync('python3', ['-c', 'import fcntl'], { stdio: 'ignore' }).status === 0;
/** probe --json without its timings, which differ from run to run. */
const report = (stdout: string) => JSON.parse(stdout, (k, v) => (k === 'ms' || k === 'durationMs' ? undefined : v));

describe('standard output', () => {
  // A pipe of one page, non-blocking, that nobody reads for a while: the first
  // write fills it, the next is refused (EAGAIN) until the reader comes.
  test.skipIf(!hasPython && !toolsRequired())('a full non-blocking pipe: probe --json arrives whole once the reader reads, exit 0', async () => {
    const script = `
import fcntl, json, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: one page
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[1:], stdout=w)
os.close(w)
time.sleep(0.5)
data = b''
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(json.dumps({'code': p.wait(), 'out': data.decode()}))
`;
    const r = spawnSync('python3', ['-c', script, process.execPath, BIN, 'probe', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, KG_INIT_HOST_SNAPSHOT: HOST, NO_COLOR: '1' },
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { code: number; out: string };
    expect(got.code).toBe(0);
    expect(got.out.length).toBeGreaterThan(4096);
    const direct = await runCli(['probe', '--json'], { env: { KG_INIT_HOST_SNAPSHOT: HOST } });
    expect(report(got.out)).toEqual(report(direct.stdout));
  });

  test.skipIf(!PTY_AVAILABLE && !toolsRequired())('on a 60-column terminal: probe is coloured and wrapped to 60 columns (a path longer than a row on its own), the recommendation included', async () => {
    const run = spawnPty(['probe'], { cols: 60, rows: 60, env: { KG_INIT_HOST_SNAPSHOT: HOST } });
    expect(await run.exit()).toBe(0);
    expect(run.raw()).toMatch(/\u001b\[[0-9;]*m/);
    const lines = run.logicalLines().filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(5);
    // A path longer than a row (the replayed host's, from a deep checkout) is never broken: it gets a row of its own.
    for (const l of lines) if (l.trim().includes(' ')) expect(l.length, l).toBeLessThanOrEqual(60);
    expect(lines.some((l) => l.startsWith('Recommendation: amd-host'))).toBe(true);
    expect(run.text()).toMatch(/amd-host/);
  });
});
