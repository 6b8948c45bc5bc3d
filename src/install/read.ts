// Reads what an install directory holds now: the config as text (never
// sourced), the compose files kg-init may render or remove (and whether it
// generated them), the platform's own files that decide the next command.
//
// Synchronously, behind the promise: a handful of small local files. Each
// asynchronous step waited for a turn of the event loop, which the probe keeps
// busy (loading execa, spawning, its own reads), so a configure run that
// started this read before the probe finished it only after the probe: seven
// round trips on the critical path instead of a few milliseconds up front.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { readInstallFile } from '../util/install-file.js';
import { READ_LIMIT, readRegular, readRegularFollowing, UnsafeFileError } from '../util/safe-fs.js';
import { join, resolve } from 'node:path';
import { allOverlayFiles, BASE_COMPOSE_FILE, GHCR_COMPOSE_FILE, OPERATOR_CONF_FILE } from '../catalog.js';
import { decodeConf } from '../conf/decode.js';
import { readConfWith } from '../conf/edit.js';
import { generatedBy } from '../render/render.js';
import { describeFsError, KgInitError } from '../errors.js';
import type { InstallState } from './types.js';
import { STATE_FILE } from '../state/memory.js';
import { requiredVars } from '../platform/env.js';
import {
  CLONE_COMPOSE_DIR,
  composeFilesFor,
  ENV_FILE,
  IMAGE_TAG_HELPER,
  layoutKindOf,
  makeLayout,
  OPERATOR_SCRIPT,
  type PlatformLayout,
  type SelectionValues,
} from '../platform/layout.js';

const SELECTION_KEYS = ['DEV_MODE', 'ROUTER_MODE', 'TLS_MODE', 'ACME_CHALLENGE', 'COCKPIT_PROXY'] as const;

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The platform's layout in `abs`, decided the way its operator.sh decides it. */
export async function readLayout(abs: string): Promise<PlatformLayout> {
  const dockerDir = isDir(join(abs, CLONE_COMPOSE_DIR));
  const operatorScript = exists(join(abs, OPERATOR_SCRIPT));
  const topBaseCompose = exists(join(abs, BASE_COMPOSE_FILE));
  const kind = layoutKindOf({ dockerDir, operatorScript, topBaseCompose });
  const composeDir = kind === 'clone' ? CLONE_COMPOSE_DIR : '';
  let composeFiles: string[] = [];
  try {
    composeFiles = readdirSync(join(abs, composeDir)).filter((n) => /^docker-compose.*\.ya?ml$/.test(n)).sort();
  } catch {
    // unreadable or absent: no compose files
  }
  let env: PlatformLayout['env'] = { exists: false, text: null };
  try {
    // Only read (never written once there): a link is followed, but only to a regular file, bounded;
    // a FIFO or device is refused naming it before it can block.
    const bytes = readRegularFollowing(join(abs, ENV_FILE), READ_LIMIT.other);
    if (bytes) env = { exists: true, text: decodeConf(bytes).text };
  } catch (e) {
    if (e instanceof UnsafeFileError) throw e;
    env = { exists: true, text: null };
  }
  return {
    kind,
    composeDir,
    git: exists(join(abs, '.git')),
    operatorScript,
    imageTagHelper: exists(join(abs, IMAGE_TAG_HELPER)),
    composeFiles,
    env,
  };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function readConf(dir: string): InstallState['conf'] & { selection?: SelectionValues } {
  const path = join(dir, OPERATOR_CONF_FILE);
  const conf: InstallState['conf'] = { path, exists: false, text: null, problem: null, values: {} };
  let file;
  try {
    // Never through a link but an in-directory one, regular files only, bounded (src/util/install-file.ts).
    file = readInstallFile(dir, OPERATOR_CONF_FILE, READ_LIMIT.conf);
  } catch (e) {
    if (e instanceof UnsafeFileError) return { ...conf, exists: true, problem: `${e.path} ${e.why}` };
    return { ...conf, exists: true, problem: describeFsError(e, path) };
  }
  if (file.bytes === null) return conf;
  conf.exists = true;
  const decoded = decodeConf(file.bytes);
  if (decoded.problem !== null) return { ...conf, problem: `${path} ${decoded.problem}` };
  // The owned keys and the platform's selection keys from one parse (reused when the update is planned).
  const { reading, also } = readConfWith(decoded.text, SELECTION_KEYS);
  if (reading.refusal) {
    // bash would not end up with what kg-init reads or writes: refused, with the line and why.
    return { ...conf, problem: `${path} line ${reading.refusal.line}: ${reading.refusal.reason}` };
  }
  return { ...conf, text: decoded.text, bytes: file.bytes, values: reading.values, selection: also };
}

export async function readInstall(dir: string): Promise<InstallState> {
  const abs = resolve(dir);
  let dirExists = false;
  try {
    const st = statSync(abs);
    if (!st.isDirectory()) throw new KgInitError(`${abs} is not a directory`, 1, 'Give --dir an install directory (it is created if missing).');
    dirExists = true;
  } catch (e) {
    if (e instanceof KgInitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new KgInitError(describeFsError(e, abs), 1);
  }
  const state: InstallState = {
    dir: abs,
    dirExists,
    conf: { path: join(abs, OPERATOR_CONF_FILE), exists: false, text: null, problem: null, values: {} },
    compose: {},
    operatorScript: false,
    baseCompose: false,
    platform: makeLayout(),
  };
  if (!dirExists) return state;

  const { selection, ...conf } = readConf(abs);
  state.conf = conf;
  if (conf.text !== null) state.confExtra = selection ?? {};
  state.platform = await readLayout(abs);
  for (const file of [GHCR_COMPOSE_FILE, ...allOverlayFiles()]) {
    const path = join(abs, state.platform.composeDir, file);
    let bytes: Buffer | null;
    try {
      // A symlink, FIFO or device named like a file kg-init writes is refused (exit 1 naming it).
      bytes = readInstallFile(abs, state.platform.composeDir ? `${state.platform.composeDir}/${file}` : file, READ_LIMIT.compose).bytes;
    } catch (e) {
      if (e instanceof KgInitError) throw e;
      throw new KgInitError(`cannot read ${describeFsError(e, path)}`, 1);
    }
    if (bytes === null) continue;
    const decoded = decodeConf(bytes);
    const text = decoded.text ?? bytes.toString('latin1');
    const gen = decoded.text === null ? null : generatedBy(decoded.text);
    state.compose[file] = { text, generated: gen !== null, mode: gen?.mode ?? null };
  }
  try {
    // Never through a link, a regular file only, bounded; anything else is no record.
    const bytes = readRegular(join(abs, STATE_FILE), READ_LIMIT.state);
    const last = bytes ? (JSON.parse(bytes.toString('utf8')) as { imageTag?: unknown }) : null;
    if (typeof last?.imageTag === 'string') state.lastWrittenTag = last.imageTag;
  } catch {
    // no record of an earlier run here
  }
  // The ${VAR}s the platform's compose files require (kg-init's own use defaults).
  const required = new Set<string>();
  for (const f of composeFilesFor(state).files) {
    try {
      const bytes = readRegularFollowing(join(abs, f), READ_LIMIT.compose);
      if (bytes) for (const v of requiredVars(bytes.toString('utf8'))) required.add(v);
    } catch (e) {
      // A FIFO or device named like the platform's compose file is refused naming it; unreadable: doctor says so.
      if (e instanceof UnsafeFileError) throw e;
    }
  }
  state.requiredVars = [...required].sort();
  state.operatorScript = state.platform.operatorScript;
  state.baseCompose = state.platform.composeFiles.includes(BASE_COMPOSE_FILE);
  return state;
}
