// The wizard starts the probe before Ink has loaded: the checks seen before
// the wizard asks are handed over at once, later ones as they come, the report
// is the one probe's, and leaving the wizard still stops the tools.
import { describe, expect, it } from 'vitest';
import { probeEarly } from '../../src/wizard/launch.js';
import type { WizardDeps } from '../../src/wizard/deps.js';
import type { CheckEvent } from '../../src/wizard/state.js';
import type { Report } from '../../src/report.js';
import type { InstallState } from '../../src/install/types.js';

function fakeDeps() {
  let emit: (ev: CheckEvent) => void = () => {};
  let finish: (r: Report) => void = () => {};
  let seenSignal: AbortSignal | undefined;
  let probes = 0;
  let reads = 0;
  const deps = {
    probe(onCheck: (ev: CheckEvent) => void, signal?: AbortSignal) {
      probes++;
      emit = onCheck;
      seenSignal = signal;
      return new Promise<Report>((r) => (finish = r));
    },
    readInstall: async () => {
      reads++;
      return { dir: '/x' } as InstallState;
    },
    makePlan: () => {
      throw new Error('unused');
    },
    applyPlan: () => Promise.reject(new Error('unused')),
    diff: () => '',
  } satisfies WizardDeps;
  return { deps, emit: (ev: CheckEvent) => emit(ev), finish: (r: Report) => finish(r), signal: () => seenSignal, counts: () => ({ probes, reads }) };
}

describe('probeEarly', () => {
  it('one probe: early events replayed, later ones delivered, same report and install', async () => {
    const f = fakeDeps();
    const { deps } = probeEarly(f.deps);
    expect(f.counts()).toEqual({ probes: 1, reads: 1 });
    f.emit({ id: 'gpus', label: 'GPUs', state: 'running' });
    f.emit({ id: 'gpus', label: 'GPUs', state: 'ok', detail: 'one' });
    const got: CheckEvent[] = [];
    const report = deps.probe((ev) => got.push(ev));
    expect(got.map((e) => e.state)).toEqual(['running', 'ok']);
    f.emit({ id: 'docker', label: 'Docker', state: 'fail' });
    expect(got.map((e) => e.id)).toEqual(['gpus', 'gpus', 'docker']);
    const r = { recommendation: { mode: 'cpu' } } as unknown as Report;
    f.finish(r);
    expect(await report).toBe(r);
    expect(await deps.readInstall()).toEqual({ dir: '/x' });
    expect(f.counts()).toEqual({ probes: 1, reads: 1 });
  });

  it("the wizard's abort (Ctrl+C, q) reaches the probe's tools; so does abort() before Ink is up", () => {
    const f = fakeDeps();
    const { deps } = probeEarly(f.deps);
    const ac = new AbortController();
    void deps.probe(() => {}, ac.signal);
    expect(f.signal()?.aborted).toBe(false);
    ac.abort();
    expect(f.signal()?.aborted).toBe(true);

    const g = fakeDeps();
    const early = probeEarly(g.deps);
    early.abort();
    expect(g.signal()?.aborted).toBe(true);
  });

  it('the frames painted before Ink follow the checks until they let go; the wizard then gets only the checks they did not see', async () => {
    const f = fakeDeps();
    const early = probeEarly(f.deps);
    f.emit({ id: 'os', label: 'Operating system', state: 'ok' });
    const painted: string[] = [];
    const letGo = early.watch((ev) => painted.push(`${ev.id}:${ev.state}`));
    f.emit({ id: 'gpus', label: 'GPUs', state: 'running' });
    letGo();
    f.emit({ id: 'gpus', label: 'GPUs', state: 'ok' });
    expect(painted).toEqual(['os:ok', 'gpus:running']);
    const wizard: string[] = [];
    const report = early.deps.probe((ev) => wizard.push(`${ev.id}:${ev.state}`));
    f.emit({ id: 'docker', label: 'Docker', state: 'ok' });
    expect(wizard).toEqual(['gpus:ok', 'docker:ok']);
    const r = { recommendation: { mode: 'cpu' } } as unknown as Report;
    f.finish(r);
    expect(await report).toBe(r);
    expect(await early.settled).toEqual({ report: r, install: { dir: '/x' }, change: [] });
    expect(f.counts()).toEqual({ probes: 1, reads: 1 });
  });
});
