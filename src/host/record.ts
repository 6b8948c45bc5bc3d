// Records what the probe reads so that `kg-init probe --save-snapshot DIR`
// can write the host in the replay format (test/hosts/README.md): only the
// files and directories the probe looked at, device-node metadata in host.json,
// and each command's answers as a bin/ script that replays stdout, stderr and
// the exit code (a command that timed out becomes one that never returns).
import * as fs from '../util/fs-async.js';
import path from 'node:path';
import { KgInitError, describeFsError } from '../errors.js';
import type { Report } from '../report.js';
import { VERSION } from '../version.js';
import type { Host, NodeInfo, RunOptions, RunResult } from './types.js';
import { hostPath, type HostFile } from './snapshot.js';
import { ensureDir } from '../util/ensure-dir.js';

export class RecordingHost implements Host {
  readonly texts = new Map<string, string | null>();
  readonly lists = new Map<string, string[] | null>();
  readonly links = new Map<string, string | null>();
  readonly stats = new Map<string, NodeInfo | null>();
  readonly runs: RunResult[] = [];

  constructor(readonly inner: Host) {}
  get source() { return this.inner.source; }
  get platform() { return this.inner.platform; }
  get arch() { return this.inner.arch; }
  get kernelRelease() { return this.inner.kernelRelease; }
  get identity() { return this.inner.identity; }

  async readText(p: string) {
    const v = await this.inner.readText(p);
    this.texts.set(hostPath(p), v);
    return v;
  }
  async readIdSections(p: string, keys: string[]) {
    const v = await this.inner.readIdSections(p, keys);
    // Only the excerpt is recorded: a valid file of the same format, replayed as it is.
    const had = this.texts.get(hostPath(p));
    this.texts.set(hostPath(p), v === null ? (had ?? null) : `${had ?? ''}${v}`);
    return v;
  }
  async list(p: string) {
    const v = await this.inner.list(p);
    this.lists.set(hostPath(p), v);
    return v;
  }
  async readLink(p: string) {
    const v = await this.inner.readLink(p);
    this.links.set(hostPath(p), v);
    return v;
  }
  async stat(p: string) {
    const v = await this.inner.stat(p);
    this.stats.set(hostPath(p), v);
    return v;
  }
  async run(command: string, args: string[], opts?: RunOptions) {
    const r = await this.inner.run(command, args, opts);
    this.runs.push(r);
    return r;
  }
}

/** Creates DIR (which must not exist, or be empty); returns its absolute path. */
export async function prepareSnapshotDir(dir: string, cwd: string): Promise<string> {
  const abs = path.resolve(cwd, dir);
  try {
    const entries = await fs.readdir(abs);
    if (entries.length > 0) {
      throw new KgInitError(`${abs} exists and is not empty`, 1, 'Give --save-snapshot a new or empty directory.');
    }
  } catch (e) {
    if (e instanceof KgInitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new KgInitError(describeFsError(e, abs), 1, 'Give --save-snapshot a new or empty directory.');
  }
  try {
    await ensureDir(abs);
  } catch (e) {
    throw new KgInitError(`cannot create the snapshot directory: ${describeFsError(e, abs)}`);
  }
  return abs;
}

/** Single-quotes a string for /bin/sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/\0/g, '').replace(/'/g, `'\\''`)}'`;
}

/** A /bin/sh script answering each recorded invocation the way the tool did. */
export function replayScript(name: string, runs: RunResult[]): string {
  const lines = ['#!/bin/sh', `# Recorded by kg-init ${VERSION} --save-snapshot: replays ${name}'s answers.`, 'case "$*" in'];
  const seen = new Set<string>();
  for (const r of runs) {
    const key = r.args.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`  ${shQuote(key)})`);
    if (r.status === 'timeout') {
      lines.push('    # did not answer within its time bound when recorded', '    exec /bin/sleep 3600 ;;');
      continue;
    }
    if (r.stdout) lines.push(`    printf '%s' ${shQuote(r.stdout)}`);
    if (r.stderr) lines.push(`    printf '%s' ${shQuote(r.stderr)} >&2`);
    const code = r.status === 'ok' ? 0 : r.status === 'error' ? 126 : (r.exitCode ?? 1);
    lines.push(`    exit ${code} ;;`);
  }
  lines.push(`  *) printf '%s\\n' ${shQuote(`${name}: invocation not recorded in this snapshot:`)}" $*" >&2; exit 127 ;;`, 'esac', '');
  return lines.join('\n');
}

async function writeFileIn(root: string, p: string, text: string): Promise<void> {
  const real = path.join(root, hostPath(p));
  await ensureDir(path.dirname(real));
  await fs.writeFile(real, text);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

export async function writeSnapshot(rec: RecordingHost, dir: string, report?: Report): Promise<void> {
  const root = path.join(dir, 'root');
  const bin = path.join(dir, 'bin');
  await ensureDir(root);
  await ensureDir(bin);
  const files: NonNullable<HostFile['files']> = {};

  for (const [p, text] of rec.texts) if (text !== null) await writeFileIn(root, p, text);
  // Links are stored as plain files holding the target (git core.symlinks=false style).
  for (const [p, target] of rec.links) if (target !== null) await writeFileIn(root, p, `${target}`);
  for (const [p, st] of rec.stats) {
    if (!st) continue;
    const real = path.join(root, p);
    if (st.type === 'dir') {
      await ensureDir(real);
      continue;
    }
    if (!(await exists(real))) await writeFileIn(root, p, '');
    if (st.type === 'char' || st.type === 'block') {
      files[p] = { type: st.type, mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), uid: st.uid, gid: st.gid };
    }
  }
  for (const [p, entries] of rec.lists) {
    if (entries === null) continue;
    const real = path.join(root, p);
    await ensureDir(real);
    // Entries the probe listed but never opened still have to be listed on replay.
    for (const e of entries) {
      const child = path.join(real, e);
      if (!(await exists(child))) await ensureDir(child);
    }
  }

  const byCommand = new Map<string, RunResult[]>();
  for (const r of rec.runs) {
    if (r.status === 'missing') continue;
    byCommand.set(r.command, [...(byCommand.get(r.command) ?? []), r]);
  }
  for (const [command, runs] of byCommand) {
    const name = command.split('/').pop() ?? command;
    const script = replayScript(name, runs);
    const target = command.startsWith('/') ? path.join(root, hostPath(command)) : path.join(bin, name);
    await ensureDir(path.dirname(target));
    await fs.writeFile(target, script, { mode: 0o755 });
  }

  const src = rec.source === 'live' ? 'this machine' : `snapshot ${rec.source.snapshot}`;
  const hostJson: HostFile = {
    description: `Recorded by kg-init ${VERSION} probe --save-snapshot from ${src}`,
    platform: rec.platform as HostFile['platform'],
    arch: rec.arch,
    kernelRelease: rec.kernelRelease,
    identity: rec.identity,
    files,
  };
  await fs.writeFile(path.join(dir, 'host.json'), `${JSON.stringify(hostJson, null, 2)}\n`);
  if (report) await fs.writeFile(path.join(dir, 'expect.json'), `${JSON.stringify(expectFrom(report), null, 2)}\n`);
}

/** expect.json for a recorded host: what this kg-init concluded, as a regression baseline. */
export function expectFrom(r: Report): Record<string, unknown> {
  const e: Record<string, unknown> = {
    mode: r.recommendation.mode,
    imageTag: r.recommendation.imageTag,
    findings: [...new Set(r.findings.map((f) => f.code))],
    modes: Object.fromEntries(r.modes.map((m) => [m.mode, m.status])),
  };
  if (r.amdOverlay && r.recommendation.mode === 'amd-host') {
    e.overlay = {
      groupGids: r.amdOverlay.groupGids,
      rocrVisibleDevices: r.amdOverlay.rocrVisibleDevices === null ? null : [r.amdOverlay.rocrVisibleDevices],
      hsaOverride: r.amdOverlay.hsaOverrideGfxVersion,
    };
  }
  return e;
}
