// Builds test/helpers/fault-child.ts into one script (esbuild, as the real
// build does, `?raw` templates included) and runs it like the CLI.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './cli.js';

let built: Promise<string> | undefined;

/** Path of the bundled fault-injecting kg-init (built once per test file). */
export function faultChild(): Promise<string> {
  built ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kg-fault-child-')), 'child.mjs');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    await build({
      entryPoints: [fileURLToPath(new URL('./fault-child.ts', import.meta.url))],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      define: { __KG_INIT_VERSION__: JSON.stringify(pkg.version) },
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      plugins: [
        {
          name: 'raw',
          setup(b) {
            b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: join(a.resolveDir, a.path.replace(/\?raw$/, '')), namespace: 'raw' }));
            b.onLoad({ filter: /.*/, namespace: 'raw' }, (a) => ({ contents: readFileSync(a.path, 'utf8'), loader: 'text' }));
          },
        },
      ],
    });
    return out;
  })();
  return built;
}

export interface Fault {
  /** SIGKILL the run when applyPlan reaches this step ('locked', 'wrote:.operator.conf', ...). */
  killAt?: string;
  /** A write (of the file named, else any) fails half-way with this errno code. */
  write?: { code: string; file?: string };
}

/** Runs kg-init with a fault injected; resolves with how it ended. */
export async function runWithFault(
  fault: Fault,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const script = await faultChild();
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env })) if (v !== undefined) full[k] = v;
  const child = spawn(process.execPath, [script, JSON.stringify(fault), ...args], { cwd: REPO, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
