// What a finished run says about a mode written anyway (the wizard's "Yes,
// write it anyway", headless --force): what blocks it, and the one next step
// that will work.
import { afterEach, describe, expect, it } from 'vitest';
import { blockedHeadline, blockers, followUps, nextSteps, reconfigureCommand } from '../../src/present/outcome.js';
import { setCommandName } from '../../src/present/shell.js';
import type { Finding } from '../../src/report.js';

const notApplicable: Finding = { code: 'MODE_NOT_APPLICABLE', severity: 'info', message: 'no NVIDIA GPU found', fix: 'Nothing to do unless this host has an NVIDIA GPU that the probe missed.', mode: 'nvidia' };
const noToolkit: Finding = { code: 'NVIDIA_TOOLKIT_MISSING', severity: 'error', message: 'Docker has no nvidia runtime', fix: 'Install nvidia-container-toolkit and restart Docker.', mode: 'nvidia' };
const start = 'cd /srv/kg && ./operator.sh start';
const plan = (status: 'ready' | 'blocked', findings: Finding[]) => ({ mode: 'nvidia', status, findings, nextCommand: './operator.sh start' });

afterEach(() => setCommandName({}));

describe('a blocked mode written anyway', () => {
  it('that cannot run on this host (no GPU of its kind): says so, and the next step configures the mode this host can run', () => {
    const p = plan('blocked', [notApplicable]);
    expect(blockers(p)).toEqual([notApplicable]);
    expect(followUps(p, true)).toEqual([]);
    expect(blockedHeadline(p)).toBe('nvidia cannot run on this host: the stack will not start here');
    expect(nextSteps(p, start, 'kg-init --yes --gpu=amd-host --dir /srv/kg')).toEqual([
      { label: 'Next', text: 'kg-init --yes --gpu=amd-host --dir /srv/kg', command: true },
      { label: 'Then', text: start, command: true },
    ]);
  });

  it('blocked by something this host can fix: fix it first, then start', () => {
    const p = plan('blocked', [noToolkit]);
    expect(blockers(p)).toEqual([noToolkit]);
    expect(blockedHeadline(p)).toBe('nvidia is blocked on this host: the stack will not start until this is fixed');
    expect(nextSteps(p, start, 'kg-init --yes --gpu=cpu')).toEqual([
      { label: 'Next', text: 'fix what blocks nvidia (above)', command: false },
      { label: 'Then', text: start, command: true },
    ]);
  });

  it('a mode that runs: start it; nothing blocks', () => {
    const p = plan('ready', []);
    expect(blockers(p)).toEqual([]);
    expect(nextSteps(p, start, 'kg-init --yes --gpu=cpu')).toEqual([{ label: 'Next', text: start, command: true }]);
  });

  it('the reconfigure command names the directory only when it is not the current one (quoted), and kg-init as it was started', () => {
    expect(reconfigureCommand('cpu', '/srv/kg', '/srv/kg')).toBe('kg-init --yes --gpu=cpu');
    expect(reconfigureCommand('amd-host', '/srv/my kg', '/home/ada')).toBe("kg-init --yes --gpu=amd-host --dir '/srv/my kg'");
    setCommandName({ npm_lifecycle_event: 'npx', npm_lifecycle_script: 'kg-init' });
    expect(reconfigureCommand('cpu', '/srv/kg', '/srv/kg')).toBe('npx kg-init --yes --gpu=cpu');
  });
});
