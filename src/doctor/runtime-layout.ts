// How the platform's operator runs `docker compose` for an install, learned
// from its operator.sh (never copied): the compose files it chains for the api
// service, the env file, and the compose project those files form. doctor
// --runtime uses it to find the running kg-api container of THIS install and
// to start a one-off container exactly as the platform would.
//
// Which files, and in which order, comes from src/platform/layout.ts
// (composeFilesFor), the one place that knows the platform's selection; this
// module adds what a runtime check needs on top: absolute paths, the compose
// project name as Compose derives it, and the argv.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BASE_COMPOSE_FILE, type Mode } from '../catalog.js';
import { composeFilesFor } from '../platform/layout.js';
import type { InstallState } from '../install/types.js';
import { READ_LIMIT, readRegularFollowing } from '../util/safe-fs.js';

export interface ComposeInvocation {
  /** Where the compose files live: <install>/docker in a source checkout, else the install dir. */
  dockerDir: string;
  /** The files, in the operator's order, that exist. */
  files: string[];
  /** <install>/.env when it exists (the operator passes it with --env-file). */
  envFile: string | null;
  /** The compose project these files form when the operator runs them. */
  project: string;
  /** Where the project name came from, for messages. */
  projectFrom: string;
  /** Other project names the platform's installs use (install.sh runs its operator as `knowledge-graph`). */
  otherProjects: string[];
  /** KG_API_IMAGE_TAG as the operator exports it to compose (it substitutes the api image tag). */
  env: Record<string, string>;
  /** `docker compose -p … -f … --env-file …`, as argv after `docker`. */
  argv: string[];
}

/** Compose's own normalisation of a project name (lowercase; a-z, 0-9, '_' and '-'; starts with a letter or digit). */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

/** One KEY's value from a dotenv file, read as text (never sourced); null when absent. */
export function dotenvValue(text: string, key: string): string | null {
  let found: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m || m[1] !== key) continue;
    let v = m[2]!.trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    found = v;
  }
  return found;
}

/** The top-level `name:` of a compose file (a plain scalar), if it has one. */
function topLevelName(text: string): string | null {
  const m = /^name:\s*["']?([^"'#\s]+)["']?\s*(?:#.*)?$/m.exec(text);
  return m ? m[1]! : null;
}

function readSmall(path: string): string | null {
  try {
    // A regular file only (a FIFO refused before it blocks), bounded.
    return readRegularFollowing(path, READ_LIMIT.compose)?.toString('utf8') ?? null;
  } catch {
    return null;
  }
}

export function composeInvocation(install: InstallState, mode: Mode | null, imageTag: string | null, env: NodeJS.ProcessEnv): ComposeInvocation {
  const dir = install.dir;
  // The files themselves: the platform's own selection (src/platform/layout.ts),
  // made absolute and kept only where they exist.
  const confText = install.conf.text ?? '';
  const values = { ...install.conf.values, GPU_MODE: mode ?? install.conf.values.GPU_MODE };
  const selection = composeFilesFor({ ...install, conf: { ...install.conf, values } });
  const dockerDir = selection.projectDir;
  const files = selection.files.map((f) => join(dir, f)).filter((p) => existsSync(p));
  const envPath = join(dir, '.env');
  const envFile = existsSync(envPath) ? envPath : null;

  // Compose's order: COMPOSE_PROJECT_NAME in the environment, then in the env
  // file, then the first file's top-level `name:`, then the directory's name.
  let project: string | null = null;
  let projectFrom = '';
  const fromShell = env.COMPOSE_PROJECT_NAME;
  const envText = envFile ? readSmall(envFile) : null;
  const fromEnvFile = envText ? dotenvValue(envText, 'COMPOSE_PROJECT_NAME') : null;
  const baseText = files[0] ? readSmall(files[0]) : null;
  const fromName = baseText ? topLevelName(baseText) : null;
  if (fromShell) [project, projectFrom] = [fromShell, 'COMPOSE_PROJECT_NAME in your environment'];
  else if (fromEnvFile) [project, projectFrom] = [fromEnvFile, 'COMPOSE_PROJECT_NAME in .env'];
  else if (fromName) [project, projectFrom] = [fromName, `name: in ${BASE_COMPOSE_FILE}`];
  else [project, projectFrom] = [basename(dockerDir), `the directory name ${basename(dockerDir)}`];
  project = normalizeProjectName(project) || 'default';
  const fromConf = dotenvValue(confText, 'COMPOSE_PROJECT_NAME');
  const otherProjects = [...new Set([fromConf, 'knowledge-graph'].filter((p): p is string => !!p).map(normalizeProjectName))].filter((p) => p && p !== project);

  const composeEnv: Record<string, string> = {};
  if (imageTag) composeEnv.KG_API_IMAGE_TAG = imageTag;
  const argv = ['compose', '-p', project, ...files.flatMap((f) => ['-f', f]), ...(envFile ? ['--env-file', envFile] : [])];
  return { dockerDir, files, envFile, project, projectFrom, otherProjects, env: composeEnv, argv };
}
