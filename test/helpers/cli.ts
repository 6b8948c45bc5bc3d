// Runs the built CLI (bin/kg-init.js → dist/) as a user would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/kg-init.js', import.meta.url));
export const SHARED_HOSTS = fileURLToPath(new URL('../../../shared/hosts', import.meta.url));
export const OWN_HOSTS = fileURLToPath(new URL('../hosts', import.meta.url));

/** The user config directory the built CLI uses in tests (per test process). */
export const TEST_CONFIG_DIR = join(tmpdir(), `kg-init-test-config-${process.pid}`);

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
