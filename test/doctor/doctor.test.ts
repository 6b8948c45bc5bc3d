// `kg-init doctor` through the built CLI, replaying recorded hosts: for every
// check, an install directory that fails it and one that passes it. Installs
// are made by `kg-init --yes` on a replayed host, then broken the way users'
// installs get broken (a hand edit, a GPU swap, an OS reinstall, a vanished
// /dev/kfd).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../src/doctor/checks.js';
import { Scratch, changeRenderGid, host, removeKfd } from '../helpers/hosts.js';

interface DoctorJson {
  healthy: boolean;
  mode: string | null;
  imageTag: string | null;
  problems: Array<{ id: string; severity: string; message: string; fix: string }>;
  checks: Array<{ id: string; status: string; detail: string }>;
}

const s = new Scratch();
const AMD = host('amd-7900xtx-igpu-arch');
const NV = host('nvidia-4090-toolkit');
let noKfd: string;
let newGid: string;

async function install(name: string, snapshot: string, flags: string[] = []): Promise<string> {
  const dir = s.path('installs', name);
  // The platform's own files, as a standalone install has them (kg-init adds the GPU files).
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'operator.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  api:\n    image: kg-api:latest\n');
  const r = await s.cli(['--yes', '--dir', dir, ...flags], snapshot);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

/** A copy of a clean install, changed by `mutate`. */
function variant(base: string, name: string, mutate: (dir: string) => void = () => {}): string {
  const dir = s.path('installs', name);
  cpSync(base, dir, { recursive: true });
  mutate(dir);
  return dir;
}

function edit(dir: string, file: string, fn: (t: string) => string): void {
  const p = join(dir, file);
  const before = readFileSync(p, 'utf8');
  const after = fn(before);
  expect(after, `edit of ${file} changed nothing`).not.toBe(before);
  writeFileSync(p, after);
}

async function doctor(dir: string, snapshot: string): Promise<{ code: number | null; json: DoctorJson; stderr: string }> {
  const r = await s.cli(['doctor', '--dir', dir, '--json'], snapshot);
  let json: DoctorJson;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

function statusOf(j: DoctorJson, id: string): string {
  const c = j.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c.status;
}

let amdDir: string;
let nvDir: string;
let cpuOnAmd: string;

beforeAll(async () => {
  noKfd = s.hostCopy('amd-7900xtx-igpu-arch', 'no-kfd', removeKfd);
  newGid = s.hostCopy('amd-7900xtx-igpu-arch', 'new-gid', (d) => changeRenderGid(d, 989, 992));
  amdDir = await install('amd', AMD);
  nvDir = await install('nvidia', NV);
  cpuOnAmd = await install('cpu-on-amd', AMD, ['--gpu=cpu']);
});
afterAll(() => s.cleanup());

describe('healthy installs', () => {
  it('a fresh amd-host install on the AMD host: exit 0, every check ok or skipped, nothing written', async () => {
    const before = readdirSync(amdDir).map((f) => [f, statSync(join(amdDir, f)).mtimeMs]);
    const { code, json } = await doctor(amdDir, AMD);
    expect(json.problems).toEqual([]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ healthy: true, mode: 'amd-host', imageTag: 'rocm72-host' });
    expect(json.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
    for (const id of ['overlay-gids', 'overlay-rocr-visible-devices', 'overlay-hsa-override', 'host-kfd']) expect(statusOf(json, id)).toBe('ok');
    // Doctor writes nothing.
    expect(readdirSync(amdDir).map((f) => [f, statSync(join(amdDir, f)).mtimeMs])).toEqual(before);
  });

  it('readable output: a healthy install in a few lines, every check with --verbose, no colour with NO_COLOR', async () => {
    const r = await s.cli(['doctor', '--dir', amdDir], AMD);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Healthy');
    expect(r.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(12);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const verbose = await s.cli(['doctor', '--verbose', '--dir', amdDir], AMD);
    expect(verbose.stdout).toContain('✓ KG_API_IMAGE_TAG is the image the mode needs');
    const colour = await s.cli(['doctor', '--dir', amdDir], AMD, { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(colour.stdout).toMatch(/\u001b\[32m✓/);
  });
});

describe('files exactly as kg-init renders them', () => {
  it('are read without the YAML parser, and judged as YAML reads them: a comment edit changes no verdict, a value edit is found', async () => {
    // Which bundles a run loaded, as KG_INIT_DEBUG tells (src/boot.ts).
    const loaded = (stderr: string) => [...stderr.matchAll(/compile cache (\S+): (?:none|used|rejected|off)/g)].map((m) => m[1]);
    for (const [dir, snap] of [[amdDir, AMD], [nvDir, NV], [cpuOnAmd, AMD]] as const) {
      const fast = await s.cli(['doctor', '--dir', dir, '--json'], snap, { KG_INIT_DEBUG: '1' });
      expect(loaded(fast.stderr), dir).not.toContain('yaml.cjs');
      // The same files with a comment added: parsed, and the same verdict, check by check.
      const commented = variant(dir, `${dir.split('/').pop()}-commented`, (d) => {
        for (const f of readdirSync(d).filter((n) => /^docker-compose\..*\.yml$/.test(n) && n !== 'docker-compose.yml')) edit(d, f, (t) => `${t}# a note of mine\n`);
      });
      const slow = await s.cli(['doctor', '--dir', commented, '--json'], snap, { KG_INIT_DEBUG: '1' });
      expect(loaded(slow.stderr)).toContain('yaml.cjs');
      const verdict = (out: string, d: string) => JSON.parse(out.split(d).join('DIR'));
      expect(verdict(slow.stdout, commented)).toEqual(verdict(fast.stdout, dir));
    }
    // A gid of this host's render node removed by hand: not what kg-init renders, parsed, and found.
    const edited = variant(amdDir, 'gid-removed', (d) => edit(d, 'docker-compose.gpu-amd-host.yml', (t) => t.replace(/^\s*- "989"\n/m, '')));
    const r = await s.cli(['doctor', '--dir', edited, '--json'], AMD, { KG_INIT_DEBUG: '1' });
    expect(loaded(r.stderr)).toContain('yaml.cjs');
    expect(statusOf(JSON.parse(r.stdout), 'overlay-gids')).not.toBe('ok');
  });
});

describe('the ADR-101 state', () => {
  it('amd-host with the CUDA image latest on the AMD host: exit 1, names the tag it has and the one it needs, and the fix', async () => {
    const dir = variant(amdDir, 'adr101', (d) => {
      edit(d, '.operator.conf', (t) => t.replace('KG_API_IMAGE_TAG=rocm72-host', 'KG_API_IMAGE_TAG=latest'));
      edit(d, 'docker-compose.ghcr.yml', (t) => t.replace('${KG_API_IMAGE_TAG:-rocm72-host}', '${KG_API_IMAGE_TAG:-latest}'));
    });
    const { code, json } = await doctor(dir, AMD);
    expect(code).toBe(1);
    expect(json.healthy).toBe(false);
    const p = json.problems.find((x) => x.id === 'conf-image-tag')!;
    expect(p.severity).toBe('error');
    expect(p.message).toContain('KG_API_IMAGE_TAG=latest');
    expect(p.message).toContain('CUDA image on an AMD host');
    expect(p.message).toContain('needs rocm72-host');
    expect(p.fix).toBe(`kg-init --yes --gpu=amd-host --dir ${dir}`);
    expect(statusOf(json, 'compose-api-image')).toBe('error');
    // Running the fix makes it healthy.
    const fixed = await s.cli(p.fix.split(' ').slice(1), AMD);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await doctor(dir, AMD)).code).toBe(0);
  });

  it('a release-pinned ROCm tag is consistent', async () => {
    const dir = await install('pinned', AMD, ['--release', '0.13.1']);
    const { code, json } = await doctor(dir, AMD);
    expect(json.imageTag).toBe('0.13.1-rocm72-host');
    expect(statusOf(json, 'conf-image-tag')).toBe('ok');
    expect(code).toBe(0);
  });
});

// For every check: [check id, install that fails it, snapshot, expected status].
// The install that passes it is the clean install of the same mode.
type Case = { id: string; fail: () => string; snapshot: () => string; status: string; pass: () => string; passSnapshot: () => string; message?: string };

const cases: Case[] = [
  {
    id: 'env-file', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: '.env is missing',
    fail: () => variant(amdDir, 'no-env', (d) => rmSync(join(d, '.env'))),
  },
  {
    id: 'platform', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'no Knowledge Graph platform',
    fail: () => variant(amdDir, 'no-platform', (d) => ['operator.sh', 'docker-compose.yml'].forEach((f) => rmSync(join(d, f)))),
  },
  {
    id: 'conf-readable', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD,
    fail: () => variant(amdDir, 'binary-conf', (d) => writeFileSync(join(d, '.operator.conf'), Buffer.from('GPU_MODE=amd-host\0\0\xff\n', 'latin1'))),
  },
  {
    id: 'conf-gpu-mode', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'is not a mode',
    fail: () => variant(amdDir, 'bad-mode', (d) => edit(d, '.operator.conf', (t) => t.replace('GPU_MODE=amd-host', 'GPU_MODE=rocm'))),
  },
  {
    id: 'conf-gpu-mode-alias', status: 'warning', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'deprecated alias',
    fail: () => variant(amdDir, 'alias', (d) => edit(d, '.operator.conf', (t) => t.replace('GPU_MODE=amd-host', 'GPU_MODE=amd'))),
  },
  {
    id: 'conf-image-source', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'IMAGE_SOURCE="local"',
    fail: () => variant(amdDir, 'source', (d) => edit(d, '.operator.conf', (t) => t.replace('IMAGE_SOURCE=ghcr', 'IMAGE_SOURCE=local'))),
  },
  {
    id: 'conf-image-tag', status: 'error', snapshot: () => NV, pass: () => nvDir, passSnapshot: () => NV, message: 'nvidia needs latest',
    fail: () => variant(nvDir, 'rocm-on-nvidia', (d) => edit(d, '.operator.conf', (t) => t.replace('KG_API_IMAGE_TAG=latest', 'KG_API_IMAGE_TAG=rocm72-host'))),
  },
  {
    id: 'compose-ghcr', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'docker-compose.ghcr.yml is missing',
    fail: () => variant(amdDir, 'no-ghcr', (d) => rmSync(join(d, 'docker-compose.ghcr.yml'))),
  },
  {
    id: 'compose-api-image', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'hard-coded',
    fail: () => variant(amdDir, 'hardcoded', (d) => edit(d, 'docker-compose.ghcr.yml', (t) => t.replace('${KG_API_IMAGE_TAG:-rocm72-host}', 'latest'))),
  },
  {
    id: 'compose-overlay', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'docker-compose.gpu-amd-host.yml is missing',
    fail: () => variant(amdDir, 'no-overlay', (d) => rmSync(join(d, 'docker-compose.gpu-amd-host.yml'))),
  },
  {
    id: 'compose-stale-overlay', status: 'warning', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'stale nvidia overlay',
    fail: () => variant(amdDir, 'stale', (d) => cpSync(join(nvDir, 'docker-compose.gpu-nvidia.yml'), join(d, 'docker-compose.gpu-nvidia.yml'))),
  },
  {
    // The OS was reinstalled: render is gid 992 now, the overlay still adds 989.
    id: 'overlay-gids', status: 'error', snapshot: () => newGid, pass: () => amdDir, passSnapshot: () => AMD, message: 'adds gid 989 but /dev/kfd, /dev/dri/renderD128, /dev/dri/renderD129 are owned by gid 992 (render) now',
    fail: () => amdDir,
  },
  {
    id: 'overlay-rocr-visible-devices', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'no AMD GPU here is GPU-ffffffffffffffff',
    fail: () => variant(amdDir, 'rocr', (d) => edit(d, 'docker-compose.gpu-amd-host.yml', (t) => t.replace(/ROCR_VISIBLE_DEVICES=\S+/, 'ROCR_VISIBLE_DEVICES=GPU-ffffffffffffffff'))),
  },
  {
    id: 'overlay-hsa-override', status: 'error', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'HSA_OVERRIDE_GFX_VERSION=10.3.0 but gfx1100',
    fail: () => variant(amdDir, 'hsa', (d) => edit(d, 'docker-compose.gpu-amd-host.yml', (t) => t.replace(/^(\s*)- (ROCR_VISIBLE_DEVICES=\S+)$/m, '$1- $2\n$1- HSA_OVERRIDE_GFX_VERSION=10.3.0'))),
  },
  {
    id: 'host-gpu-driver', status: 'error', snapshot: () => host('nvidia-3060-nouveau'), pass: () => nvDir, passSnapshot: () => NV, message: 'nvidia-smi',
    fail: () => nvDir,
  },
  {
    // /dev/kfd vanished since the install.
    id: 'host-kfd', status: 'error', snapshot: () => noKfd, pass: () => amdDir, passSnapshot: () => AMD, message: '/dev/kfd is missing',
    fail: () => amdDir,
  },
  {
    id: 'host-device-access', status: 'warning', snapshot: () => host('amd-7800xt-user-not-in-render'), pass: () => amdDir, passSnapshot: () => AMD, message: 'cannot open /dev/kfd',
    fail: () => s.path('installs', 'amd-7800xt'),
  },
  {
    id: 'host-nvidia-toolkit', status: 'error', snapshot: () => host('nvidia-1080ti-no-toolkit'), pass: () => nvDir, passSnapshot: () => NV, message: 'NVIDIA_TOOLKIT_MISSING',
    fail: () => nvDir,
  },
  {
    id: 'host-docker', status: 'error', snapshot: () => host('vm-no-gpu-no-docker'), pass: () => cpuOnAmd, passSnapshot: () => AMD, message: 'DOCKER_NOT_FOUND',
    fail: () => cpuOnAmd,
  },
  {
    id: 'host-mode', status: 'warning', snapshot: () => host('amd-6700xt-ubuntu-rocm61'), pass: () => amdDir, passSnapshot: () => AMD, message: 'ROCM_HOST_OLDER',
    fail: () => s.path('installs', 'amd-6700xt'),
  },
  {
    id: 'host-recommendation', status: 'warning', snapshot: () => AMD, pass: () => amdDir, passSnapshot: () => AMD, message: 'GPU_CHANGED',
    fail: () => cpuOnAmd,
  },
];

describe('every check fails on a broken install and passes on a clean one', () => {
  beforeAll(async () => {
    await install('amd-7800xt', host('amd-7800xt-user-not-in-render'));
    await install('amd-6700xt', host('amd-6700xt-ubuntu-rocm61'));
  });

  it('covers every check in the table', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });

  for (const c of cases) {
    it(`${c.id}: ${c.status} when broken, ok when not`, async () => {
      const bad = await doctor(c.fail(), c.snapshot());
      expect(statusOf(bad.json, c.id), JSON.stringify(bad.json.problems, null, 1)).toBe(c.status);
      const p = bad.json.problems.find((x) => x.id === c.id)!;
      if (c.message) expect(p.message).toContain(c.message);
      expect(p.fix.length).toBeGreaterThan(0);
      expect(bad.code).toBe(bad.json.problems.some((x) => x.severity === 'error') ? 1 : 0);
      if (c.status === 'error') expect(bad.code).toBe(1);
      const good = await doctor(c.pass(), c.passSnapshot());
      expect(statusOf(good.json, c.id)).toBe('ok');
    });
  }

  it('a vanished /dev/kfd: the overlay checks are skipped, not guessed, and the host is no longer amd-host', async () => {
    const { json } = await doctor(amdDir, noKfd);
    expect(statusOf(json, 'overlay-gids')).toBe('skipped');
    expect(json.problems.find((p) => p.id === 'host-recommendation')?.message).toContain('GPU_CHANGED');
  });
});

describe('usage', () => {
  it('a directory without an install exits 1 saying to run kg-init there first', async () => {
    const empty = s.path('empty');
    const missing = await s.cli(['doctor', '--dir', empty], AMD);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no kg-init install in ${empty}; run kg-init there first`);
    expect(missing.stdout).toBe('');
    expect(existsSync(empty)).toBe(false);
    const dir = variant(amdDir, 'no-conf', (d) => rmSync(join(d, '.operator.conf')));
    const r = await s.cli(['doctor', '--dir', dir], AMD);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run kg-init there first');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('flags of other commands are usage errors (exit 2)', async () => {
    const r = await s.cli(['doctor', '--gpu=cpu'], AMD);
    expect(r.code).toBe(2);
  });
});
