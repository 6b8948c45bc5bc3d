// makePlan is pure: the same report, answers and install state give the same
// files, findings and next command, with no disk.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGISTRY } from '../../src/catalog.js';
import { makePlan } from '../../src/plan/make.js';
import { makeLayout } from '../../src/platform/layout.js';
import { unifiedDiff } from '../../src/plan/diff.js';
import type { Answers } from '../../src/plan/types.js';
import type { InstallState } from '../../src/install/types.js';
import { readOwned } from '../../src/conf/index.js';
import { renderCompose } from '../../src/render/index.js';
import { amdReport, makeReport } from '../helpers/report.js';

const NOW = new Date('2026-05-28T09:14:03.500Z');
const OPTS = { now: NOW, version: '0.1.0' };
const answers = (over: Partial<Answers> = {}): Answers => ({ mode: 'auto', registry: DEFAULT_REGISTRY, force: false, ...over });

function install(over: Partial<InstallState> = {}, confText: string | null = null): InstallState {
  return {
    dir: '/srv/kg',
    dirExists: true,
    conf: { path: '/srv/kg/.operator.conf', exists: confText !== null, text: confText, problem: null, values: confText ? readOwned(confText) : {} },
    compose: {},
    operatorScript: false,
    baseCompose: true,
    platform: makeLayout({ kind: 'standalone', composeFiles: ['docker-compose.yml'], operatorScript: over.operatorScript ?? false }),
    ...over,
  };
}

describe('makePlan', () => {
  test('fresh directory: conf, ghcr and overlay created; next command lists the files', () => {
    const p = makePlan(amdReport(), answers(), install(), OPTS);
    expect(p.mode).toBe('amd-host');
    expect(p.imageTag).toBe('rocm72-host');
    expect(p.files.map((f) => [f.path, f.action])).toEqual([
      ['.operator.conf', 'create'],
      ['docker-compose.ghcr.yml', 'create'],
      ['docker-compose.gpu-amd-host.yml', 'create'],
    ]);
    expect(readOwned(p.files[0]!.after!)).toEqual({ GPU_MODE: 'amd-host', KG_API_IMAGE_TAG: 'rocm72-host', IMAGE_SOURCE: 'ghcr', INITIALIZED_AT: '2026-05-28T09:14:03Z' });
    expect(p.nextCommand).toBe('docker compose -f docker-compose.yml -f docker-compose.ghcr.yml -f docker-compose.gpu-amd-host.yml --env-file .env up -d');
    expect(p.findings.map((f) => f.code)).toEqual(['GFX_OVERRIDE']);
    expect(makePlan(amdReport(), answers(), install({ operatorScript: true }), OPTS).nextCommand).toBe('./operator.sh start');
    // No base compose file: nothing here can start the platform, so no `up` is suggested.
    const bare = makePlan(amdReport(), answers({ mode: 'cpu' }), install({ baseCompose: false, platform: makeLayout() }), OPTS);
    expect(bare.nextCommand).toBeNull();
    expect(bare.findings.map((f) => f.code)).toContain('PLATFORM_MISSING');
  });

  test('a mirror given once is kept: a re-run without --registry pulls from it still; --registry changes it; a hand-written file is not read for it', () => {
    const mirror = 'registry.example.com:5000/kg';
    const first = makePlan(amdReport(), answers({ registry: mirror }), install(), OPTS);
    const compose = Object.fromEntries(first.files.slice(1).map((f) => [f.path, { text: f.after!, generated: true, mode: 'amd-host' as const }]));
    const rerun = makePlan(amdReport(), answers({ registry: undefined, mode: 'cpu' }), install({ compose }, first.files[0]!.after), OPTS);
    expect(rerun.registry).toBe(mirror);
    expect(rerun.files.find((f) => f.path === 'docker-compose.ghcr.yml')!.after).toContain(`image: ${mirror}/kg-api:`);
    const ipv6 = makePlan(amdReport(), answers({ registry: '[::1]:5000/kg' }), install(), OPTS);
    const compose6 = Object.fromEntries(ipv6.files.slice(1).map((f) => [f.path, { text: f.after!, generated: true, mode: 'amd-host' as const }]));
    expect(makePlan(amdReport(), answers({ registry: undefined }), install({ compose: compose6 }, ipv6.files[0]!.after), OPTS).registry).toBe('[::1]:5000/kg');
    expect(makePlan(amdReport(), answers({ registry: DEFAULT_REGISTRY }), install({ compose }, first.files[0]!.after), OPTS).registry).toBe(DEFAULT_REGISTRY);
    const foreign = { 'docker-compose.ghcr.yml': { text: `services:\n  api:\n    image: ${mirror}/kg-api:latest\n`, generated: false, mode: null } };
    expect(makePlan(amdReport(), answers({ registry: undefined }), install({ compose: foreign }), OPTS).registry).toBe(DEFAULT_REGISTRY);
  });

  test('same inputs again: nothing changes and INITIALIZED_AT is not refreshed', () => {
    const first = makePlan(amdReport(), answers(), install(), OPTS);
    const compose = Object.fromEntries(first.files.slice(1).map((f) => [f.path, { text: f.after!, generated: true, mode: 'amd-host' as const }]));
    const again = makePlan(amdReport(), answers(), install({ compose }, first.files[0]!.after), { ...OPTS, now: new Date('2027-01-01T00:00:00Z') });
    expect(again.changed).toBe(false);
    expect(again.files.every((f) => f.action === 'unchanged')).toBe(true);
  });

  test('a mode change removes generated overlays of other modes, never foreign ones; GPU_CHANGED and the alias are reported', () => {
    const conf = '# mine\nGPU_MODE=amd\nKG_API_IMAGE_TAG=rocm72-host\nINITIALIZED_AT=2025-01-01T00:00:00Z\n';
    const amdFiles = renderCompose({ mode: 'amd-host', registry: DEFAULT_REGISTRY, apiTag: 'rocm72-host', platformTag: 'latest', amdOverlay: null, version: '0.0.9' });
    const compose: InstallState['compose'] = {
      'docker-compose.gpu-amd-host.yml': { text: amdFiles[1]!.text, generated: true, mode: 'amd-host' },
      'docker-compose.override.mac.yml': { text: 'services: {}\n', generated: false, mode: null },
    };
    const p = makePlan(makeReport({ recommend: 'nvidia' }), answers(), install({ compose }, conf), OPTS);
    expect(p.files.map((f) => [f.path, f.action])).toEqual([
      ['.operator.conf', 'update'],
      ['docker-compose.ghcr.yml', 'create'],
      ['docker-compose.gpu-nvidia.yml', 'create'],
      ['docker-compose.gpu-amd-host.yml', 'remove'],
    ]);
    // IMAGE_SOURCE absent stays absent: the platform's default (ghcr) applies, and a dev clone is never switched.
    expect(p.files[0]!.after).toBe('# mine\nGPU_MODE=nvidia\nKG_API_IMAGE_TAG=latest\nINITIALIZED_AT=2026-05-28T09:14:03Z\n');
    expect(p.findings.map((f) => f.code).sort()).toEqual(['DEPRECATED_GPU_MODE', 'GPU_CHANGED']);
  });

  test('blocked mode is refused unless forced; --gpu amd alias warns', () => {
    const r = makeReport({ recommend: 'cpu', modeFindings: { nvidia: [{ code: 'NVIDIA_TOOLKIT_MISSING', severity: 'error', message: 'no toolkit', fix: 'install nvidia-container-toolkit', mode: 'nvidia' }] } });
    const refused = makePlan(r, answers({ mode: 'nvidia' }), install(), OPTS);
    expect(refused.refused).toBe(true);
    expect(refused.status).toBe('blocked');
    expect(refused.findings[0]!.code).toBe('NVIDIA_TOOLKIT_MISSING');
    expect(makePlan(r, answers({ mode: 'nvidia', force: true }), install(), OPTS).refused).toBe(false);
    const alias = makePlan(amdReport(), answers({ mode: 'amd-host', deprecatedAlias: true }), install(), OPTS);
    expect(alias.findings.some((f) => f.code === 'DEPRECATED_GPU_MODE')).toBe(true);
  });

  test('release pin and explicit tag; registry in every image', () => {
    const pin = makePlan(amdReport(), answers({ release: '0.13.1', registry: 'registry.example.com/mirror/kg' }), install(), OPTS);
    expect(pin.imageTag).toBe('0.13.1-rocm72-host');
    const ghcr = pin.files[1]!.after!;
    expect(ghcr).toContain('registry.example.com/mirror/kg/kg-api:${KG_API_IMAGE_TAG:-0.13.1-rocm72-host}');
    expect(ghcr).toContain('registry.example.com/mirror/kg/kg-web:0.13.1');
    expect(makePlan(makeReport({ recommend: 'cpu' }), answers({ release: '0.13.1' }), install(), OPTS).imageTag).toBe('0.13.1');
    expect(makePlan(makeReport({ recommend: 'cpu' }), answers({ imageTag: 'nightly-2026' }), install(), OPTS).imageTag).toBe('nightly-2026');
  });

  test('an unusable config stops the plan with a one-line error', () => {
    const bad = install();
    bad.conf = { ...bad.conf, exists: true, problem: '/srv/kg/.operator.conf contains NUL bytes: it is not a text file' };
    expect(() => makePlan(amdReport(), answers(), bad, OPTS)).toThrow(/NUL bytes.*nothing was changed/);
  });
});

describe('unifiedDiff', () => {
  const hasPatch = spawnSync('patch', ['--version'], { stdio: 'ignore' }).status === 0;
  test.skipIf(!hasPatch)('patch(1) applies it and gets the new text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-diff-'));
    try {
      const before = Array.from({ length: 30 }, (_, i) => `L${i}`).join('\n') + '\n';
      const after = before.replace('L3\n', 'L3x\n').replace('L20\n', '').replace('L29\n', 'L29\nNEW=1\n');
      writeFileSync(join(dir, 'f'), before);
      const d = unifiedDiff({ path: 'f', action: 'update', before, after });
      expect(d.match(/^@@/gm)).toHaveLength(3);
      writeFileSync(join(dir, 'f.patch'), d);
      const r = spawnSync('patch', ['-p1', '-s', '-i', 'f.patch'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(readFileSync(join(dir, 'f'), 'utf8')).toBe(after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('create and remove diff against /dev/null; unchanged is empty', () => {
    expect(unifiedDiff({ path: 'a', action: 'create', before: null, after: 'x\n' })).toBe('--- /dev/null\n+++ b/a\n@@ -0,0 +1,1 @@\n+x\n');
    expect(unifiedDiff({ path: 'a', action: 'remove', before: 'x', after: null })).toBe('--- a/a\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n\\ No newline at end of file\n');
    expect(unifiedDiff({ path: 'a', action: 'unchanged', before: 'x', after: 'x' })).toBe('');
  });
});

describe('who owns KG_API_IMAGE_TAG', () => {
  const withHelper = (confText: string | null, over: Partial<InstallState> = {}) =>
    install({ platform: makeLayout({ kind: 'standalone', operatorScript: true, imageTagHelper: true, composeFiles: ['docker-compose.yml'] }), operatorScript: true, ...over }, confText);
  const conf = (p: ReturnType<typeof makePlan>) => readOwned(p.files.find((f) => f.path === '.operator.conf')!.after!);

  test('the platform derives it (image-tag.sh present): not written; the GHCR default still names the selection', () => {
    const p = makePlan(amdReport(), answers(), withHelper(null), OPTS);
    expect(conf(p).KG_API_IMAGE_TAG).toBeUndefined();
    expect(p.imageTag).toBe('rocm72-host');
    expect(p.files.find((f) => f.path === 'docker-compose.ghcr.yml')!.after).toContain('kg-api:${KG_API_IMAGE_TAG:-rocm72-host}');
  });

  test('explicit overrides are written: a release pin, --image-tag, a custom tag already there, no image-tag.sh', () => {
    expect(conf(makePlan(amdReport(), answers({ release: '0.13.1' }), withHelper(null), OPTS)).KG_API_IMAGE_TAG).toBe('0.13.1-rocm72-host');
    expect(conf(makePlan(amdReport(), answers({ imageTag: 'rocm72-host-test' }), withHelper(null), OPTS)).KG_API_IMAGE_TAG).toBe('rocm72-host-test');
    expect(conf(makePlan(amdReport(), answers(), withHelper('GPU_MODE=amd-host\nKG_API_IMAGE_TAG=my-build\n'), OPTS)).KG_API_IMAGE_TAG).toBe('my-build');
    // A pinned release carries over on re-init.
    expect(conf(makePlan(amdReport(), answers(), withHelper('GPU_MODE=nvidia\nKG_API_IMAGE_TAG=0.13.1\n'), OPTS)).KG_API_IMAGE_TAG).toBe('0.13.1-rocm72-host');
    // Without operator/lib/image-tag.sh the platform falls back to latest: the tag is written.
    expect(conf(makePlan(amdReport(), answers(), install({}, null), OPTS)).KG_API_IMAGE_TAG).toBe('rocm72-host');
  });

  test("kg-init's own earlier write equal to the derivation is dropped; another mode's tag too; the user's own equal line stays", () => {
    const mine = makePlan(amdReport(), answers(), withHelper('# keep\nGPU_MODE=amd-host\nKG_API_IMAGE_TAG=rocm72-host\nX=1\n', { lastWrittenTag: 'rocm72-host' }), OPTS);
    const after = mine.files.find((f) => f.path === '.operator.conf')!.after!;
    expect(after).not.toContain('KG_API_IMAGE_TAG');
    expect(after).toContain('# keep\nGPU_MODE=amd-host\nX=1\n');
    const stale = makePlan(amdReport(), answers(), withHelper('GPU_MODE=nvidia\nKG_API_IMAGE_TAG=latest\n', { lastWrittenTag: 'latest' }), OPTS);
    expect(conf(stale)).toMatchObject({ GPU_MODE: 'amd-host' });
    expect(conf(stale).KG_API_IMAGE_TAG).toBeUndefined();
    const theirs = makePlan(amdReport(), answers(), withHelper('GPU_MODE=amd-host\nKG_API_IMAGE_TAG=rocm72-host\n'), OPTS);
    expect(conf(theirs).KG_API_IMAGE_TAG).toBe('rocm72-host');
  });
});

describe('IMAGE_SOURCE', () => {
  const clone = (confText: string | null) =>
    install({ operatorScript: true, compose: { 'docker-compose.gpu-amd-host.yml': { text: 'services:\n  api:\n    group_add: ["989"]\n', generated: false, mode: null } }, platform: makeLayout({ kind: 'clone', composeDir: 'docker', git: true, operatorScript: true, imageTagHelper: true, composeFiles: ['docker-compose.yml', 'docker-compose.gpu-amd-host.yml'] }) }, confText);
  const source = (p: ReturnType<typeof makePlan>) => readOwned(p.files.find((f) => f.path === '.operator.conf')!.after!).IMAGE_SOURCE;

  test('kept as the config says; a new config gets ghcr; --image-source switches it', () => {
    expect(source(makePlan(amdReport(), answers(), clone(null), OPTS))).toBe('ghcr');
    const local = makePlan(amdReport(), answers(), clone('GPU_MODE=nvidia\nIMAGE_SOURCE=local\n'), OPTS);
    expect(source(local)).toBe('local');
    expect(source(makePlan(amdReport(), answers({ imageSource: 'ghcr' }), clone('IMAGE_SOURCE=local\n'), OPTS))).toBe('ghcr');
    expect(source(makePlan(amdReport(), answers(), clone('DEV_MODE=true\n'), OPTS))).toBeUndefined();
  });

  test('a clone building locally: the overlay in docker/ keeps the ROCm build, no GHCR file is written', () => {
    const p = makePlan(amdReport(), answers(), clone('IMAGE_SOURCE=local\n'), OPTS);
    expect(p.files.map((f) => f.path)).toEqual(['.operator.conf', 'docker/docker-compose.gpu-amd-host.yml']);
    const overlay = p.files[1]!.after!;
    expect(overlay).toContain('dockerfile: api/Dockerfile.rocm-host');
    expect(overlay).toContain('- "110"');
    expect(p.findings.map((f) => f.code)).toContain('TRACKED_FILES_CHANGED');
  });

  test('--image-source local outside a clone is refused: there is no source to build', () => {
    expect(() => makePlan(amdReport(), answers({ imageSource: 'local' }), install({}, null), OPTS)).toThrow(/only a clone/);
  });
});
