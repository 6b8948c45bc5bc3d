// The Host layer: snapshot replay rules (links stored as files, device metadata,
// commands only from bin/), the live command runner's time bound and group
// kill, and a clear error for a directory that is not a snapshot.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOSTS } from '../helpers/cli.js';
import { openHost, openSnapshot, LiveHost } from '../../src/host/index.js';
import { spawnBounded, boundedTimeout } from '../../src/host/spawn.js';
import { KgInitError } from '../../src/errors.js';

const XTX = path.join(HOSTS, 'amd-7900xtx-igpu-arch');

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('snapshot host', () => {
  it('follows links stored as plain files, and real ones', async () => {
    const h = await openSnapshot(XTX);
    expect(await h.readLink('/sys/class/drm/renderD128/device')).toBe('../../../bus/pci/devices/0000:03:00.0');
    expect(await h.readLink('/sys/bus/pci/devices/0000:03:00.0/driver')).toBe('../../drivers/amdgpu');
    // Reading through a link-file parent resolves it inside root/.
    expect((await h.readText('/sys/class/drm/renderD128/device/vendor'))?.trim()).toBe('0x1002');
    expect(await h.readLink('/sys/bus/pci/devices/0000:03:00.0/nope')).toBeNull();
  });

  it('follows real relative symlinks inside root/', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kg-snap-'));
    writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ platform: 'linux', arch: 'x64', kernelRelease: '6.8.0', identity: { user: 'u', uid: 1000, gid: 1000, groups: [1000] } }));
    mkdirSync(path.join(dir, 'root/sys/bus/pci/devices/0000:01:00.0'), { recursive: true });
    mkdirSync(path.join(dir, 'root/sys/class/drm/renderD128'), { recursive: true });
    writeFileSync(path.join(dir, 'root/sys/bus/pci/devices/0000:01:00.0/vendor'), '0x10de\n');
    symlinkSync('../../../bus/pci/devices/0000:01:00.0', path.join(dir, 'root/sys/class/drm/renderD128/device'));
    const h = await openSnapshot(dir);
    expect(await h.readLink('/sys/class/drm/renderD128/device')).toBe('../../../bus/pci/devices/0000:01:00.0');
    expect(await h.readText('/sys/class/drm/renderD128/device/vendor')).toBe('0x10de\n');
    expect(await h.stat('/dev/kfd')).toBeNull();
  });

  it('takes identity and device-node metadata from host.json', async () => {
    const h = await openSnapshot(XTX);
    expect(h.identity).toEqual({ user: 'alice', uid: 1000, gid: 1000, groups: [1000, 985, 989, 961] });
    expect(h.kernelRelease).toBe('6.17.8-arch1-1');
    expect(await h.stat('/dev/kfd')).toEqual({ type: 'char', mode: 0o660, uid: 0, gid: 989 });
    expect(await h.stat('/dev/nope')).toBeNull();
    expect((await h.stat('/etc/group'))?.type).toBe('file');
  });

  it('cannot be escaped with ..', async () => {
    const h = await openSnapshot(XTX);
    expect(await h.readText('/../../host.json')).toBeNull();
    expect(await h.readText('../expect.json')).toBeNull();
  });

  it('runs commands from bin/ only', async () => {
    const h = await openSnapshot(XTX);
    const r = await h.run('amd-smi', ['version']);
    expect(r).toMatchObject({ status: 'ok', exitCode: 0, command: 'amd-smi', args: ['version'] });
    expect(r.stdout).toContain('ROCm version: 7.2.3');
    expect((await h.run('sh', ['-c', 'true'])).status).toBe('missing'); // on PATH here, not on that host
    expect((await h.run('nvidia-smi', [])).status).toBe('missing');
    expect((await h.run('../host.json', [])).status).toBe('missing');
    expect((await h.run('amd-smi', ['bogus'])).status).toBe('exit');
  });

  it('runs an absolute host path from root/', async () => {
    const h = await openSnapshot(path.join(HOSTS, 'wsl2-nvidia'));
    const r = await h.run('/usr/lib/wsl/lib/nvidia-smi', ['-L']);
    expect(r.status).toBe('ok');
    expect(r.stdout).toContain('RTX 4070');
    expect((await h.run('/usr/bin/nvidia-smi', ['-L'])).status).toBe('missing');
  });

  it('refuses a directory that is not a snapshot, in one or two lines', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kg-snap-'));
    await expect(openHost({ KG_INIT_HOST_SNAPSHOT: dir })).rejects.toThrow(/has no host\.json/);
    writeFileSync(path.join(dir, 'host.json'), '{"platform":"linux"}');
    await expect(openSnapshot(dir)).rejects.toBeInstanceOf(KgInitError);
    writeFileSync(path.join(dir, 'host.json'), '{not json');
    await expect(openSnapshot(dir)).rejects.toThrow(/not valid JSON/);
  });

  it('is the live machine without KG_INIT_HOST_SNAPSHOT', async () => {
    const h = await openHost({});
    expect(h.source).toBe('live');
    expect(h.identity.groups).toContain(h.identity.gid);
  });
});

/** Whether a pid still exists (a zombie counts as gone: it no longer runs). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

describe('command runner', () => {
  it('kills the whole process group at the time bound', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kg-run-'));
    const script = path.join(dir, 'hang.sh');
    // A background grandchild holding stdout open, then a foreground hang.
    writeFileSync(script, '/bin/sleep 60 &\necho $!\nexec /bin/sleep 60\n');
    const r = await spawnBounded({ file: '/bin/sh', argv: [script], command: 'hang', args: [], timeoutMs: 300 });
    expect(r.status).toBe('timeout');
    expect(r.exitCode).toBeNull();
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const alive = () => processAlive(pid);
    await until(() => !alive(), `grandchild ${pid} to be killed`);
  });

  it('an abort (the wizard\'s Ctrl+C) kills the process group before the bound and reports it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kg-run-'));
    const script = path.join(dir, 'hang.sh');
    writeFileSync(script, '/bin/sleep 60 &\necho $!\nexec /bin/sleep 60\n');
    const ac = new AbortController();
    const pending = spawnBounded({ file: '/bin/sh', argv: [script], command: 'hang', args: [], timeoutMs: 2000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const r = await pending;
    expect(r.status).toBe('error'); // not 'timeout': nothing waited for the bound
    expect(r.stderr).toContain('aborted');
    const pid = Number(r.stdout.trim());
    const alive = () => processAlive(pid);
    if (pid > 0) await until(() => !alive(), `grandchild ${pid} to be killed`);
    // An already aborted signal never starts a long wait either.
    const again = await spawnBounded({ file: '/bin/sh', argv: [script], command: 'hang', args: [], signal: AbortSignal.abort() });
    expect(again.status).toBe('error');
  });

  it('never waits more than 2 s per command', () => {
    expect(boundedTimeout(60_000)).toBe(2000);
    expect(boundedTimeout(undefined)).toBe(2000);
    expect(boundedTimeout(150)).toBe(150);
  });

  it('settles at the bound when a grandchild outside the group holds the pipes', async () => {
    // The command itself exits at once; a grandchild in a session of its own
    // keeps stdout open (and would for a minute).
    const r = await spawnBounded({ file: '/bin/sh', argv: ['-c', 'setsid /bin/sleep 60 & echo $!'], command: 'sh', args: [], timeoutMs: 300 });
    const pid = Number(r.stdout.trim());
    if (pid > 0) process.kill(pid, 'SIGKILL');
    expect(r.status).toBe('timeout');
    expect(pid).toBeGreaterThan(0);
  });

  it('caps output: the command is stopped at the cap and its answer marked incomplete; reports missing commands', async () => {
    const r = await spawnBounded({ file: '/bin/sh', argv: ['-c', 'head -c 300000 /dev/zero | tr "\\0" x'], command: 'sh', args: [], maxBytes: 1000 });
    expect(r.truncated).toBe(true);
    expect(r.stdout).toBe('x'.repeat(1000));
    const small = await spawnBounded({ file: '/bin/sh', argv: ['-c', 'printf "a\\nb\\n"; exit 4'], command: 'sh', args: [] });
    expect(small).toMatchObject({ status: 'exit', exitCode: 4, stdout: 'a\nb\n' });
    expect(small.truncated).toBeUndefined();
    const live = new LiveHost();
    expect((await live.run('kg-init-no-such-tool-xyz', [])).status).toBe('missing');
    expect((await live.run('/bin/sh', ['-c', 'exit 3'])).status).toBe('exit');
  });
});
