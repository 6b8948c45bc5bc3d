// Runs the built CLI (bin/kg-init.js → dist/) as a user would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/kg-init.js', import.meta.url));
/** The recorded hosts the suite replays: all of them live in the repository. */
export const HOSTS = fileURLToPath(new URL('../hosts', import.meta.url));
const SHARED = process.env.KG_INIT_SHARED_HOSTS || fileURLToPath(new URL('../../../shared/hosts', import.meta.url));
/**
 * The workspace's shared recorded hosts, when a copy sits beside the checkout
 * (../shared/hosts, or where KG_INIT_SHARED_HOSTS says): an optional extra
 * conformance set, null when absent. The suite never needs it; test/hosts holds
 * a copy of each of its hosts.
 */
export const SHARED_HOSTS: string | null = existsSync(SHARED) ? SHARED : null;

/** Folders under `base` that hold a recorded host (a host.json), sorted; none when `base` is absent. */
export function hostDirs(base: string | null, file = 'host.json'): string[] {
  if (base === null || !existsSync(base)) return [];
  return readdirSync(base)
    .filter((n) => existsSync(join(base, n, file)))
    .sort()
    .map((n) => join(base, n));
}

/** Same names, bytes and executable bits throughout two folders. */
function sameTree(a: string, b: string): boolean {
  if (!existsSync(b)) return false;
  const sa = statSync(a);
  const sb = statSync(b);
  if (sa.isDirectory() !== sb.isDirectory()) return false;
  if (!sa.isDirectory()) return (sa.mode & 0o111) === (sb.mode & 0o111) && readFileSync(a).equals(readFileSync(b));
  const na = readdirSync(a).sort();
  const nb = readdirSync(b).sort();
  return na.join('/') === nb.join('/') && na.every((n) => sameTree(join(a, n), join(b, n)));
}

/**
 * The hosts the replay tests run, as [label, folder]: every host of test/hosts
 * under its folder name, then the conformance set: each host of ../shared/hosts
 * (when present) that test/hosts lacks or holds differently, as `shared/<name>`.
 * `file`: what a folder must hold to count (expect.json for tests that check it).
 */
export function replayedHosts(file = 'host.json'): Array<[string, string]> {
  const own = hostDirs(HOSTS, file).map((d): [string, string] => [d.split('/').pop()!, d]);
  const shared = hostDirs(SHARED_HOSTS, file)
    .map((d): [string, string] => [d.split('/').pop()!, d])
    .filter(([n, d]) => !sameTree(d, join(HOSTS, n)))
    .map(([n, d]): [string, string] => [`shared/${n}`, d]);
  return [...own, ...shared];
}

/** The user config directory the built CLI uses in tests (per test process). */
export const TEST_CONFIG_DIR = join(tmpdir(), 'kg-init-test-config');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  if (!existsSync(new URL('../../dist/cli.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    // KG_INIT_CONFIG_DIR: the re-init memory goes to a scratch dir, never the real ~/.config.
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, KG_INIT_CONFIG_DIR: TEST_CONFIG_DIR, ...opts.env })) {
      if (v !== undefined) env[k] = v;
    }
    // detached: a session of its own, without a controlling terminal, so the
    // wizard's /dev/tty fallback behaves the same from a developer's shell as in CI.
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Tests that need a tool may skip locally, never in CI (.ci/run sets KG_INIT_REQUIRE_TOOLS). */
export function toolsRequired(): boolean {
  return Boolean(process.env.KG_INIT_REQUIRE_TOOLS);
}

let anyUserCopy: { bin: string; platform: string } | undefined;
/**
 * The built CLI (bin/, dist/, package.json) and the platform fixture, copied
 * where any account can read them, for tests that run kg-init as another user
 * (uid 65534): the checkout itself may sit in a folder only its owner can enter
 * (`mktemp -d` makes it 0700). Under this test file's scratch folder (0755).
 */
export function cliForAnyUser(): { bin: string; platform: string } {
  if (anyUserCopy) return anyUserCopy;
  const base = join(tmpdir(), 'kg-init-any-user');
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(REPO, part), join(base, part), { recursive: true });
  cpSync(join(REPO, 'test/fixtures/platform'), join(base, 'platform'), { recursive: true });
  const open = (p: string) => {
    const st = statSync(p);
    chmodSync(p, st.isDirectory() ? 0o755 : (st.mode & 0o111 ? 0o755 : 0o644));
    if (st.isDirectory()) for (const n of readdirSync(p)) open(join(p, n));
  };
  open(base);
  anyUserCopy = { bin: join(base, 'bin/kg-init.js'), platform: join(base, 'platform') };
  return anyUserCopy;
}
