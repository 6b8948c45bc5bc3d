// A Docker Compose v2 for the tests that resolve rendered files the way the
// platform does (`docker compose ... config` needs no engine). Compose v1
// (Debian's docker-compose 1.x) rejects the `!reset` tag the platform's
// standalone overlay and kg-init's GHCR file use, so it does not count.
// Looked for: $KG_INIT_COMPOSE (a command line), `docker compose`, then the
// plugin binary where .ci/run installs it.
import { spawnSync } from 'node:child_process';

const CANDIDATES: string[][] = [
  ...(process.env.KG_INIT_COMPOSE ? [process.env.KG_INIT_COMPOSE.split(' ')] : []),
  ['docker', 'compose'],
  ['/usr/local/lib/docker/cli-plugins/docker-compose'],
  ['/usr/libexec/docker/cli-plugins/docker-compose'],
  ['docker-compose'],
];

let found: string[] | null | undefined;

/** The command (argv prefix) of a Compose v2, or null when none is installed. */
export function composeV2(): string[] | null {
  if (found !== undefined) return found;
  found = null;
  for (const c of CANDIDATES) {
    const r = spawnSync(c[0]!, [...c.slice(1), 'version', '--short'], { encoding: 'utf8', timeout: 10_000 });
    const v = /^v?(\d+)\.(\d+)/.exec((r.stdout ?? '').trim());
    if (r.status === 0 && v && Number(v[1]) >= 2 && (Number(v[1]) > 2 || Number(v[2]) >= 24)) {
      found = c;
      break;
    }
  }
  return found;
}

/** Resolves compose files into Compose's JSON model (throws with Compose's stderr on failure). */
export function composeConfig(args: string[], opts: { cwd: string; env?: Record<string, string> }): { model: ComposeModel; stderr: string } {
  const c = composeV2();
  if (!c) throw new Error('no Compose v2');
  const r = spawnSync(c[0]!, [...c.slice(1), ...args, 'config', '--format', 'json'], {
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...opts.env },
  });
  if (r.status !== 0) throw new Error(`compose config failed (${r.status}): ${r.stderr}`);
  return { model: JSON.parse(r.stdout) as ComposeModel, stderr: r.stderr };
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  pull_policy?: string;
  group_add?: string[];
  environment?: Record<string, string | null>;
  devices?: Array<{ source: string; target: string }>;
  volumes?: Array<{ source?: string; target: string; type: string }>;
  container_name?: string;
}
export interface ComposeModel {
  name: string;
  services: Record<string, ComposeService>;
}
