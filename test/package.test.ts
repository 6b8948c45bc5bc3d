// The published package: one bundled file set, no runtime dependencies, small.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './helpers/cli.js';

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

describe('npm package', () => {
  it('has no runtime dependencies and ships only bin/, dist/ and the README', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ 'kg-init': 'bin/kg-init.js' });
    expect(pkg.engines.node).toBe('>=20');
    const [packed] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], REPO));
    const paths: string[] = packed.files.map((f: { path: string }) => f.path);
    for (const p of paths) expect(p).toMatch(/^(bin\/|dist\/|README\.md$|package\.json$)/);
    expect(paths).toContain('dist/cli.js');
    expect(packed.size).toBeLessThanOrEqual(700 * 1024);
  });

  it('installs from its tarball into an empty project as exactly one package, and runs', () => {
    const work = mkdtempSync(join(tmpdir(), 'kg-pack-'));
    try {
      const out = npm(['pack', '--ignore-scripts', '--pack-destination', work], REPO).trim().split('\n').pop()!;
      const app = join(work, 'app');
      execFileSync('mkdir', ['-p', app]);
      writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
      npm(['install', '--no-audit', '--no-fund', '--offline', join(work, out)], app);
      const installed = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
      expect(installed).toEqual(['kg-init']);
      const v = execFileSync(join(app, 'node_modules/.bin/kg-init'), ['--version'], { encoding: 'utf8' });
      expect(v.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
