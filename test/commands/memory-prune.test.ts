// The built CLI keeps the per-user memory small: an install drops the
// remembered directories that no longer exist.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS, runCli } from '../helpers/cli.js';

const entry = (dir: string, at: string) => ({
  schemaVersion: 1, dir, gpus: [], mode: 'cpu', imageTag: 'latest', at, kgInitVersion: '0.1.0',
});

describe('user memory through the CLI', () => {
  let tmp: string;
  let store: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kg-prune-cli-'));
    mkdirSync(join(tmp, 'config'));
    store = join(tmp, 'config', 'kg-init.json');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('the built CLI prunes the store on an install', async () => {
    const installs: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) installs[`/nonexistent-kg-test/${i}`] = entry(`/nonexistent-kg-test/${i}`, '2025-01-01T00:00:00.000Z');
    writeFileSync(store, JSON.stringify({ installs }));
    const dir = join(tmp, 'install');
    const r = await runCli(['--yes', '--gpu=cpu', '--dir', dir, '--json'], {
      env: { KG_INIT_CONFIG_DIR: join(tmp, 'config'), KG_INIT_HOST_SNAPSHOT: join(HOSTS, 'nvidia-two-3090s') },
    });
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse(readFileSync(store, 'utf8')).installs;
    expect(Object.keys(after)).toHaveLength(1);
    expect(after[Object.keys(after)[0]!].mode).toBe('cpu');
  });
});
