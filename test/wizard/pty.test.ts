// The built wizard in a real pseudo-terminal, on a replayed AMD host: what a
// person sees (through a headless xterm) and what lands on disk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolsRequired } from '../helpers/cli.js';
import { KEY, PTY_AVAILABLE, spawnPty, type PtyRun } from '../helpers/pty.js';

const HOST = 'test/hosts/amd-7900xtx-igpu-arch';
const SGR = /\u001b\[[0-9;]*m/;

let dir: string;
let runs: PtyRun[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-wizard-'));
});
afterEach(() => {
  for (const r of runs) r.kill();
  runs = [];
  rmSync(dir, { recursive: true, force: true });
});

function wizard(args: string[] = [], env: Record<string, string | undefined> = {}, size: { cols?: number; rows?: number } = {}): PtyRun {
  const r = spawnPty(['--dir', dir, ...args], { env: { KG_INIT_HOST_SNAPSHOT: HOST, ...env }, ...size });
  runs.push(r);
  return r;
}

/** Enter on every screen: accept the recommendation and write it (exit 0). */
async function enterThrough(r: PtyRun) {
  await r.until('Recommended:');
  r.write(KEY.enter);
  await r.until('choose a GPU mode');
  r.write(KEY.enter);
  await r.until('review');
  r.write(KEY.enter);
  expect(await r.exit()).toBe(0);
}

/** The screen never used more rows than the terminal has: nothing scrolled off, nothing wiped. */
function expectWholeScreen(r: PtyRun, rows = 24) {
  expect(r.bufferLength()).toBe(rows);
  expect(r.raw()).not.toContain('\u001b[2J'); // Ink clears the terminal when a frame is too tall
  expect(r.screen()[0]).toMatch(/kg-init/); // the title row is still on top
}

describe.skipIf(!PTY_AVAILABLE && !toolsRequired())('wizard in a pseudo-terminal (built CLI, replayed AMD host)', () => {
  it('Enter-through accepts and writes the recommendation (amd-host, rocm72-host), even with CI set', async () => {
    const r = wizard([], { CI: 'true' });
    await r.until('kg-init');
    await r.until('Recommended: amd-host');
    expect(r.text()).toMatch(/✓ /);
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    expect(r.text()).toMatch(/❯ amd-host\s+AMD GPU \(ROCm 7\.2\)\s+ready\s+★ recommended/);
    r.write(KEY.enter);
    await r.until('3/4 review');
    expect(r.text()).toContain('.operator.conf');
    r.write(KEY.enter);
    expect(await r.exit()).toBe(0);
    expect(r.text()).toContain('amd-host configured, image rocm72-host');
    // The next command is on screen whole (wrapped, not cut), ready to copy.
    const screen = r.screen().map((l) => l.trim()).join(' ');
    // An empty directory: the wizard installed the platform (from the test fixture) and names it.
    expect(screen).toMatch(/\(platform: standalone install\)/);
    expect(screen).toMatch(/Next: cd \S+ && \.\/operator\.sh start/);
    expect(existsSync(join(dir, 'operator.sh'))).toBe(true);
    const conf = readFileSync(join(dir, '.operator.conf'), 'utf8');
    expect(conf).toMatch(/^GPU_MODE=amd-host$/m);
    // The platform derives rocm72-host from GPU_MODE (its image-tag.sh came with it); the GHCR default names it too.
    expect(conf).not.toMatch(/^KG_API_IMAGE_TAG=/m);
    expect(readFileSync(join(dir, 'docker-compose.ghcr.yml'), 'utf8')).toContain('${KG_API_IMAGE_TAG:-rocm72-host}');
    expect(existsSync(join(dir, 'docker-compose.ghcr.yml'))).toBe(true);
  });

  it('Ctrl+C on the mode screen writes nothing, restores the cursor and exits 130', async () => {
    writeFileSync(join(dir, '.operator.conf'), 'GPU_MODE=cpu\nPOSTGRES_PORT=5433\n');
    const r = wizard();
    await r.until('Recommended:');
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    r.write(KEY.ctrlC);
    expect(await r.exit()).toBe(130);
    expect(readdirSync(dir)).toEqual(['.operator.conf']);
    expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toBe('GPU_MODE=cpu\nPOSTGRES_PORT=5433\n');
    expect(r.text()).toContain('nothing was written');
    // The last cursor-visibility escape shows the cursor.
    const raw = r.raw();
    expect(raw.lastIndexOf('\u001b[?25h')).toBeGreaterThan(raw.lastIndexOf('\u001b[?25l'));
  });

  it('choosing a blocked mode asks for explicit confirmation', async () => {
    const r = wizard();
    await r.until('Recommended:');
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    await r.until('❯ amd-host');
    r.write(KEY.up); // nvidia is listed first, just above the recommendation
    await r.until('❯ nvidia');
    r.write(KEY.enter);
    await r.until('nvidia is blocked here');
    // This AMD host has no NVIDIA GPU: nothing here fixes that, and the screen says so.
    expect(r.text()).toContain('nvidia cannot run on this host:');
    expect(r.text()).toContain('no NVIDIA GPU found');
    expect(r.text()).toContain('the stack will not start on this host, only on one where nvidia can run.');
    expect(r.text()).toContain('❯ No, choose another mode');
    r.write('q');
    expect(await r.exit()).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an --image-tag of another mode is refused on review (never exit 3): y writes it, Enter does not', async () => {
    const r = wizard(['--image-tag', 'latest']);
    await r.until('Recommended:');
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    r.write(KEY.enter);
    await r.until('would not work on this host');
    r.write(KEY.enter);
    expect(readdirSync(dir)).toEqual([]);
    r.write('y');
    await r.until('Enter write these files');
    r.write(KEY.enter);
    expect(await r.exit()).toBe(0);
    expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^KG_API_IMAGE_TAG=latest$/m);
  });

  for (const [name, args, env] of [
    ['NO_COLOR=1', [], { NO_COLOR: '1' }],
    ['--no-color', ['--no-color'], {}],
    ['TERM=dumb', [], { TERM: 'dumb' }],
  ] as const) {
    it(`${name}: no colour escapes at all`, async () => {
      const r = wizard([...args], { ...env });
      await enterThrough(r);
      expect(r.raw()).not.toMatch(SGR);
    });
  }

  it('colour is on by default in a terminal (the check above is not vacuous)', async () => {
    const r = wizard();
    await r.until('Recommended:');
    expect(r.raw()).toMatch(SGR);
    r.write('q');
    expect(await r.exit()).toBe(130);
  });

  it('an 80×24 terminal shows whole screens, every step', async () => {
    const r = wizard();
    await r.until('Recommended:');
    await r.settle(); // a frame read mid-repaint is cut short
    expectWholeScreen(r);
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    await r.settle(); // a frame read mid-repaint is cut short
    expectWholeScreen(r);
    expect(r.text()).toContain('↑↓ move · Enter choose'); // the footer is on screen, not cut
    r.write(KEY.up);
    await r.until('❯ nvidia');
    await r.settle(); // a frame read mid-repaint is cut short
    expectWholeScreen(r);
    r.write(KEY.enter);
    await r.until('blocked here');
    await r.settle(); // a frame read mid-repaint is cut short
    expectWholeScreen(r);
    r.write('y');
    await r.until('3/4 review');
    await r.settle(); // a frame read mid-repaint is cut short
    expectWholeScreen(r);
    expect(r.text()).toContain('Enter write these files');
    r.write(KEY.enter);
    expect(await r.exit()).toBe(0);
    // The done screen is printed whole into the scrollback (no frame wiped).
    expect(r.raw()).not.toContain('\u001b[2J');
    expect(r.logicalLines().some((l) => l.startsWith('Then: ') || l.startsWith('Next: '))).toBe(true);
  });

  it('a small 60×14 terminal never gets a frame taller than itself', async () => {
    const r = wizard([], {}, { cols: 60, rows: 14 });
    await r.until('Recommended:');
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    await r.settle(); // a frame read mid-repaint is cut short
    expectWholeScreen(r, 14);
    r.write(KEY.enter);
    await r.until('review');
    await r.settle(); // a frame read mid-repaint is cut short
    expectWholeScreen(r, 14);
    r.write(KEY.ctrlC);
    expect(await r.exit()).toBe(130);
  });

  it('stdin piped (curl | sh): keys are read from /dev/tty', async () => {
    const r = spawnPty([], {
      env: { KG_INIT_HOST_SNAPSHOT: HOST },
      command: ['/bin/sh', ['-c', `printf '' | "${process.execPath}" bin/kg-init.js --dir "${dir}"`]],
    });
    runs.push(r);
    await enterThrough(r);
    expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^GPU_MODE=amd-host$/m);
  });

  it('--plain: no spinners and no box drawing', async () => {
    const r = wizard(['--plain']);
    await r.until('Recommended:');
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    expect(r.text()).toContain('> amd-host (AMD GPU (ROCm 7.2)): ready, recommended, selected');
    r.write('q');
    expect(await r.exit()).toBe(130);
    expect(r.raw()).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏╭╮╰╯│]/);
  });
});

describe.skipIf(!PTY_AVAILABLE && !toolsRequired())('wizard re-init after a GPU swap (built CLI, pseudo-terminal)', () => {
  it('NVIDIA → AMD: shows what changed and GPU_CHANGED, preselects the new recommendation, and moves the install over', async () => {
    // First install on the NVIDIA host, headless.
    const { runCli } = await import('../helpers/cli.js');
    const first = await runCli(['--yes', '--dir', dir, '--release', '0.13.1'], { env: { KG_INIT_HOST_SNAPSHOT: 'test/hosts/nvidia-4090-toolkit' } });
    expect(first.code, first.stderr).toBe(0);
    const oldOverlay = readFileSync(join(dir, 'docker-compose.gpu-nvidia.yml'), 'utf8');

    // The GPU is swapped for a Radeon: the wizard on the AMD host.
    const r = wizard();
    await r.until('GPU_CHANGED');
    const probeScreen = r.text();
    expect(probeScreen.replace(/\s+/g, ' ')).toContain('configured for nvidia, this host now recommends amd-host [GPU_CHANGED]');
    const joined = r.screen().map((l) => l.trim()).join(' ');
    expect(joined).toMatch(/GPU: .*RTX 4090.* → .*gfx1100/);
    expect(joined).toMatch(/mode: nvidia \(kg-api:0\.13\.1\) → recommended amd-host \(kg-api:0\.13\.1-rocm72-host\)/);
    r.write(KEY.enter);
    await r.until('choose a GPU mode');
    expect(r.text()).toMatch(/❯ amd-host\s+AMD GPU \(ROCm 7\.2\)\s+ready\s+★ recommended/);
    expect(r.text()).toMatch(/nvidia\s+NVIDIA GPU \(CUDA\)\s+blocked\s+\(current\)/);
    r.write(KEY.enter);
    await r.until('3/4 review');
    expect(r.text()).toContain('docker-compose.gpu-nvidia.yml');
    r.write(KEY.enter);
    expect(await r.exit()).toBe(0);

    const conf = readFileSync(join(dir, '.operator.conf'), 'utf8');
    expect(conf).toMatch(/^GPU_MODE=amd-host$/m);
    expect(conf).toMatch(/^KG_API_IMAGE_TAG=0\.13\.1-rocm72-host$/m); // the release pin is carried over
    expect(existsSync(join(dir, 'docker-compose.gpu-amd-host.yml'))).toBe(true);
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(false);
    const backups = readdirSync(join(dir, '.kg-init/backups'));
    const kept = backups.map((b) => join(dir, '.kg-init/backups', b, 'docker-compose.gpu-nvidia.yml')).filter(existsSync);
    expect(kept).toHaveLength(1);
    expect(readFileSync(kept[0]!, 'utf8')).toBe(oldOverlay);
  });
});
