// Temporary install directories and modified copies of recorded hosts, for
// tests that run the built CLI against replayed snapshots.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS, runCli, type CliResult } from './cli.js';

export const host = (name: string) => join(HOSTS, name);

export class Scratch {
  readonly root = mkdtempSync(join(tmpdir(), 'kg-doctor-'));
  /** The user config directory conf writes to (never the real one in tests). */
  readonly configDir = join(this.root, 'user-config');
  path(...p: string[]): string {
    return join(this.root, ...p);
  }
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** A copy of a recorded host, changed by `mutate(dir)`. */
  hostCopy(name: string, as: string, mutate: (dir: string) => void): string {
    const dir = this.path('hosts', as);
    cpSync(host(name), dir, { recursive: true, verbatimSymlinks: true });
    mutate(dir);
    return dir;
  }

  /** Runs the built CLI replaying `snapshot`, with this scratch's user config dir. */
  cli(args: string[], snapshot: string, env: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, { env: { KG_INIT_HOST_SNAPSHOT: snapshot, KG_INIT_CONFIG_DIR: this.configDir, NO_COLOR: '1', ...env }, cwd: this.root });
  }
}

/** Edits host.json in a snapshot copy. */
export function editHostJson(dir: string, edit: (h: { files: Record<string, { gid: number; uid: number; mode: string; type: string }> } & Record<string, unknown>) => void): void {
  const p = join(dir, 'host.json');
  const h = JSON.parse(readFileSync(p, 'utf8'));
  edit(h);
  writeFileSync(p, JSON.stringify(h, null, 2));
}

/** /dev/kfd gone (amdgpu loaded without KFD, or a kernel update that dropped it). */
export function removeKfd(dir: string): void {
  rmSync(join(dir, 'root/dev/kfd'), { force: true });
  rmSync(join(dir, 'root/sys/class/kfd'), { recursive: true, force: true });
  rmSync(join(dir, 'root/sys/devices/virtual/kfd'), { recursive: true, force: true });
  editHostJson(dir, (h) => {
    delete h.files['/dev/kfd'];
  });
  // Without KFD, ROCm's tools fail the way they do on such a host.
  if (existsSync(join(dir, 'bin/rocminfo'))) {
    writeFileSync(
      join(dir, 'bin/rocminfo'),
      '#!/bin/sh\necho "ROCk module is NOT loaded, possibly no GPU devices"\necho "hsa api call failure at: /longer_pathname_so_that_rpms_can_support_packaging_the_debug_info_for_all_os/rocm-systems/projects/rocminfo/rocminfo.cc:1306" >&2\nexit 1\n',
      { mode: 0o755 },
    );
  }
}

/** The OS was reinstalled: render has another gid (and /dev/kfd and the render nodes with it). */
export function changeRenderGid(dir: string, from: number, to: number): void {
  editHostJson(dir, (h) => {
    for (const f of Object.values(h.files)) if (f.gid === from) f.gid = to;
    const ident = h.identity as { groups: number[] };
    ident.groups = ident.groups.map((g) => (g === from ? to : g));
  });
  const groupFile = join(dir, 'root/etc/group');
  writeFileSync(groupFile, readFileSync(groupFile, 'utf8').replace(new RegExp(`:${from}:`, 'g'), `:${to}:`));
}
