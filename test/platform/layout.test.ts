// Install layouts as the platform's operator.sh recognises them, and the
// compose files it would hand to `docker compose` in each.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInstall } from '../../src/install/read.js';
import { composeFilesFor, dotenvValue, normaliseProjectName } from '../../src/platform/layout.js';

const root = mkdtempSync(join(tmpdir(), 'kg-layout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function dir(files: Record<string, string>): string {
  const d = join(root, `My Install.${++n}`);
  mkdirSync(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(d, p, '..'), { recursive: true });
    writeFileSync(join(d, p), text);
  }
  return d;
}

describe('layout', () => {
  test('nothing of the platform: none, and no base file to start from', async () => {
    const s = await readInstall(dir({ '.operator.conf': 'GPU_MODE=nvidia\n', 'docker-compose.ghcr.yml': 'services: {}\n' }));
    expect(s.platform.kind).toBe('none');
    expect(composeFilesFor(s).missingBase).toBe(true);
  });

  test('standalone: compose files beside operator.sh; the platform order, GHCR first, the GPU overlay last', async () => {
    const d = dir({
      'operator.sh': '#!/bin/sh\n',
      'operator/lib/image-tag.sh': '',
      'docker-compose.yml': 'services: {}\n',
      'docker-compose.standalone.yml': 'services: {}\n',
      'docker-compose.ghcr.yml': 'services: {}\n',
      'docker-compose.gpu-amd-host.yml': 'services: {}\n',
      'docker-compose.gpu-nvidia.yml': 'services: {}\n',
      '.operator.conf': 'GPU_MODE=amd-host\n',
      '.env': 'POSTGRES_PASSWORD=x\n',
    });
    const s = await readInstall(d);
    expect(s.platform).toMatchObject({ kind: 'standalone', composeDir: '', operatorScript: true, imageTagHelper: true, git: false });
    const inv = composeFilesFor(s);
    expect(inv.files).toEqual(['docker-compose.yml', 'docker-compose.ghcr.yml', 'docker-compose.standalone.yml', 'docker-compose.gpu-amd-host.yml']);
    expect(inv.projectDir).toBe(d);
    expect(inv.projectName).toBe(normaliseProjectName(`my install.${n}`));
    expect(inv.envFile).toBe('.env');
  });

  test('clone: docker/ decides, as operator.sh does; local builds leave the GHCR file out; DEV_MODE adds the dev file', async () => {
    const d = dir({
      'operator.sh': '#!/bin/sh\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker/docker-compose.yml': 'services: {}\n',
      'docker/docker-compose.ghcr.yml': 'services: {}\n',
      'docker/docker-compose.dev.yml': 'services: {}\n',
      'docker/docker-compose.gpu-nvidia.yml': 'services: {}\n',
      // A top-level file is not what the platform reads in a clone.
      'docker-compose.gpu-nvidia.yml': 'services: {}\n',
      '.operator.conf': 'DEV_MODE=true\nGPU_MODE=nvidia\n',
    });
    const s = await readInstall(d);
    expect(s.platform).toMatchObject({ kind: 'clone', composeDir: 'docker', git: true });
    const inv = composeFilesFor(s);
    expect(inv.files).toEqual(['docker/docker-compose.yml', 'docker/docker-compose.dev.yml', 'docker/docker-compose.gpu-nvidia.yml']);
    expect(inv.imageSource).toBe('local');
    expect(inv.projectName).toBe('docker');
    expect(inv.projectDir).toBe(join(d, 'docker'));
  });

  test('COMPOSE_PROJECT_NAME in .env names the project; the legacy GPU_MODE=amd selects the amd-host overlay', async () => {
    const d = dir({
      'docker-compose.yml': 'services: {}\n',
      'docker-compose.gpu-amd-host.yml': 'services: {}\n',
      '.operator.conf': 'GPU_MODE=amd\nIMAGE_SOURCE=local\n',
      '.env': '# x\nCOMPOSE_PROJECT_NAME="Knowledge-Graph"\n',
    });
    const s = await readInstall(d);
    expect(s.platform.kind).toBe('standalone');
    const inv = composeFilesFor(s);
    expect(inv.projectName).toBe('knowledge-graph');
    expect(inv.files).toEqual(['docker-compose.yml', 'docker-compose.gpu-amd-host.yml']);
  });

  test('dotenvValue reads the last simple assignment', () => {
    expect(dotenvValue('A=1\nA=2 # c\n', 'A')).toBe('2');
    expect(dotenvValue("export B='x y'\n", 'B')).toBe('x y');
    expect(dotenvValue(null, 'A')).toBeUndefined();
  });
});
