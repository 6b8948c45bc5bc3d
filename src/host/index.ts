// Chooses the host kg-init reads: this machine, or a recorded snapshot when
// KG_INIT_HOST_SNAPSHOT names one (every command honours it).
import { READ_LIMIT, readRegularFollowing, UnsafeFileError } from '../util/safe-fs.js';
import path from 'node:path';
import { KgInitError } from '../errors.js';
import type { Host } from './types.js';
import { LiveHost } from './live.js';
import { SnapshotHost, parseHostFile } from './snapshot.js';

export type { Host } from './types.js';
export { LiveHost } from './live.js';

export async function openSnapshot(dir: string): Promise<SnapshotHost> {
  const abs = path.resolve(dir);
  const hint = 'KG_INIT_HOST_SNAPSHOT must name a snapshot directory (host.json, root/, bin/); see docs or unset it to probe this machine.';
  let text: string;
  try {
    // A regular file only (a FIFO refused before it blocks), bounded.
    const bytes = readRegularFollowing(path.join(abs, 'host.json'), READ_LIMIT.other);
    if (bytes === null) throw Object.assign(new Error('no host.json'), { code: 'ENOENT' });
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof UnsafeFileError) throw new KgInitError(`host snapshot ${abs}: host.json ${e.why}`, 1, hint);
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'has no host.json' : `cannot be read (${code ?? 'error'})`;
    throw new KgInitError(`host snapshot ${abs} ${why}`, 1, hint);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KgInitError(`host snapshot ${abs}: host.json is not valid JSON`, 1, hint);
  }
  const parsed = parseHostFile(json);
  if (parsed) return new SnapshotHost(abs, parsed);
  const { hostFileSchema } = await import('./host-file-schema.js');
  const r = hostFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'host.json';
    throw new KgInitError(`host snapshot ${abs}: host.json ${where}: ${issue?.message ?? 'invalid'}`, 1, hint);
  }
  return new SnapshotHost(abs, r.data);
}

export async function openHost(env: NodeJS.ProcessEnv): Promise<Host> {
  const dir = env.KG_INIT_HOST_SNAPSHOT;
  if (dir !== undefined && dir !== '') return openSnapshot(dir);
  return new LiveHost();
}
