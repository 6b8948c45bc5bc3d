// How the Knowledge Graph platform lays out an install directory, and which
// compose files its operator.sh hands to `docker compose` there. kg-init
// renders where the platform reads, and doctor (--runtime too) resolves the
// same files the platform would start.
//
// What the platform does, as its operator.sh documents it:
//   - a `docker/` folder beside operator.sh (a clone of the repository) holds
//     the compose files; otherwise they sit beside operator.sh (the standalone
//     installer's layout);
//   - the command is `docker compose -f <dir>/docker-compose.yml`, then
//     `docker-compose.ghcr.yml` when IMAGE_SOURCE is ghcr (the default unless
//     DEV_MODE=true), `docker-compose.standalone.yml`, `docker-compose.ssl.yml`,
//     the router overlays (ROUTER_MODE=traefik), `docker-compose.dev.yml` with
//     DEV_MODE=true, and last the GPU overlay GPU_MODE names, each only when the
//     file exists, with `--env-file <install dir>/.env`;
//   - KG_API_IMAGE_TAG, when .operator.conf does not set it, is derived from
//     GPU_MODE by operator/lib/image-tag.sh, or `latest` when that file is absent.
import { basename, join } from 'node:path';
import { BASE_COMPOSE_FILE, GHCR_COMPOSE_FILE, modeSpec, resolveMode } from '../catalog.js';

export type LayoutKind = 'standalone' | 'clone' | 'none';

/** The repository clone's compose folder, relative to the install directory. */
export const CLONE_COMPOSE_DIR = 'docker';
export const STANDALONE_OVERLAY_FILE = 'docker-compose.standalone.yml';
export const OPERATOR_SCRIPT = 'operator.sh';
export const IMAGE_TAG_HELPER = 'operator/lib/image-tag.sh';
export const ENV_FILE = '.env';

export interface PlatformLayout {
  kind: LayoutKind;
  /** Where the compose files live, relative to the install directory: '' or 'docker'. */
  composeDir: '' | typeof CLONE_COMPOSE_DIR;
  /** A `.git` beside operator.sh: files kg-init writes in docker/ are tracked ones. */
  git: boolean;
  operatorScript: boolean;
  /** operator/lib/image-tag.sh is there: the platform derives KG_API_IMAGE_TAG itself. */
  imageTagHelper: boolean;
  /** `docker-compose*.yml` names present in composeDir. */
  composeFiles: string[];
  /** The install's `.env` (secrets), as text, null when absent or unreadable. */
  env: { exists: boolean; text: string | null };
}

export const LAYOUT_LABELS: Readonly<Record<LayoutKind, string>> = {
  standalone: 'standalone install (compose files beside operator.sh)',
  clone: 'repository clone (compose files in docker/)',
  none: 'no platform (no operator.sh, no compose files)',
};

/** What the directory's entries say about its layout, the way operator.sh decides it. */
export function layoutKindOf(has: { dockerDir: boolean; operatorScript: boolean; topBaseCompose: boolean }): LayoutKind {
  if (has.dockerDir) return 'clone';
  if (has.operatorScript || has.topBaseCompose) return 'standalone';
  return 'none';
}

/** A path of the compose folder, relative to the install directory. */
export function composePath(layout: Pick<PlatformLayout, 'composeDir'>, file: string): string {
  return layout.composeDir ? `${layout.composeDir}/${file}` : file;
}

/** The conf values the compose selection reads (raw text values, as the platform's shell would see simple ones). */
export interface SelectionValues {
  GPU_MODE?: string;
  IMAGE_SOURCE?: string;
  DEV_MODE?: string;
  ROUTER_MODE?: string;
  TLS_MODE?: string;
  ACME_CHALLENGE?: string;
  COCKPIT_PROXY?: string;
}

export interface ComposeInvocation {
  /** Absolute folder the first file is in: Compose's project directory. */
  projectDir: string;
  /** Compose's default project name (the project directory's name, normalised), or COMPOSE_PROJECT_NAME from .env. */
  projectName: string;
  /** The `-f` files in order, relative to the install directory. */
  files: string[];
  /** `--env-file`, relative to the install directory. */
  envFile: string;
  /** IMAGE_SOURCE as the platform resolves it. */
  imageSource: string;
  /** Base file missing: the platform cannot start from this directory. */
  missingBase: boolean;
}

/** Compose's default project name: lower case, only [a-z0-9_-], starting with a letter or digit. */
export function normaliseProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

/** A simple `KEY=value` of a dotenv text (last one wins), unquoted. */
export function dotenvValue(text: string | null, key: string): string | undefined {
  if (text === null) return undefined;
  let value: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m || m[1] !== key) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    value = v;
  }
  return value;
}

/**
 * The compose files, project and env file the platform's operator.sh uses in
 * this install directory, in its order. For `doctor --runtime` and the tests:
 * `docker compose -p <projectName> --project-directory <projectDir>
 * -f <files...> --env-file <envFile> config` resolves what the platform starts.
 */
export function composeFilesFor(install: {
  dir: string;
  platform: Pick<PlatformLayout, 'composeDir' | 'composeFiles' | 'env'>;
  conf: { values: { GPU_MODE?: string; IMAGE_SOURCE?: string } };
  /** Other keys of .operator.conf the selection reads (DEV_MODE, ROUTER_MODE...). */
  confExtra?: SelectionValues;
}): ComposeInvocation {
  const v: SelectionValues = { ...(install.confExtra ?? {}), GPU_MODE: install.conf.values.GPU_MODE, IMAGE_SOURCE: install.conf.values.IMAGE_SOURCE };
  const layout = install.platform;
  const present = new Set(layout.composeFiles);
  const dev = (v.DEV_MODE ?? 'false') === 'true';
  const imageSource = v.IMAGE_SOURCE || (dev ? 'local' : 'ghcr');
  const files: string[] = [];
  const add = (f: string, when = true) => {
    if (when && present.has(f)) files.push(composePath(layout, f));
  };
  files.push(composePath(layout, BASE_COMPOSE_FILE));
  add(GHCR_COMPOSE_FILE, imageSource === 'ghcr');
  add(STANDALONE_OVERLAY_FILE);
  add('docker-compose.ssl.yml');
  const router = v.ROUTER_MODE || 'none';
  if (router === 'traefik' && present.has('docker-compose.traefik.yml')) {
    add('docker-compose.traefik.yml');
    const tls = v.TLS_MODE || 'none';
    if (tls === 'selfsigned' || tls === 'manual' || tls === 'letsencrypt') {
      add('docker-compose.traefik-tls.yml');
      add('docker-compose.traefik-tls-manual.yml', tls === 'manual');
      if (tls === 'letsencrypt') {
        if ((v.ACME_CHALLENGE || 'tls-alpn-01') === 'dns-01' && present.has('docker-compose.traefik-tls-letsencrypt-dns.yml')) add('docker-compose.traefik-tls-letsencrypt-dns.yml');
        else add('docker-compose.traefik-tls-letsencrypt.yml');
      }
    }
  }
  add('docker-compose.traefik-cockpit.yml', (v.COCKPIT_PROXY ?? 'false') === 'true' && router === 'traefik');
  add('docker-compose.dev.yml', dev);
  const mode = resolveMode(v.GPU_MODE || 'cpu');
  // The platform's case matches nvidia, amd|amd-host and mac exactly; anything else runs without an overlay.
  const overlay = mode && (v.GPU_MODE === mode.mode || v.GPU_MODE === 'amd') ? modeSpec(mode.mode).overlay : null;
  if (overlay) add(overlay);
  const projectDir = layout.composeDir ? join(install.dir, layout.composeDir) : install.dir;
  const fromEnv = dotenvValue(layout.env.text, 'COMPOSE_PROJECT_NAME');
  return {
    projectDir,
    projectName: fromEnv ? normaliseProjectName(fromEnv) : normaliseProjectName(basename(projectDir)),
    files,
    envFile: ENV_FILE,
    imageSource,
    missingBase: !present.has(BASE_COMPOSE_FILE),
  };
}

/** A layout value with these facts (the rest empty): for fixtures and for a directory not yet read. */
export function makeLayout(over: Partial<PlatformLayout> = {}): PlatformLayout {
  return { kind: 'none', composeDir: '', git: false, operatorScript: false, imageTagHelper: false, composeFiles: [], env: { exists: false, text: null }, ...over };
}
