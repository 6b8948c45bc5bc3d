// Re-init after a GPU swap: the first install replays one recorded host, the
// re-init another. Checks the summary (GPU_CHANGED, old → new), the files
// (.operator.conf, the new overlay, the old one removed and backed up), the
// release pin carried over, and the memory kept in both places.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Scratch, host } from '../helpers/hosts.js';

const s = new Scratch();
afterAll(() => s.cleanup());

const NV = host('nvidia-4090-toolkit');
const AMD = host('amd-7900xtx-igpu-arch');
const VM = host('vm-no-gpu-no-docker');
const POLARIS = host('amd-polaris-no-kfd');

interface ConfigureJson {
  changed: boolean;
  mode: string;
  imageTag: string;
  files: Array<{ path: string; action: string }>;
  backups: string[];
  findings: Array<{ code: string; message: string; fix?: string }>;
  change: { gpuChanged: boolean; modeChanged: boolean; lines: string[] };
}

async function configure(dir: string, snapshot: string, flags: string[] = []): Promise<ConfigureJson> {
  const r = await s.cli(['--yes', '--dir', dir, '--json', ...flags], snapshot);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ConfigureJson;
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const confValue = (dir: string, key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(read(dir, '.operator.conf'))?.[1];

function backupOf(dir: string, backups: string[], file: string): string {
  const b = backups.find((x) => x.endsWith(`/${file}`));
  expect(b, `no backup of ${file} in ${backups.join(', ')}`).toBeDefined();
  expect(b!.startsWith('.kg-init/backups/')).toBe(true);
  return readFileSync(join(dir, b!), 'utf8');
}

describe('NVIDIA → AMD', () => {
  const dir = s.path('nv-to-amd');

  it('first install on the RTX 4090 host with --release 0.13.1 pins 0.13.1 and remembers the GPU', async () => {
    const first = await configure(dir, NV, ['--release', '0.13.1']);
    expect(first).toMatchObject({ mode: 'nvidia', imageTag: '0.13.1' });
    expect(first.change.lines).toEqual([]);
    expect(first.findings.map((f) => f.code)).not.toContain('GPU_CHANGED');
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(true);
    const state = JSON.parse(read(dir, '.kg-init/state.json'));
    expect(state).toMatchObject({ mode: 'nvidia', imageTag: '0.13.1' });
    expect(state.gpus[0]).toMatchObject({ vendor: 'nvidia', pciId: expect.stringMatching(/^10de:/) });
    // The user-level memory, keyed by the directory's realpath.
    const store = JSON.parse(readFileSync(join(s.configDir, 'kg-init.json'), 'utf8'));
    expect(store.installs[realpathSync(dir)].mode).toBe('nvidia');
  });

  it('re-init on the Radeon host: GPU_CHANGED, old GPU → new GPU, amd-host with the pin carried over, old overlay removed and backed up', async () => {
    const oldOverlay = read(dir, 'docker-compose.gpu-nvidia.yml');
    const oldConf = read(dir, '.operator.conf');
    const r = await configure(dir, AMD);
    expect(r.mode).toBe('amd-host');
    expect(r.imageTag).toBe('0.13.1-rocm72-host');
    const changed = r.findings.find((f) => f.code === 'GPU_CHANGED');
    expect(changed?.message).toContain('nvidia');
    expect(changed?.message).toContain('amd-host');
    expect(r.change.gpuChanged).toBe(true);
    expect(r.change.lines[0]).toMatch(/^GPU: NVIDIA .*\(10de:[0-9a-f]{4}\) → AMD .*(\(1002:744c, gfx1100\)|gfx1100 \[1002:744c\]) \+ AMD .*(\(1002:13c0, gfx1036\)|gfx1036 \[1002:13c0\])$/);
    expect(r.change.lines[1]).toBe('mode: nvidia (kg-api:0.13.1) → recommended amd-host (kg-api:0.13.1-rocm72-host)');

    // Files.
    expect(confValue(dir, 'GPU_MODE')).toBe('amd-host');
    expect(confValue(dir, 'KG_API_IMAGE_TAG')).toBe('0.13.1-rocm72-host');
    expect(read(dir, 'docker-compose.ghcr.yml')).toContain('kg-api:${KG_API_IMAGE_TAG:-0.13.1-rocm72-host}');
    expect(read(dir, 'docker-compose.gpu-amd-host.yml')).toContain('/dev/kfd');
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(false);
    expect(r.files).toContainEqual({ path: 'docker-compose.gpu-nvidia.yml', action: 'remove' });
    expect(r.files).toContainEqual({ path: 'docker-compose.gpu-amd-host.yml', action: 'create' });

    // Backups: the old overlay and the old config, byte for byte.
    expect(backupOf(dir, r.backups, 'docker-compose.gpu-nvidia.yml')).toBe(oldOverlay);
    expect(backupOf(dir, r.backups, '.operator.conf')).toBe(oldConf);
    expect(readdirSync(join(dir, '.kg-init/backups')).length).toBeGreaterThanOrEqual(1);

    // The memory now says amd-host on the Radeon.
    expect(JSON.parse(read(dir, '.kg-init/state.json'))).toMatchObject({ mode: 'amd-host', imageTag: '0.13.1-rocm72-host' });
  });

  it('doctor finds the moved install healthy on the new host', async () => {
    const d = await s.cli(['doctor', '--dir', dir, '--json'], AMD);
    expect(d.code, d.stdout).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ healthy: true, mode: 'amd-host', imageTag: '0.13.1-rocm72-host' });
  });

  it('a second run on the same host says nothing changed', async () => {
    const r = await configure(dir, AMD);
    expect(r.changed).toBe(false);
    expect(r.change.lines).toEqual([]);
    expect(r.findings.map((f) => f.code)).not.toContain('GPU_CHANGED');
  });
});

describe('AMD → CPU', () => {
  it('the Radeon removed (VM without GPU): cpu, the amd-host overlay removed and backed up, summary shows old → new', async () => {
    const dir = s.path('amd-to-cpu');
    await configure(dir, AMD);
    const oldOverlay = read(dir, 'docker-compose.gpu-amd-host.yml');
    const text = await s.cli(['--yes', '--dir', dir], VM);
    expect(text.code, text.stderr).toBe(0);
    // The switch is done by this run: it is not listed as something to follow up.
    expect(text.stdout).not.toContain('kg-init switches it');
    expect(text.stdout).toMatch(/GPU: AMD .*(\(1002:744c, gfx1100\)|gfx1100 \[1002:744c\]).* → no GPU/);
    expect(text.stdout).toContain('mode: amd-host (kg-api:rocm72-host) → recommended cpu (kg-api:latest)');
    expect(text.stdout).toMatch(/removed\s+docker-compose\.gpu-amd-host\.yml/);
    expect(confValue(dir, 'GPU_MODE')).toBe('cpu');
    // The platform derives latest from GPU_MODE=cpu (its image-tag.sh is there): no explicit tag is written.
    expect(confValue(dir, 'KG_API_IMAGE_TAG')).toBeUndefined();
    expect(existsSync(join(dir, 'docker-compose.gpu-amd-host.yml'))).toBe(false);
    const backups = readdirSync(join(dir, '.kg-init/backups'));
    const found = backups.some((b) => existsSync(join(dir, '.kg-init/backups', b, 'docker-compose.gpu-amd-host.yml')) &&
      readFileSync(join(dir, '.kg-init/backups', b, 'docker-compose.gpu-amd-host.yml'), 'utf8') === oldOverlay);
    expect(found).toBe(true);
  });

  it('swapped for a Polaris card without KFD: cpu, and the GPU line names the new card', async () => {
    const dir = s.path('amd-to-polaris');
    await configure(dir, AMD);
    const r = await configure(dir, POLARIS);
    expect(r.mode).toBe('cpu');
    expect(r.findings.map((f) => f.code)).toContain('GPU_CHANGED');
    expect(r.change.lines[0]).toMatch(/^GPU: AMD .*(\(1002:744c, gfx1100\)|gfx1100 \[1002:744c\]).* → AMD .*(\(1002:[0-9a-f]{4}\)|\[1002:[0-9a-f]{4}\]( \(gfx[0-9a-f]+\))?)$/);
    expect(r.files).toContainEqual({ path: 'docker-compose.gpu-amd-host.yml', action: 'remove' });
  });

  it('the user-level memory answers when the install lost its .kg-init directory', async () => {
    const dir = s.path('amd-forgotten');
    await configure(dir, AMD);
    rmSync(join(dir, '.kg-init'), { recursive: true });
    const r = await configure(dir, VM);
    expect(r.change.gpuChanged).toBe(true);
    expect(r.change.lines[0]).toMatch(/→ no GPU$/);
  });
});
