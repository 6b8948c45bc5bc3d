// Every recorded host (test/hosts, plus the conformance set of ../shared/hosts
// when present), configured headless: the recommended
// mode is written, and on AMD hosts the overlay carries the gids,
// ROCR_VISIBLE_DEVICES and HSA_OVERRIDE_GFX_VERSION that expect.json names.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { modeSpec, type Mode } from '../../src/catalog.js';
import { readOwned } from '../../src/conf/index.js';
import { replayedHosts, runCli } from '../helpers/cli.js';

interface Expect {
  mode: Mode;
  imageTag: string;
  overlay?: { groupGids: number[]; rocrVisibleDevices: string[] | null; hsaOverride: string | null };
}

const hosts = replayedHosts('expect.json');
let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'kg-hosts-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Runs once the probe (src/probe) is merged; then src/commands/report-source.ts
// must call it (a missing wiring fails every case here, loudly).
const probeMerged = existsSync(new URL('../../src/probe/index.ts', import.meta.url));

describe.skipIf(!probeMerged)('kg-init --yes on each recorded host', () => {
  test('there are hosts to replay', () => expect(hosts.length).toBeGreaterThanOrEqual(26));

  test.each(hosts)('%s', async (_name, snapshot) => {
    const want = JSON.parse(readFileSync(join(snapshot, 'expect.json'), 'utf8')) as Expect;
    const dir = join(root, snapshot.split('/').slice(-2).join('-'));
    const r = await runCli(['--yes', '-C', dir, '--json'], { env: { KG_INIT_HOST_SNAPSHOT: snapshot } });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ changed: true, mode: want.mode, imageTag: want.imageTag });
    const conf = readOwned(readFileSync(join(dir, '.operator.conf'), 'utf8'));
    // The platform (installed from the test fixture, with image-tag.sh) derives the tag from GPU_MODE.
    expect(conf).toMatchObject({ GPU_MODE: want.mode, IMAGE_SOURCE: 'ghcr' });
    expect(conf.KG_API_IMAGE_TAG).toBeUndefined();
    expect(readFileSync(join(dir, 'docker-compose.ghcr.yml'), 'utf8')).toContain(`\${KG_API_IMAGE_TAG:-${want.imageTag}}`);
    const overlay = modeSpec(want.mode).overlay;
    const files = readdirSync(dir).filter((f) => f.startsWith('docker-compose')).sort();
    expect(files).toEqual(['docker-compose.ghcr.yml', 'docker-compose.standalone.yml', 'docker-compose.yml', ...(overlay ? [overlay] : [])].sort());
    if (want.mode === 'amd-host' && want.overlay) {
      const api = parse(readFileSync(join(dir, overlay!), 'utf8')).services.api;
      for (const gid of want.overlay.groupGids) expect(api.group_add).toContain(String(gid));
      const env = Object.fromEntries((api.environment as string[]).map((e) => e.split('=', 2) as [string, string]));
      if (want.overlay.rocrVisibleDevices === null) expect(env).not.toHaveProperty('ROCR_VISIBLE_DEVICES');
      else expect(want.overlay.rocrVisibleDevices).toContain(env.ROCR_VISIBLE_DEVICES);
      if (want.overlay.hsaOverride === null) expect(env).not.toHaveProperty('HSA_OVERRIDE_GFX_VERSION');
      else expect(env.HSA_OVERRIDE_GFX_VERSION).toBe(want.overlay.hsaOverride);
    }
    // Replaying the same host again changes nothing.
    const again = await runCli(['--yes', '-C', dir, '--json'], { env: { KG_INIT_HOST_SNAPSHOT: snapshot } });
    expect(JSON.parse(again.stdout).changed).toBe(false);
  });
});
