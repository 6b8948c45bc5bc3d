// npm run bench: one table of medians, times as ratios against Node's own
// start (`node -e 0`) measured in the same run. Writes bench/RESULTS.md.
//
// Goals (from issue #8): --version ≤ 1.3×, headless --yes ≤ 1.6×, wizard first
// frame ≤ 2.0×, probe of a replayed host ≤ 30 ms in-process, probe of a host
// whose tool never returns ≤ 3 s, headless peak RSS ≤ 80 MB, 0 dependencies.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir, cpus, totalmem, release, loadavg, platform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/kg-init.js');
const OWN = join(ROOT, 'test/hosts');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const RSS_HOOK = join(ROOT, 'bench/rss-hook.mjs');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function timeOnce(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr?.toString().slice(0, 300)}`);
  }
  return ms;
}

/** Interleaves the commands run by run so that drift hits them all alike. */
function timeInterleaved(cases, runs = RUNS) {
  const samples = cases.map(() => []);
  for (let i = 0; i < runs + 2; i++) {
    cases.forEach((c, j) => {
      const ms = timeOnce(c.cmd, c.args, c.opts?.() ?? {});
      if (i >= 2) samples[j].push(ms); // two warm-up rounds
    });
  }
  return samples.map(median);
}

function peakRss(args, env) {
  const xs = [];
  for (let i = 0; i < Math.min(RUNS, 7); i++) {
    const dir = mkdtempSync(join(tmpdir(), 'kg-bench-'));
    const out = join(dir, 'rss');
    spawnSync(process.execPath, ['--import', pathToFileURL(RSS_HOOK).href, BIN, ...args(dir)], {
      stdio: 'ignore',
      env: { ...process.env, ...env, KG_BENCH_RSS_FILE: out },
    });
    if (existsSync(out)) xs.push(Number(readFileSync(out, 'utf8')) / 1024 / 1024);
    rmSync(dir, { recursive: true, force: true });
  }
  return xs.length ? median(xs) : NaN;
}

/** Peak RSS so far of a live process (Linux: VmHWM), in MB; NaN elsewhere. */
function hwmMb(pid) {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The wizard in a pseudo-terminal: time to its first painted frame, and its
 * peak RSS once it has settled (probe done, waiting for a key). A run that
 * paints and then exits is an error message, not a wizard: it counts as n/a,
 * so the row lights up by itself once the wizard is in the build.
 */
async function wizardInPty(env) {
  const require = createRequire(import.meta.url);
  let pty;
  try {
    pty = require('node-pty');
  } catch {
    return { frame: NaN, rss: NaN, why: 'node-pty is not installed' };
  }
  const frames = [];
  const rss = [];
  let why = '';
  for (let i = 0; i < Math.min(RUNS, 9) + 1; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'kg-bench-'));
    const r = await new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const p = pty.spawn(process.execPath, [BIN, '--dir', dir], {
        cols: 80, rows: 24, cwd: dir, env: { ...process.env, ...env, TERM: 'xterm-256color' },
      });
      let text = '';
      let frameMs = NaN;
      let done = false;
      const finish = (v) => {
        if (done) return;
        done = true;
        clearTimeout(limit);
        try { p.kill('SIGKILL'); } catch {}
        resolve(v);
      };
      p.onData((d) => {
        text += d;
        // The first frame: text painted (not just cursor control).
        if (Number.isNaN(frameMs) && /[A-Za-z]{3}/.test(text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''))) {
          frameMs = Number(process.hrtime.bigint() - t0) / 1e6;
          // Still running a second later: a wizard waiting for keys.
          setTimeout(() => finish({ frame: frameMs, rss: hwmMb(p.pid) }), 1000);
        }
      });
      p.onExit(({ exitCode }) => finish({ frame: NaN, rss: NaN, why: `exited ${exitCode}: ${text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').trim().split('\n')[0]}` }));
      const limit = setTimeout(() => finish({ frame: NaN, rss: NaN, why: 'painted nothing within 10 s' }), 10_000);
    });
    rmSync(dir, { recursive: true, force: true });
    if (r.why) why = r.why;
    if (i > 0 && Number.isFinite(r.frame)) frames.push(r.frame); // first run warms the file cache
    if (i > 0 && Number.isFinite(r.rss)) rss.push(r.rss);
    if (r.why && i === 0) break; // no wizard in this build: do not spend the runs
  }
  return { frame: frames.length ? median(frames) : NaN, rss: rss.length ? median(rss) : NaN, why: frames.length ? '' : why };
}

async function probeInProcess() {
  // Bundle the probe the way the CLI does, then call it directly.
  const { build } = await import('esbuild');
  const out = mkdtempSync(join(tmpdir(), 'kg-bench-probe-'));
  const entry = join(out, 'entry.ts');
  writeFileSync(entry, `export { probeReport as probe } from ${JSON.stringify(join(ROOT, 'src/assess/report.ts'))};\nexport { openHost } from ${JSON.stringify(join(ROOT, 'src/host/index.ts'))};\n`);
  await build({
    entryPoints: [entry], outfile: join(out, 'probe.mjs'), bundle: true, format: 'esm', platform: 'node', target: 'node20',
    define: { __KG_INIT_VERSION__: '"bench"', 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" },
    logLevel: 'error',
  });
  const { probe, openHost } = await import(pathToFileURL(join(out, 'probe.mjs')).href);
  const hosts = [OWN]
    .filter(existsSync)
    .flatMap((d) => readdirSync(d).map((n) => join(d, n)))
    .filter((d) => existsSync(join(d, 'host.json')));
  const rows = [];
  for (const dir of hosts) {
    const host = await openHost({ KG_INIT_HOST_SNAPSHOT: dir });
    const xs = [];
    // A host whose tool never returns: its expected findings name PROBE_TIMEOUT.
    const hangs = (() => {
      try {
        return (JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')).findings ?? []).includes('PROBE_TIMEOUT');
      } catch {
        return false;
      }
    })();
    for (let i = 0; i < (hangs ? 2 : RUNS); i++) {
      const t0 = process.hrtime.bigint();
      await probe(host);
      xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push({ name: `test/${dir.split('/').pop()}`, ms: median(xs), hangs });
  }
  rmSync(out, { recursive: true, force: true });
  return rows;
}

function packageFacts() {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [p] = JSON.parse(json);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return { tarball: p.size, unpacked: p.unpackedSize, files: p.entryCount, deps: Object.keys(pkg.dependencies ?? {}).length };
}

const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a');
const fmtX = (ms, base) => (Number.isFinite(ms) ? `${(ms / base).toFixed(2)}×` : 'n/a');
const fmtMb = (mb) => (Number.isFinite(mb) ? `${mb.toFixed(1)} MB` : 'n/a');
/** ✓ met, ✗ missed, blank when there is no figure (or no goal). */
const verdict = (value, goal) => (goal === undefined || !Number.isFinite(value) ? '' : value <= goal ? '✓' : '✗');

/** The replayed host the CLI runs on: an AMD host with an iGPU beside the discrete GPU. */
function benchHost() {
  for (const d of [join(OWN, 'amd-7900xtx-igpu-arch'), join(OWN, 'nvidia-3060-plus-amd-7900xtx')]) {
    if (existsSync(join(d, 'host.json'))) return d;
  }
  throw new Error('no replayed host found in test/hosts');
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('run `npm run build` first (npm run bench does)');
  const host = benchHost();
  const hostName = host.split('/').slice(-2).join('/');
  // The re-init memory goes to a scratch directory, kept for this run only: the
  // bench neither writes into the user's ~/.config nor depends on how many
  // installs earlier runs left there (every headless run records its fresh
  // directory, and the store is read and rewritten whole each time).
  const configDir = mkdtempSync(join(tmpdir(), 'kg-bench-config-'));
  const snapEnv = { KG_INIT_HOST_SNAPSHOT: host, KG_INIT_CONFIG_DIR: configDir };
  const load = loadavg()[0];
  const headlessDirs = [];
  const headlessArgs = () => {
    const d = mkdtempSync(join(tmpdir(), 'kg-bench-'));
    headlessDirs.push(d);
    return [BIN, '--yes', '--dir', d];
  };
  const [base, version, help, headless] = timeInterleaved([
    { cmd: process.execPath, args: ['-e', '0'] },
    { cmd: process.execPath, args: [BIN, '--version'] },
    { cmd: process.execPath, args: [BIN, '--help'] },
    { cmd: process.execPath, get args() { return headlessArgs(); }, opts: () => ({ env: { ...process.env, ...snapEnv } }) },
  ]);
  headlessDirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  const wizard = await wizardInPty(snapEnv);
  const rssHeadless = peakRss((d) => ['--yes', '--dir', d], snapEnv);
  rmSync(configDir, { recursive: true, force: true });
  const probes = await probeInProcess();
  const pkg = packageFacts();

  const x = (ms) => ms / base;
  const rows = [
    ['node -e 0 (baseline)', fmtMs(base), '1.00×', '', ''],
    ['kg-init --version', fmtMs(version), fmtX(version, base), '≤ 1.3×', verdict(x(version), 1.3)],
    ['kg-init --help', fmtMs(help), fmtX(help, base), '', ''],
    [`kg-init --yes (replayed ${hostName}, fresh dir)`, fmtMs(headless), fmtX(headless, base), '≤ 1.6×', verdict(x(headless), 1.6)],
    [`wizard first frame (pty 80×24)${wizard.why ? ` — ${wizard.why}` : ''}`, fmtMs(wizard.frame), fmtX(wizard.frame, base), '≤ 2.0×', verdict(x(wizard.frame), 2.0)],
    ['peak RSS, headless --yes', fmtMb(rssHeadless), '', '≤ 80 MB', verdict(rssHeadless, 80)],
    ['peak RSS, wizard (settled)', fmtMb(wizard.rss), '', '', ''],
    ...probes.map((p) => [`probe in-process: ${p.name}${p.hangs ? ' (a tool never returns)' : ''}`, fmtMs(p.ms), '', p.hangs ? '≤ 3000 ms' : '≤ 30 ms', verdict(p.ms, p.hangs ? 3000 : 30)]),
    ['package tarball', `${pkg.tarball} B (${(pkg.tarball / 1024).toFixed(1)} KB)`, '', '', ''],
    ['package unpacked', `${(pkg.unpacked / 1024).toFixed(1)} KB`, '', '', ''],
    ['package files (installed)', String(pkg.files), '', '', ''],
    ['runtime dependencies', String(pkg.deps), '', '0', verdict(pkg.deps, 0)],
  ];
  const table = ['| measure | median | ratio | goal | met |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
  const conditions = `${RUNS} runs per time (medians, interleaved, after 2 warm-up rounds; probe hosts whose tool never returns: 2 runs); load average ${load.toFixed(2)} at the start`;
  console.log(table);
  console.log(`\n${conditions}\nmachine: ${machine}`);
  const md = `# Benchmark results\n\nLatest \`npm run bench\` (${new Date().toISOString().slice(0, 10)}).\nMachine: ${machine}.\nConditions: ${conditions}.\n\n${table}\n`;
  writeFileSync(join(ROOT, 'bench/RESULTS.md'), md);
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
