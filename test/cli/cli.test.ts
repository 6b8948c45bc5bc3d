import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { OPTIONS, parseArgs } from '../../src/cli/args.js';
import { EXIT } from '../../src/errors.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

describe('kg-init --help / --version', () => {
  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    expect((await runCli(['-V'])).stdout.trim()).toBe(pkg.version);
  });

  it('--help exits 0 and documents every flag and subcommand of the product', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--yes', '--gpu', '--dir', '-C', '--release', '--registry', '--image-tag', '--dry-run', '--force', '--json', '--no-color', '--plain', '--save-snapshot']) {
      expect(r.stdout).toContain(flag);
    }
    for (const word of ['probe', 'doctor', 'nvidia', 'amd-host', 'mac', 'cpu', 'rocm72-host', 'NO_COLOR', 'KG_INIT_HOST_SNAPSHOT', '130']) {
      expect(r.stdout).toContain(word);
    }
    // Every option in the table is in the help.
    for (const o of OPTIONS) expect(r.stdout).toContain(`--${o.name}`);
    expect(r.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
  });

  it('subcommand help is specific', async () => {
    const r = await runCli(['probe', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--save-snapshot');
    expect(r.stdout).not.toContain('--gpu');
    expect((await runCli(['help', 'doctor'])).stdout).toContain('kg-init doctor');
  });
});

describe('usage errors', () => {
  it('an unknown flag exits 2 with a one-line hint and no stack trace', async () => {
    const r = await runCli(['--dry-rn']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('unknown option --dry-rn');
    expect(r.stderr).toContain('Did you mean --dry-run?');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown command exits 2 and suggests the closest', async () => {
    const r = await runCli(['prbe']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean 'kg-init probe'?");
  });

  it('no terminal and no --yes exits 2 pointing to --yes --gpu', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes --gpu=');
  });

  it('a current directory that no longer exists: one line saying so and what to do, exit 1', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { BIN } = await import('../helpers/cli.js');
    const gone = mkdtempSync(join(tmpdir(), 'kg-gone-'));
    for (const argv of ['probe', '--yes --gpu=cpu', '']) {
      let out = { status: 0, stderr: '' };
      try {
        execFileSync('sh', ['-c', `mkdir -p "${gone}" && cd "${gone}" && rmdir "${gone}" && exec "${process.execPath}" "${BIN}" ${argv}`], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        out = e as { status: number; stderr: string };
      }
      expect(out.status, argv).toBe(1);
      expect(out.stderr).toBe('kg-init: the current directory no longer exists (it was removed or moved away). cd to one that does, then run kg-init again.\n');
    }
  });

  it('the wizard build (dist/cli.js) hands every other command to dist/cli.cjs', async () => {
    const { execFileSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const { REPO, HOSTS } = await import('../helpers/cli.js');
    const script = `import(${JSON.stringify(join(REPO, 'dist/cli.js'))}).then((m) => m.main(['probe', '--json'])).then((c) => { process.exitCode = c; })`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, KG_INIT_HOST_SNAPSHOT: join(HOSTS, 'amd-7900xtx-igpu-arch') } });
    expect(JSON.parse(out).recommendation.mode).toBe('amd-host');
  });

  it('a command word as an option value is still the wizard (the shim hands it from dist/cli.cjs to the wizard build)', async () => {
    for (const argv of [['--dir', 'probe'], ['-C', 'doctor'], ['--dir', 'help']]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('no terminal to run the wizard in');
      expect(r.stdout).toBe('');
    }
  });
});

describe('parseArgs', () => {
  it('accepts both --opt=value and --opt value, and short forms', () => {
    const a = parseArgs(['--yes', '--gpu=amd-host', '-C', '/tmp/x', '--release', '0.13.1', '--json']);
    expect(a).toMatchObject({ yes: true, gpu: 'amd-host', dir: '/tmp/x', release: '0.13.1', json: true, command: 'main' });
    expect(parseArgs(['-y', '--gpu', 'cpu']).gpu).toBe('cpu');
  });

  it('reads amd as the deprecated alias of amd-host', () => {
    const a = parseArgs(['--yes', '--gpu', 'amd']);
    expect(a.gpu).toBe('amd-host');
    expect(a.gpuDeprecatedAlias).toBe(true);
  });

  it.each([
    [['--gpu', 'rocm']],
    [['--release', '0.13']],
    [['--release', '1.2.3+build']],
    [['--registry', 'https://ghcr.io/x']],
    [['--registry', 'GHCR.io/Owner/Name']],
    [['--registry', 'ghcr.io/x:latest']],
    [['--image-tag', '-bad']],
    [['--image-tag', 'a b']],
    [['--image-tag', '$(reboot)']],
    [['--image-tag', 'x'.repeat(129)]],
    [['--gpu']],
    [['--yes=1']],
    [['--release', '1.0.0', '--image-tag', 'x']],
    [['probe', '--gpu', 'cpu']],
    [['probe', 'extra']],
  ])('refuses %j with a usage error', (argv) => {
    expect(() => parseArgs(argv)).toThrowError(expect.objectContaining({ exitCode: 2 }));
  });

  it('accepts mirrors with ports and nested paths', () => {
    expect(parseArgs(['--registry', 'registry.local:5000/mirror/kg']).registry).toBe('registry.local:5000/mirror/kg');
    expect(parseArgs(['--release', 'v0.13.1']).release).toBe('0.13.1');
  });
});
