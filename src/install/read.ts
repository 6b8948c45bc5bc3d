// Reads what an install directory holds now: the config as text (never
// sourced), the compose files kg-init may render or remove (and whether it
// generated them), the platform's own files that decide the next command.
import { lstat, stat } from 'node:fs/promises';
import { readInstallFile } from '../util/install-file.js';
import { READ_LIMIT, UnsafeFileError } from '../util/safe-fs.js';
import { join, resolve } from 'node:path';
import { allOverlayFiles, BASE_COMPOSE_FILE, GHCR_COMPOSE_FILE, OPERATOR_CONF_FILE } from '../catalog.js';
import { decodeConf } from '../conf/decode.js';
import { readConf as judgeConf } from '../conf/edit.js';
import { generatedBy } from '../render/render.js';
import { describeFsError, KgInitError } from '../errors.js';
import type { InstallState } from './types.js';

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function readConf(dir: string): InstallState['conf'] {
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
  const reading = judgeConf(decoded.text);
  if (reading.refusal) {
    // bash would not end up with what kg-init reads or writes: refused, with the line and why.
    return { ...conf, problem: `${path} line ${reading.refusal.line}: ${reading.refusal.reason}` };
  }
  return { ...conf, text: decoded.text, values: reading.values };
}

export async function readInstall(dir: string): Promise<InstallState> {
  const abs = resolve(dir);
  let dirExists = false;
  try {
    const st = await stat(abs);
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
  };
  if (!dirExists) return state;

  state.conf = readConf(abs);
  for (const file of [GHCR_COMPOSE_FILE, ...allOverlayFiles()]) {
    const path = join(abs, file);
    let bytes: Buffer | null;
    try {
      // A symlink, FIFO or device named like a file kg-init writes is refused (exit 1 naming it).
      bytes = readInstallFile(abs, file, READ_LIMIT.compose).bytes;
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
  state.operatorScript = await exists(join(abs, 'operator.sh'));
  state.baseCompose = await exists(join(abs, BASE_COMPOSE_FILE));
  return state;
}
