// install.sh as users run it (`sh install.sh`, `curl … | sh`, `curl … | sh -s -- FLAGS`),
// with stand-in `node` and `npx` on a PATH that holds nothing else: the stand-ins
// record their argv and whether their stdin is a terminal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as ptySpawn } from 'node-pty';
import { REPO, toolsRequired } from './helpers/cli.js';

const INSTALL = join(REPO, 'install.sh');
const SCRIPT = readFileSync(INSTALL, 'utf8');

let root: string;
let caseNo = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-install-sh-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Sandbox {
  dir: string;
  bin: string;
  /** What npx was called with, or null when it was not called. */
  npxArgs(): string[] | null;
  /** 'tty' or 'notty': npx's stdin. */
  npxStdin(): string | null;
}

/** A temp dir with a bin/ holding only the stand-ins asked for. */
function sandbox(tools: { node?: string; npx?: boolean }): Sandbox {
  const dir = join(root, `case-${++caseNo}`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  if (tools.node !== undefined) {
    // Prints the version it was given; anything else about node is not used.
    const node = `#!/bin/sh\nprintf '%s\\n' '${tools.node}'\n`;
    writeFileSync(join(bin, 'node'), node);
    chmodSync(join(bin, 'node'), 0o755);
  }
  if (tools.npx) {
    const npx = [
      '#!/bin/sh',
      `for a in "$@"; do printf '%s\\0' "$a"; done > '${dir}/npx.argv'`,
      `if [ -t 0 ]; then echo tty; else echo notty; fi > '${dir}/npx.stdin'`,
      'exit "${FAKE_NPX_EXIT:-0}"',
      '',
    ].join('\n');
    writeFileSync(join(bin, 'npx'), npx);
    chmodSync(join(bin, 'npx'), 0o755);
  }
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : null);
  return {
    dir,
    bin,
    npxArgs: () => {
      const raw = read('npx.argv');
      return raw === null ? null : raw.split('\0').slice(0, -1);
    },
    npxStdin: () => read('npx.stdin')?.trim() ?? null,
  };
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The installer with the stand-ins in `box` as the whole PATH. */
function runInstaller(
  shell: string,
  box: Sandbox,
  args: string[],
  opts: { piped?: boolean; env?: Record<string, string> } = {},
): Promise<Result> {
  return runShell(shell, args, { cwd: box.dir, env: { PATH: box.bin, HOME: box.dir, ...opts.env }, piped: opts.piped });
}

/**
 * Runs the installer with `sh` (as a file, or piped on stdin with `sh -s`).
 * detached: a new session without a controlling terminal, so /dev/tty cannot be
 * opened and the outcome does not depend on how the suite was started.
 */
function runShell(shell: string, args: string[], opts: { cwd: string; env: Record<string, string>; piped?: boolean | undefined }): Promise<Result> {
  const argv = opts.piped ? ['-s', '--', ...args] : [INSTALL, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(shell, argv, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // The shell may exit (a refused version) before it has read all of stdin.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.piped ? SCRIPT : '');
  });
}

const SHELLS = ['/bin/sh', '/bin/dash', '/bin/bash'].filter((s, i, all) => existsSync(s) && all.indexOf(s) === i);

describe.each(SHELLS)('install.sh under %s', (shell) => {
  it('new Node: runs npx --yes kg-init@latest with no arguments', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    const r = await runInstaller(shell, box, []);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(box.npxArgs()).toEqual(['--yes', 'kg-init@latest']);
  });

  it('passes kg-init\'s exit status through (3: mode blocked)', async () => {
    const box = sandbox({ node: 'v22.3.0', npx: true });
    const r = await runInstaller(shell, box, ['--yes'], { env: { FAKE_NPX_EXIT: '3' } });
    expect(r.code).toBe(3);
  });

  it('old Node (v18): says Node 20 is needed and how to get it, exits non-zero, never runs npx', async () => {
    const box = sandbox({ node: 'v18.19.0', npx: true });
    const r = await runInstaller(shell, box, ['--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Node.js 20 or newer is required');
    expect(r.stderr).toContain('v18.19.0');
    expect(r.stderr).toContain('https://nodejs.org/');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(box.npxArgs()).toBeNull();
  });

  it('no Node: says so in two lines and exits non-zero', async () => {
    const box = sandbox({ npx: true });
    const r = await runInstaller(shell, box, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/'node' was not found/);
    expect(r.stderr).toContain('nvm install');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(box.npxArgs()).toBeNull();
  });

  it('a node that prints no version is reported, not compared', async () => {
    const box = sandbox({ node: 'garbage', npx: true });
    const r = await runInstaller(shell, box, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not read the Node.js version');
    expect(box.npxArgs()).toBeNull();
  });

  it('no npx: says it ships with npm and how to install it', async () => {
    const box = sandbox({ node: 'v20.11.1' });
    const r = await runInstaller(shell, box, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('npx was not found');
    expect(r.stderr).toContain('apt install npm');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('piped (`curl … | sh`): reads the whole script from stdin and runs kg-init', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    const r = await runInstaller(shell, box, [], { piped: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(box.npxArgs()).toEqual(['--yes', 'kg-init@latest']);
    // No terminal anywhere: npx keeps the (spent) pipe and kg-init says to use --yes.
    expect(box.npxStdin()).toBe('notty');
  });

  it('piped with flags (`| sh -s -- …`): every flag reaches kg-init untouched, spaces included', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    const flags = ['--yes', '--gpu=amd-host', '--dir', '/opt/kg data/install', '--registry', 'r.example.com/m/kg', '*', '$(touch pwned)', ''];
    const r = await runInstaller(shell, box, flags, { piped: true });
    expect(r.code).toBe(0);
    expect(box.npxArgs()).toEqual(['--yes', 'kg-init@latest', ...flags]);
    expect(existsSync(join(box.dir, 'pwned'))).toBe(false);
  });

  it('version pin: KG_INIT_VERSION selects the package version', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    const r = await runInstaller(shell, box, ['probe', '--json'], { env: { KG_INIT_VERSION: '0.2.0-rc.1' } });
    expect(r.code).toBe(0);
    expect(box.npxArgs()).toEqual(['--yes', 'kg-init@0.2.0-rc.1', 'probe', '--json']);
  });

  it('a KG_INIT_VERSION with shell or npm metacharacters is refused (exit 2)', async () => {
    for (const bad of ['1.0.0; rm -rf ~', '$(id)', 'latest file:/tmp/x', 'npm:evil', '--registry=x', '1.0.0\nx']) {
      const box = sandbox({ node: 'v20.11.1', npx: true });
      const r = await runInstaller(shell, box, [], { env: { KG_INIT_VERSION: bad } });
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('invalid KG_INIT_VERSION');
      expect(box.npxArgs()).toBeNull();
    }
  });

  it('local package: KG_INIT_PACKAGE runs a tarball or directory by absolute path (air-gapped)', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    writeFileSync(join(box.dir, 'kg-init-0.1.0.tgz'), '');
    const r = await runInstaller(shell, box, ['--yes', '--gpu=cpu'], {
      env: { KG_INIT_PACKAGE: 'kg-init-0.1.0.tgz', KG_INIT_VERSION: '9.9.9' },
    });
    expect(r.code).toBe(0);
    expect(box.npxArgs()).toEqual(['--yes', '--package', join(box.dir, 'kg-init-0.1.0.tgz'), 'kg-init', '--yes', '--gpu=cpu']);

    mkdirSync(join(box.dir, 'pkg dir'));
    await runInstaller(shell, box, [], { env: { KG_INIT_PACKAGE: join(box.dir, 'pkg dir') } });
    expect(box.npxArgs()).toEqual(['--yes', '--package', join(box.dir, 'pkg dir'), 'kg-init']);
  });

  it('a KG_INIT_PACKAGE that does not exist is refused (exit 2)', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    const r = await runInstaller(shell, box, [], { env: { KG_INIT_PACKAGE: './nope.tgz' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KG_INIT_PACKAGE=./nope.tgz: no such file or directory');
    expect(box.npxArgs()).toBeNull();
  });
});

/** `cat install.sh | sh -s -- ARGS` in a real pseudo-terminal: stdin is a pipe, /dev/tty is the pty. */
function pipedInPty(box: Sandbox, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const term = ptySpawn('/bin/sh', ['-c', '/bin/cat "$0" | /bin/sh -s -- "$@"', INSTALL, ...args], {
      cwd: box.dir,
      env: { PATH: box.bin, HOME: box.dir, TERM: 'xterm' },
      cols: 80,
      rows: 24,
    });
    term.onData(() => {});
    term.onExit(({ exitCode }) => resolve(exitCode));
  });
}

describe('install.sh piped at a terminal (`curl … | sh`)', () => {
  it('connects the wizard to /dev/tty', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    expect(await pipedInPty(box, [])).toBe(0);
    expect(box.npxArgs()).toEqual(['--yes', 'kg-init@latest']);
    expect(box.npxStdin()).toBe('tty');
  });

  it('leaves a headless run (--yes) off the terminal', async () => {
    const box = sandbox({ node: 'v20.11.1', npx: true });
    expect(await pipedInPty(box, ['--yes', '--gpu=amd-host'])).toBe(0);
    expect(box.npxArgs()).toEqual(['--yes', 'kg-init@latest', '--yes', '--gpu=amd-host']);
    expect(box.npxStdin()).toBe('notty');
  });
});

// The real node and npx: the packed package runs offline from a tarball, the way an
// air-gapped install does, and kg-init's exit status comes back through the script.
describe('install.sh with the real npx and a packed tarball (air-gapped)', () => {
  let dir: string;
  let tarball: string;
  const env = () => ({
    PATH: process.env.PATH ?? '',
    HOME: dir,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    KG_INIT_PACKAGE: tarball,
  });
  const run = (args: string[], piped = false) => runShell('/bin/sh', args, { cwd: dir, env: env(), piped });

  beforeAll(() => {
    if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    dir = join(root, 'real-npx');
    mkdirSync(dir, { recursive: true });
    const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8', env: { ...process.env, npm_config_cache: join(dir, 'npm-cache') } });
    expect(pack.status, pack.stderr).toBe(0);
    tarball = join(dir, pack.stdout.trim().split('\n').pop()!);
  });

  it('runs kg-init from the tarball', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("passes kg-init's usage error (exit 2) through", async () => {
    const r = await run(['--gpu=quantum', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid --gpu');
  });

  it('piped with no terminal and no --yes: kg-init exits 2 and says to use --yes', async () => {
    const r = await run([], true);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
  });
});

describe('install.sh static checks', () => {
  const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

  it.skipIf(!hasShellcheck && !toolsRequired())('is clean under shellcheck -s sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', INSTALL], { encoding: 'utf8' });
    expect(r.error, 'shellcheck is required (KG_INIT_REQUIRE_TOOLS is set)').toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is executable and starts with #!/bin/sh', () => {
    expect(SCRIPT.startsWith('#!/bin/sh\n')).toBe(true);
    expect(spawnSync('test', ['-x', INSTALL]).status).toBe(0);
  });
});
