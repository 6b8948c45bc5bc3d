// Reads what an install directory holds now: the config as text (never
// sourced), the compose files kg-init may render or remove (and whether it
// generated them), the platform's own files that decide the next command.
import { lstat, readFile, stat } from 'node:fs/promises';
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

async function readConf(path: string): Promise<InstallState['conf']> {
  const conf: InstallState['conf'] = { path, exists: false, text: null, problem: null, values: {} };
  try {
    await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return conf;
    return { ...conf, exists: true, problem: describeFsError(e, path) };
  }
  conf.exists = true;
  try {
    // stat follows a symlink: the target is what operator.sh reads.
    const st = await stat(path);
    if (st.isDirectory()) return { ...conf, problem: `${path} is a directory, expected a file` };
    if (!st.isFile()) return { ...conf, problem: `${path} is not a regular file` };
    const decoded = decodeConf(await readFile(path));
    if (decoded.problem !== null) return { ...conf, problem: `${path} ${decoded.problem}` };
    const reading = judgeConf(decoded.text);
    if (reading.refusal) {
      // bash would not end up with what kg-init reads or writes: refused, with the line and why.
      return { ...conf, problem: `${path} line ${reading.refusal.line}: ${reading.refusal.reason}` };
    }
    return { ...conf, text: decoded.text, values: reading.values };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ...conf, problem: `${path} is a symlink to a file that does not exist` };
    return { ...conf, problem: describeFsError(e, path) };
  }
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

  state.conf = await readConf(join(abs, OPERATOR_CONF_FILE));
  for (const file of [GHCR_COMPOSE_FILE, ...allOverlayFiles()]) {
    const path = join(abs, file);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code === 'EISDIR') throw new KgInitError(`${path} is a directory, expected a compose file`, 1, 'Move it aside, then run kg-init again.');
      throw new KgInitError(`cannot read ${describeFsError(e, path)}`, 1);
    }
    const decoded = decodeConf(bytes);
    const text = decoded.text ?? bytes.toString('latin1');
    const gen = decoded.text === null ? null : generatedBy(decoded.text);
    state.compose[file] = { text, generated: gen !== null, mode: gen?.mode ?? null };
  }
  state.operatorScript = await exists(join(abs, 'operator.sh'));
  state.baseCompose = await exists(join(abs, BASE_COMPOSE_FILE));
  return state;
}
