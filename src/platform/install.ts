// What a run adds to the install directory besides the GPU files: the
// platform's own files when the directory holds none (first install from
// nothing), and `.env` when it is absent. Fetched and generated before the
// plan, so the plan shows them and applyPlan writes them in one transaction.
import { BASE_COMPOSE_FILE } from '../catalog.js';
import type { InstallState, NewFile } from '../install/types.js';
import { envFileText } from './env.js';
import { defaultPlatformSource, fetchPlatform, resolvePlatformSource, type FetchOptions } from './fetch.js';
import { ENV_FILE, IMAGE_TAG_HELPER, OPERATOR_SCRIPT } from './layout.js';

export interface PrepareOptions extends FetchOptions {
  /** --platform-source, else KG_INIT_PLATFORM_SOURCE, else the default for the release. */
  source?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  release?: string;
  version: string;
}

/** The source a first install would use, as given or by default. */
export function platformSourceOf(opts: Pick<PrepareOptions, 'source' | 'env' | 'release'>): string {
  return opts.source || opts.env.KG_INIT_PLATFORM_SOURCE || defaultPlatformSource(opts.release);
}

async function randomBytes(n: number): Promise<Uint8Array> {
  const { randomBytes } = await import('node:crypto');
  return randomBytes(n);
}

/**
 * The files to add to `install`: the platform's (fetched) when it holds no
 * platform, and a new `.env` when there is none (not in a repository clone,
 * whose `./operator.sh init` makes its own). Throws a KgInitError (exit 1)
 * when the source cannot be read; nothing is written then.
 */
export async function preparePlatform(install: InstallState, opts: PrepareOptions): Promise<{ files: NewFile[]; source: string | null }> {
  const files: NewFile[] = [];
  let source: string | null = null;
  if (install.platform.kind === 'none') {
    source = platformSourceOf(opts);
    const fetched = await fetchPlatform(resolvePlatformSource(source, opts.cwd), opts);
    files.push(...fetched);
  }
  if (!install.platform.env.exists && install.platform.kind !== 'clone') {
    // Bytes for all five secrets at once, drawn again only for the rare rejected byte.
    let pool = await randomBytes(1024);
    const take = (n: number): Uint8Array => {
      if (pool.length < n) throw new Error('internal: random pool exhausted');
      const out = pool.subarray(0, n);
      pool = pool.subarray(n);
      return out;
    };
    files.push({ path: ENV_FILE, text: envFileText(take, opts.version), mode: 0o600 });
  }
  return { files, source };
}

/** The install as it will be once `files` are written: the layout they make, and the files to create. */
export function withPlatform(install: InstallState, files: NewFile[], source: string | null): InstallState {
  if (files.length === 0) return install;
  const names = new Set(files.map((f) => f.path));
  const composeFiles = [...new Set([...install.platform.composeFiles, ...files.map((f) => f.path).filter((p) => /^docker-compose.*\.ya?ml$/.test(p))])].sort();
  const env = files.find((f) => f.path === ENV_FILE);
  const operatorScript = install.platform.operatorScript || names.has(OPERATOR_SCRIPT);
  return {
    ...install,
    operatorScript,
    baseCompose: install.baseCompose || names.has(BASE_COMPOSE_FILE),
    platform: {
      ...install.platform,
      kind: install.platform.kind === 'none' && (operatorScript || names.has(BASE_COMPOSE_FILE)) ? 'standalone' : install.platform.kind,
      operatorScript,
      imageTagHelper: install.platform.imageTagHelper || names.has(IMAGE_TAG_HELPER),
      composeFiles,
      env: env ? { exists: true, text: env.text } : install.platform.env,
    },
    incoming: { files, source },
  };
}
