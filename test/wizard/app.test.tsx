// The wizard's screens and keys, rendered by Ink into a fake terminal with
// hand-made reports and plans (the real probe and plan run in the pty tests).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { WizardApp } from '../../src/wizard/app.js';
import type { Size } from '../../src/wizard/layout.js';
import { KgInitError } from '../../src/errors.js';
import { existingInstall, fakeDeps, install, report, type FakeDeps } from '../fixtures/wizard.js';
import { waitFor } from '../helpers/wait.js';
import { initialState, transition, type WizardState } from '../../src/wizard/state.js';
import { CHECKS } from '../fixtures/wizard.js';

const KEYS = { enter: '\r', up: '\u001b[A', down: '\u001b[B', esc: '\u001b', ctrlC: '\u0003', pageDown: '\u001b[6~' };

function start(deps: FakeDeps, opts: { plain?: boolean; size?: Size; preferred?: 'cpu'; imageTag?: string; initial?: WizardState } = {}) {
  let exitCode: number | null = null;
  const r = render(
    <WizardApp
      deps={deps}
      fixed={opts.imageTag ? { registry: 'ghcr.io/aaronsb/knowledge-graph-system', imageTag: opts.imageTag } : { registry: 'ghcr.io/aaronsb/knowledge-graph-system' }}
      plain={opts.plain ?? false}
      preferred={opts.preferred ?? null}
      cwd="/home/ada"
      version="0.1.0"
      size={opts.size ?? { columns: 80, rows: 24 }}
      initial={opts.initial ?? null}
      onExit={(c) => (exitCode = c)}
    />,
  );
  const frame = () => r.lastFrame() ?? '';
  const until = (text: string | RegExp) =>
    waitFor(() => (typeof text === 'string' ? frame().includes(text) : text.test(frame())), () => `waiting for ${String(text)} in:\n${frame()}`);
  return {
    r,
    frame,
    until,
    exitCode: () => exitCode,
    press: (k: string) => r.stdin.write(k),
    /** Probe finished, on the mode screen. */
    async toModes() {
      deps.finishProbe();
      await until('Recommended:');
      r.stdin.write(KEYS.enter);
      await until('choose a GPU mode');
    },
  };
}

/** The frame fits the size: no more rows than rows - 1, no row wider than columns. */
function expectFits(frame: string, size: Size = { columns: 80, rows: 24 }) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(size.columns);
}

afterEach(() => cleanup());

describe('probe screen', () => {
  it('paints before the probe finishes and streams each check: spinner, then ✓ ! – with its result', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    await w.until('GPUs');
    expect(w.frame()).toContain('probing this host');
    expect(w.frame()).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] GPUs\s+checking/);
    expect(w.frame()).not.toContain('…');
    expect(w.frame()).toContain('Ctrl+C cancel');
    deps.finishProbe();
    await w.until('Recommended:');
    const f = w.frame();
    expect(f).toMatch(/✓ GPUs\s+Radeon RX 7900 XTX/);
    expect(f).toMatch(/! Docker\s+27\.3\.1; no nvidia runtime/);
    expect(f).toMatch(/– NVIDIA driver\s+no NVIDIA GPU/);
    expect(f).toContain('Recommended: amd-host (image rocm72-host)');
    expect(f).toContain('No .operator.conf in /srv/kg yet');
    expectFits(f);
  });

  it('summarises an existing .operator.conf: mode, image, when initialised', async () => {
    const deps = fakeDeps({ install: existingInstall() });
    const w = start(deps);
    deps.finishProbe();
    await w.until('Existing .operator.conf');
    expect(w.frame()).toContain('Existing .operator.conf in /srv/kg:');
    expect(w.frame()).toContain('mode nvidia, image latest, initialised 2026-03-01 10:00 UTC');
  });

  it('says when an existing .operator.conf cannot be used', async () => {
    const deps = fakeDeps({ install: install({ conf: { path: '/srv/kg/.operator.conf', exists: true, text: null, problem: 'not UTF-8 text', values: {} } }) });
    const w = start(deps);
    deps.finishProbe();
    await w.until('cannot be used');
    expect(w.frame()).toContain('.operator.conf cannot be used (not UTF-8 text)');
  });

  it('a probe failure ends with exit 1 and one or two lines', async () => {
    const deps = fakeDeps();
    deps.probe = async () => {
      throw new KgInitError('cannot read /sys: permission denied', 1, 'Run it as a user that can read /sys.');
    };
    const w = start(deps);
    await w.until('cannot read /sys');
    await waitFor(() => w.exitCode() === 1);
    expect(w.frame().trim().split('\n')).toEqual(['✗ kg-init: cannot read /sys: permission denied', '', 'Run it as a user that can read /sys.']);
  });
});

describe('started from the frames painted before Ink (launch.ts)', () => {
  it('already probed: the recommendation at once, the probe not asked again, and the keys move on from it', async () => {
    const deps = fakeDeps();
    let probes = 0;
    deps.probe = async () => {
      probes++;
      return report();
    };
    let s = initialState();
    for (const check of CHECKS) s = transition(s, { type: 'check', check }).state;
    s = transition(s, { type: 'probed', report: report(), install: install() }).state;
    const w = start(deps, { initial: s });
    expect(w.frame()).toContain('Recommended: amd-host (image rocm72-host)');
    expect(w.frame()).toMatch(/✓ GPUs\s+Radeon RX 7900 XTX/);
    w.press(KEYS.enter);
    await w.until('choose a GPU mode');
    w.press(KEYS.down);
    await w.until(/❯ mac/);
    expect(probes).toBe(0);
  });

  it('mid-probe: the checks so far at once, the rest from the probe', async () => {
    const deps = fakeDeps();
    const s = transition(initialState(), { type: 'check', check: { id: 'os', label: 'Operating system', state: 'ok', detail: 'Arch Linux' } }).state;
    const w = start(deps, { initial: s });
    expect(w.frame()).toMatch(/✓ Operating system\s+Arch Linux/);
    deps.finishProbe();
    await w.until('Recommended:');
    expect(w.frame()).toMatch(/✓ Operating system\s+Arch Linux/);
    expect(w.frame()).toMatch(/✓ GPUs\s+Radeon RX 7900 XTX/);
  });
});

describe('mode screen', () => {
  it('lists every mode with its badge and reason, the recommendation preselected and labelled', async () => {
    const deps = fakeDeps({ install: existingInstall() });
    const w = start(deps);
    await w.toModes();
    const f = w.frame();
    expect(f).toMatch(/❯ amd-host\s+AMD GPU \(ROCm 7\.2\)\s+ready\s+★ recommended/);
    expect(f).toMatch(/ {2}nvidia\s+NVIDIA GPU \(CUDA\)\s+blocked\s+\(current\)/);
    expect(f).toMatch(/ {2}mac\s+macOS \(Docker Desktop\)\s+blocked/);
    expect(f).toMatch(/ {2}cpu\s+CPU only\s+ready/);
    expect(f).toContain('no NVIDIA GPU on this host');
    // Details of the highlighted mode.
    expect(f).toContain('image tag  rocm72-host');
    expect(f).toContain('overlay    docker-compose.gpu-amd-host.yml');
    expect(f).toContain('✓ /dev/kfd: read-write for this user');
    expect(f).toMatch(/╭─ amd-host/);
    expectFits(f);
  });

  it('↑/↓ and j/k move the highlight; the details pane follows with each missing requirement and its fix', async () => {
    const w = start(fakeDeps());
    await w.toModes();
    w.press(KEYS.up);
    await w.until('❯ nvidia');
    expect(w.frame()).toContain('✗ NVIDIA driver: nvidia-smi not found');
    expect(w.frame()).toContain('fix: install the NVIDIA driver (nvidia-smi must answer)');
    expect(w.frame()).toContain('overlay    docker-compose.gpu-nvidia.yml');
    w.press('j');
    await w.until('❯ amd-host');
    w.press('j');
    await w.until('❯ mac');
    w.press(KEYS.down);
    await w.until('❯ cpu');
    expect(w.frame()).toContain('overlay    none');
    w.press('k');
    await w.until('❯ mac');
    expectFits(w.frame());
  });

  it('--gpu preselects that mode instead of the recommendation', async () => {
    const w = start(fakeDeps(), { preferred: 'cpu' });
    await w.toModes();
    expect(w.frame()).toContain('❯ cpu');
  });

  it('Esc goes back to the probe results', async () => {
    const w = start(fakeDeps());
    await w.toModes();
    w.press(KEYS.esc);
    await w.until('what this host has');
    w.press(KEYS.enter);
    await w.until('choose a GPU mode');
  });
});

describe('a blocked mode', () => {
  it('asks for explicit confirmation, says what will not work, and defaults to going back', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    await w.toModes();
    w.press(KEYS.up);
    await w.until('❯ nvidia');
    w.press(KEYS.enter);
    await w.until('nvidia is blocked here');
    const f = w.frame();
    expect(f).toContain('nvidia cannot run on this host:');
    expect(f).toContain('the stack will not start on this host, only on one where nvidia can run.');
    expect(f).toContain('✗ NVIDIA driver: nvidia-smi not found');
    expect(f).toContain('❯ No, choose another mode');
    expect(f).toContain('Yes, write nvidia anyway');
    expectFits(f);
    w.press(KEYS.enter);
    await w.until('choose a GPU mode');
    // Only the details pane's look-ups (force: true, to learn each tag) were planned; nothing else.
    expect(deps.calls.plans.filter((p) => p.mode === 'nvidia' && !p.force)).toEqual([]);
    expect(deps.calls.applied).toEqual([]);
  });

  it('blocked by something this host can fix: says it will not work until that is fixed', async () => {
    const r = report();
    const modes = r.modes.map((m) =>
      m.mode === 'nvidia'
        ? { ...m, findings: [{ code: 'NVIDIA_TOOLKIT_MISSING' as const, severity: 'error' as const, message: 'Docker has no nvidia runtime', fix: 'Install nvidia-container-toolkit and restart Docker.', mode: 'nvidia' as const }] }
        : m,
    );
    const w = start(fakeDeps({ report: { ...r, modes } }));
    await w.toModes();
    w.press(KEYS.up);
    await w.until('❯ nvidia');
    w.press(KEYS.enter);
    await w.until('nvidia is blocked here');
    const f = w.frame().replace(/\s+/g, ' ');
    expect(f).toContain('the stack will not start on this host until what is listed below is fixed.');
    expect(f).toContain('nvidia is blocked on this host. It will not work until this is fixed:');
    expect(f).not.toContain('cannot run on this host');
  });

  it('writes only after "yes", with force', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    await w.toModes();
    w.press(KEYS.up);
    await w.until('❯ nvidia');
    w.press(KEYS.enter);
    await w.until('blocked here');
    w.press(KEYS.down);
    await w.until('❯ Yes, write nvidia anyway');
    w.press(KEYS.enter);
    await w.until('3/4 review');
    expect(deps.calls.plans.at(-1)).toMatchObject({ mode: 'nvidia', force: true });
    w.press(KEYS.enter);
    await waitFor(() => w.exitCode() === 0);
    // The truth: written, but it cannot run here (no NVIDIA GPU); what blocks it, and the one next step
    // that works here: configuring this host's mode, then starting it. Exit 0, as --force headless.
    const f = w.frame().replace(/\s+/g, ' ');
    expect(f).toContain('! kg-init 0.1.0 · 4/4 done · nvidia written, image latest; blocked here');
    expect(f).not.toContain('✓');
    expect(f).toContain('nvidia cannot run on this host: the stack will not start here: ✗ no NVIDIA GPU on this host');
    expect(f).not.toContain('fix what blocks');
    expect(f).toMatch(/Next: kg-init --yes --gpu=amd-host --dir \/srv\/kg Then: cd \/srv\/kg && \.\/operator\.sh start/);
  });
});

describe('review screen', () => {
  it('an --image-tag of another mode is refused: says why, Enter writes nothing, y writes it with force', async () => {
    const deps = fakeDeps();
    const w = start(deps, { imageTag: 'latest' });
    await w.toModes();
    expect(w.frame()).toContain('image tag  latest');
    w.press(KEYS.enter);
    await w.until('would not work on this host');
    expect(w.frame()).toContain('--image-tag latest is the image of another mode; amd-host needs rocm72-host');
    expectFits(w.frame());
    w.press(KEYS.enter);
    w.press('y');
    await w.until('Enter write these files');
    expect(deps.calls.applied).toEqual([]);
    expect(deps.calls.plans.slice(-2).map((p) => p.force)).toEqual([false, true]);
    w.press(KEYS.enter);
    await waitFor(() => w.exitCode() === 0);
  });

  it('shows every file that will change, removals and backups, then the coloured diff', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    await w.toModes();
    w.press(KEYS.enter);
    await w.until('3/4 review');
    const f = w.frame();
    expect(f).toMatch(/~ \.operator\.conf\s+updated \(backup kept\)/);
    expect(f).toMatch(/\+ docker-compose\.ghcr\.yml\s+new/);
    expect(f).toMatch(/- docker-compose\.gpu-nvidia\.yml\s+removed \(backup kept\)/);
    expect(f).toContain('-GPU_MODE=nvidia');
    expect(f).toContain('+GPU_MODE=amd-host');
    expect(deps.calls.applied).toEqual([]); // nothing written yet
    expectFits(f);
  });

  it('a long diff scrolls within the screen, never taller than the terminal', async () => {
    const w = start(fakeDeps({ diffLines: 60 }));
    await w.toModes();
    w.press(KEYS.enter);
    await w.until(/── \d+ more below/);
    expectFits(w.frame());
    expect(w.frame()).not.toContain('EXTRA_59');
    w.press('G');
    await w.until('EXTRA_59');
    expectFits(w.frame());
    w.press('g');
    await w.until(/── \d+ more below/);
    w.press(KEYS.pageDown);
    await w.until(/── \d+ above/);
    w.press(KEYS.esc);
    await w.until('choose a GPU mode');
  });
});

describe('Enter-through, done screen and exit codes', () => {
  it('Enter at every step accepts the recommendation and writes it; Done names files, backups, follow-ups, next command', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    deps.finishProbe();
    await w.until('Recommended:');
    for (const marker of ['choose a GPU mode', '3/4 review']) {
      w.press(KEYS.enter);
      await w.until(marker);
    }
    w.press(KEYS.enter);
    await waitFor(() => w.exitCode() === 0, w.frame);
    expect(deps.calls.applied.map((p) => p.mode)).toEqual(['amd-host']);
    expect(deps.calls.plans.find((p) => !p.force)).toEqual({ registry: 'ghcr.io/aaronsb/knowledge-graph-system', mode: 'amd-host', force: false });
    const f = w.frame();
    expect(f).toContain('✓ kg-init 0.1.0 · 4/4 done · amd-host configured, image rocm72-host');
    expect(f).toContain('+ docker-compose.ghcr.yml (created)');
    expect(f).toContain('.kg-init/backups/20260321T100000Z/.operator.conf');
    expect(f).toContain('Next: cd /srv/kg && ./operator.sh start');
    expectFits(f);
  });

  it('keys typed faster than they are read are each taken, in order', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    await w.toModes();
    w.press('\r\r'); // one chunk: choose the recommendation, then write it
    await waitFor(() => w.exitCode() === 0, w.frame);
    expect(deps.calls.applied.map((p) => p.mode)).toEqual(['amd-host']);
  });

  it('Enter while the probe is still running does nothing', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    await w.until('GPUs');
    w.press(KEYS.enter);
    deps.finishProbe();
    await w.until('Recommended:');
    expect(w.frame()).toContain('1/4 host');
  });

  for (const [name, key] of [['Ctrl+C', KEYS.ctrlC], ['q', 'q']] as const) {
    it(`${name} on any screen writes nothing and exits 130`, async () => {
      for (const presses of [[], [KEYS.enter], [KEYS.enter, KEYS.up, KEYS.enter], [KEYS.enter, KEYS.enter]]) {
        const deps = fakeDeps();
        const w = start(deps);
        deps.finishProbe();
        await w.until('Recommended:');
        for (const p of presses) w.press(p);
        w.press(key);
        await waitFor(() => w.exitCode() === 130, w.frame);
        expect(deps.calls.applied).toEqual([]);
        expect(w.frame()).toContain('kg-init: cancelled; nothing was written.');
        cleanup();
      }
    });
  }

  it('Ctrl+C while writing rolls the write back and exits 130', async () => {
    const deps = fakeDeps({ holdApply: true });
    const w = start(deps);
    await w.toModes();
    w.press(KEYS.enter);
    await w.until('3/4 review');
    w.press(KEYS.enter);
    await w.until('writing 3 files');
    w.press('q'); // only Ctrl+C interrupts a write
    w.press(KEYS.ctrlC);
    await waitFor(() => w.exitCode() === 130, w.frame);
    expect(w.frame()).toContain('nothing was written');
  });

  it('Ctrl+C during the probe cancels too', async () => {
    const deps = fakeDeps();
    const w = start(deps);
    await w.until('GPUs');
    w.press(KEYS.ctrlC);
    await waitFor(() => w.exitCode() === 130);
  });

  it('a write failure shows the error in one or two lines and exits 1', async () => {
    const deps = fakeDeps({ applyError: new KgInitError('permission denied: /srv/kg/.operator.conf', 1, 'Fix the permissions, or choose another --dir.') });
    const w = start(deps);
    await w.toModes();
    w.press(KEYS.enter);
    await w.until('3/4 review');
    w.press(KEYS.enter);
    await waitFor(() => w.exitCode() === 1, w.frame);
    expect(w.frame()).toContain('✗ kg-init: permission denied: /srv/kg/.operator.conf');
    expect(w.frame()).toContain('Fix the permissions');
  });
});

describe('terminal sizes and --plain', () => {
  it('every screen fits 80×24 and a small 60×12 terminal', async () => {
    for (const size of [{ columns: 80, rows: 24 }, { columns: 60, rows: 12 }]) {
      const deps = fakeDeps({ install: existingInstall(), diffLines: 40 });
      const w = start(deps, { size });
      await w.until('GPUs');
      expectFits(w.frame(), size);
      deps.finishProbe();
      await w.until('Recommended:');
      expectFits(w.frame(), size);
      w.press(KEYS.enter);
      await w.until('choose a GPU mode');
      expectFits(w.frame(), size);
      w.press(KEYS.up);
      await w.until('❯ nvidia');
      expectFits(w.frame(), size);
      w.press(KEYS.enter);
      await w.until('blocked here');
      expectFits(w.frame(), size);
      w.press('y');
      await w.until('review');
      expectFits(w.frame(), size);
      w.press(KEYS.enter);
      await waitFor(() => w.exitCode() === 0);
      expectFits(w.frame(), size);
      cleanup();
    }
  });

  it('re-lays the screen when the terminal is resized', async () => {
    const deps = fakeDeps();
    let exit = -1;
    const r = render(<WizardApp deps={deps} fixed={{ registry: 'r' }} plain={false} cwd="/" version="0.1.0" onExit={(c) => (exit = c)} />);
    const out = r.stdout as unknown as { rows?: number; emit(e: string): void };
    Object.defineProperty(out, 'rows', { value: 24, configurable: true, writable: true });
    deps.finishProbe();
    await waitFor(() => (r.lastFrame() ?? '').includes('Recommended:'));
    r.stdin.write(KEYS.enter);
    await waitFor(() => (r.lastFrame() ?? '').includes('image tag'));
    expect(r.lastFrame()).toContain('Radeon RX 7900 XTX (gfx1100) through /dev/kfd');
    out.rows = 12;
    out.emit('resize');
    await waitFor(() => !(r.lastFrame() ?? '').includes('through /dev/kfd; iGPU'));
    expect((r.lastFrame() ?? '').split('\n').length).toBeLessThanOrEqual(11);
    expect(exit).toBe(-1);
  });

  it('--plain: no spinners, no box drawing, one line per fact', async () => {
    const deps = fakeDeps();
    const w = start(deps, { plain: true });
    await w.until('GPUs');
    expect(w.frame()).toContain('GPUs: running');
    expect(w.frame()).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    deps.finishProbe();
    await w.until('Recommended:');
    expect(w.frame()).toContain('GPUs: ok, Radeon RX 7900 XTX');
    expect(w.frame()).toContain('Docker: warning, 27.3.1; no nvidia runtime');
    w.press(KEYS.enter);
    await w.until('choose a GPU mode');
    const f = w.frame();
    expect(f).toContain('> amd-host (AMD GPU (ROCm 7.2)): ready, recommended, selected\n');
    expect(f).toContain('  nvidia (NVIDIA GPU (CUDA)): blocked\n    no NVIDIA GPU on this host');
    expect(f).not.toMatch(/[╭╮╰╯│─❯✓✗⚠★]/);
    w.press(KEYS.enter);
    await w.until('review');
    expect(w.frame()).not.toMatch(/[╭╮╰╯│─❯✓✗⚠★]/);
    w.press(KEYS.enter);
    await waitFor(() => w.exitCode() === 0);
    expect(w.frame()).not.toMatch(/[╭╮╰╯│─❯✗⚠★]/);
  });

  it('a report with no recommendation match still preselects a row', async () => {
    const deps = fakeDeps({ report: report({ recommendation: { mode: 'cpu', imageTag: 'latest', reason: 'no GPU' } }) });
    const w = start(deps);
    await w.toModes();
    expect(w.frame()).toMatch(/❯ cpu\s+CPU only\s+ready\s+★ recommended/);
  });
});
