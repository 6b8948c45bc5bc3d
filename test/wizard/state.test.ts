import { describe, expect, it } from 'vitest';
import { initialState, transition, highlighted, type Effect, type WizardEvent, type WizardState } from '../../src/wizard/state.js';
import { CHECKS, install, plan, report } from '../fixtures/wizard.js';

function run(events: WizardEvent[], start: WizardState = initialState()): { state: WizardState; effects: Effect[] } {
  let state = start;
  const effects: Effect[] = [];
  for (const e of events) {
    const t = transition(state, e);
    state = t.state;
    effects.push(...t.effects);
    // Run the plan effect the way the app does, so later keys see a plan.
    for (const fx of t.effects) {
      if (fx.kind === 'plan') {
        const p = plan({ mode: fx.mode, force: fx.force, registry: 'r' });
        state = transition(state, { type: 'planned', plan: p }).state;
      }
    }
  }
  return { state, effects };
}

const key = (k: Extract<WizardEvent, { type: 'key' }>['key']): WizardEvent => ({ type: 'key', key: k });
const probed: WizardEvent = { type: 'probed', report: report(), install: install() };

describe('wizard state machine', () => {
  it('streams checks in the order they first report, updating each in place', () => {
    const { state } = run([
      { type: 'check', check: { id: 'gpu', label: 'GPUs', state: 'running' } },
      { type: 'check', check: { id: 'docker', label: 'Docker', state: 'running' } },
      { type: 'check', check: CHECKS[0]! },
    ]);
    expect(state.checks.map((c) => [c.id, c.state])).toEqual([
      ['gpu', 'ok'],
      ['docker', 'running'],
    ]);
    expect(state.step).toBe('probe');
  });

  it('Enter does nothing until the probe has finished', () => {
    expect(run([key('enter')]).state.step).toBe('probe');
    expect(run([probed, key('enter')]).state.step).toBe('mode');
  });

  it('preselects the recommendation, or the --gpu mode when one was given', () => {
    expect(highlighted(run([probed]).state)?.mode).toBe('amd-host');
    expect(highlighted(run([probed], initialState({ preferred: 'cpu' })).state)?.mode).toBe('cpu');
  });

  it('Enter at every step accepts the recommendation and writes it', () => {
    const { state, effects } = run([probed, key('enter'), key('enter'), key('enter')]);
    expect(state.step).toBe('writing');
    expect(effects).toContainEqual({ kind: 'plan', mode: 'amd-host', force: false });
    const apply = effects.find((e) => e.kind === 'apply');
    expect(apply && apply.kind === 'apply' && apply.plan.mode).toBe('amd-host');
    const done = transition(state, { type: 'applied', result: { changed: true, files: [], backups: [] } });
    expect(done.state.step).toBe('done');
    expect(done.effects).toEqual([{ kind: 'exit', code: 0 }]);
  });

  it('up/down move the cursor and wrap around', () => {
    const s = run([probed, key('enter')]).state; // cursor on amd-host (index 1)
    expect(highlighted(run([key('up')], s).state)?.mode).toBe('nvidia');
    expect(highlighted(run([key('up'), key('up')], s).state)?.mode).toBe('cpu');
    expect(highlighted(run([key('down'), key('down'), key('down')], s).state)?.mode).toBe('nvidia');
    expect(highlighted(run([key('end')], s).state)?.mode).toBe('cpu');
    expect(highlighted(run([key('home')], s).state)?.mode).toBe('nvidia');
  });

  it('a blocked mode asks for confirmation, defaulting to going back', () => {
    const s = run([probed, key('enter'), key('up'), key('enter')]).state;
    expect(s.step).toBe('confirm-blocked');
    expect(s.chosen).toBe('nvidia');
    const back = run([key('enter')], s);
    expect(back.state.step).toBe('mode');
    expect(back.effects).toEqual([]);
    expect(run([key('back')], s).state.step).toBe('mode');
    expect(run([key('no')], s).state.step).toBe('mode');
  });

  it('confirming a blocked mode plans it with force, and only then', () => {
    const s = run([probed, key('enter'), key('up'), key('enter')]).state;
    for (const confirm of [[key('yes')], [key('down'), key('enter')]]) {
      const t = run(confirm, s);
      expect(t.state.step).toBe('review');
      expect(t.effects).toContainEqual({ kind: 'plan', mode: 'nvidia', force: true });
      expect(t.state.plan?.refused).toBe(false);
    }
  });

  it('back to the mode list (Esc, n, No), the cursor is on the recommendation again', () => {
    const s = run([probed, key('enter'), key('up'), key('enter')]).state;
    expect(s.step).toBe('confirm-blocked');
    const rec = s.report!.modes.findIndex((m) => m.mode === s.report!.recommendation.mode);
    for (const k of ['back', 'no', 'enter'] as const) {
      const back = run([key(k)], s).state;
      expect(back.step).toBe('mode');
      expect(back.cursor).toBe(rec);
      expect(highlighted(back)?.mode).toBe(s.report!.recommendation.mode);
    }
  });

  it('? shows the keys; any key closes them without acting; Ctrl+C still cancels', () => {
    const s = run([probed, key('enter'), key('keys')]).state;
    expect(s.showKeys).toBe(true);
    const closed = run([key('enter')], s);
    expect(closed.state.showKeys).toBe(false);
    expect(closed.state.step).toBe('mode');
    expect(closed.effects).toEqual([]);
    expect(run([key('interrupt')], s).state.step).toBe('cancelled');
  });

  it('Esc goes back one step at a time', () => {
    const review = run([probed, key('enter'), key('enter')]).state;
    expect(review.step).toBe('review');
    const mode = run([key('back')], review).state;
    expect(mode.step).toBe('mode');
    expect(mode.plan).toBeNull();
    expect(run([key('back')], mode).state.step).toBe('probe');
    const forced = run([probed, key('enter'), key('up'), key('enter'), key('yes'), key('back')]).state;
    expect(forced.step).toBe('confirm-blocked');
  });

  it('q and Ctrl+C cancel from every step before writing, with exit 130 and no apply', () => {
    const paths: WizardEvent[][] = [[], [probed], [probed, key('enter')], [probed, key('enter'), key('up'), key('enter')], [probed, key('enter'), key('enter')]];
    for (const p of paths) {
      for (const k of ['quit', 'interrupt'] as const) {
        const { state, effects } = run([...p, key(k)]);
        expect(state.step).toBe('cancelled');
        expect(state.exitCode).toBe(130);
        expect(effects.filter((e) => e.kind === 'apply')).toEqual([]);
        expect(effects.at(-1)).toEqual({ kind: 'exit', code: 130 });
      }
    }
  });

  it('Ctrl+C while writing asks the write to roll back; other keys are ignored, and all keys after the end', () => {
    const writing = run([probed, key('enter'), key('enter'), key('enter')]).state;
    const t = transition(writing, { type: 'key', key: 'interrupt' });
    expect(t.state.step).toBe('writing');
    expect(t.effects).toEqual([{ kind: 'abort' }]);
    expect(run([key('quit'), key('back')], writing).state.step).toBe('writing');
    const rolledBack = transition(writing, { type: 'cancelled' });
    expect(rolledBack.state.step).toBe('cancelled');
    expect(rolledBack.effects).toEqual([{ kind: 'exit', code: 130 }]);
    const done = transition(writing, { type: 'applied', result: { changed: true, files: [], backups: [] } }).state;
    expect(run([key('quit')], done).state).toBe(done);
  });

  it('a failure ends with exit 1 and the message', () => {
    const { state, effects } = run([probed, { type: 'failed', message: 'permission denied: /srv/kg/.operator.conf', hint: 'fix it' }]);
    expect(state.step).toBe('error');
    expect(state.error).toEqual({ message: 'permission denied: /srv/kg/.operator.conf', hint: 'fix it' });
    expect(effects).toEqual([{ kind: 'exit', code: 1 }]);
  });

  it('review scrolling stays within the diff', () => {
    const s = run([probed, key('enter'), key('enter')]).state;
    const k = (name: 'up' | 'down' | 'pageDown' | 'pageUp' | 'end' | 'home'): WizardEvent => ({ type: 'key', key: name, page: 5, maxScroll: 12 });
    expect(run([k('up')], s).state.scroll).toBe(0);
    expect(run([k('down'), k('down')], s).state.scroll).toBe(2);
    expect(run([k('pageDown'), k('pageDown'), k('pageDown')], s).state.scroll).toBe(12);
    expect(run([k('end'), k('pageUp')], s).state.scroll).toBe(7);
    expect(run([k('end'), k('home')], s).state.scroll).toBe(0);
  });

  it('a plan arriving after leaving review is dropped', () => {
    const s = run([probed, key('enter')]).state;
    expect(transition(s, { type: 'planned', plan: plan({ mode: 'cpu', force: false, registry: 'r' }) }).state.plan).toBeNull();
  });
});

describe('wrapText', () => {
  it('wraps at spaces, indents continuation rows, cuts only words longer than a row, and loses nothing', async () => {
    const { wrapText } = await import('../../src/wizard/layout.js');
    const cmd = 'Next: cd /tmp/knowledge-graph && docker compose -f docker-compose.ghcr.yml -f docker-compose.gpu-amd-host.yml up -d';
    const rows = wrapText(cmd, 40, 2);
    for (const r of rows) expect([...r].length).toBeLessThanOrEqual(40);
    expect(rows.slice(1).every((r) => r.startsWith('  '))).toBe(true);
    expect(rows.map((r) => r.trim()).join(' ')).toBe(cmd);
    expect(wrapText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    expect(wrapText('', 10)).toEqual(['']);
  });
});

describe('a refused plan (an --image-tag of another mode)', () => {
  it('is never written on Enter; y re-plans it with force', () => {
    let s = transition(initialState(), { type: 'probed', report: report(), install: install() }).state;
    s = transition(s, { type: 'key', key: 'enter' }).state;
    const t = transition(s, { type: 'key', key: 'enter' });
    expect(t.effects).toEqual([{ kind: 'plan', mode: 'amd-host', force: false }]);
    s = transition(t.state, { type: 'planned', plan: { ...plan({ mode: 'amd-host', force: false, registry: 'r' }), refused: true } }).state;
    const enter = transition(s, { type: 'key', key: 'enter' });
    expect(enter.state.step).toBe('review');
    expect(enter.effects).toEqual([]);
    expect(transition(s, { type: 'key', key: 'yes' }).effects).toEqual([{ kind: 'plan', mode: 'amd-host', force: true }]);
  });
});
