// Issue #12 as an attacker on a shared host would try it: another account
// prepares the install directory (links, FIFOs, odd modes), root runs kg-init.
// Each test shows the target untouched, the file refused with its name, or the
// owner and mode kept. Runs as root (CI); the attacker is an account made with
// useradd for this file and removed after it. Skipped only when not root and
// KG_INIT_REQUIRE_TOOLS is unset.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, HOSTS, toolsRequired } from '../helpers/cli.js';
import { composeConfig, composeV2 } from '../helpers/compose.js';
import { faultChild } from '../helpers/fault-cli.js';
import { lockText, STALE_FOREIGN_MS, startTimeOf, thisRun } from '../../src/apply/lock.js';
import { makeReport } from '../helpers/report.js';

const asRoot = process.getuid?.() === 0;
if (!asRoot && toolsRequired()) throw new Error('test/apply/security.test.ts must run as root in CI');

let root: string;
let cpu: string;
let nvidia: string;
const user = `kgatk${process.pid % 100000}`;
let uid = -1;
let gid = -1;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-sec-'));
  chownSync(root, 0, 0);
  spawnSync('chmod', ['755', root]);
  cpu = join(root, 'cpu.json');
  nvidia = join(root, 'nvidia.json');
  writeFileSync(cpu, JSON.stringify(makeReport({ recommend: 'cpu' })));
  writeFileSync(nvidia, JSON.stringify(makeReport({ recommend: 'nvidia' })));
  if (!asRoot) return;
  const made = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', user], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`useradd ${user}: ${made.stderr}`);
  uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
});
afterAll(() => {
  if (asRoot) spawnSync('userdel', [user]);
  rmSync(root, { recursive: true, force: true });
});

/** Runs a shell command as the attacker. */
function asAttacker(cmd: string): void {
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'sh', '-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`as ${user}: ${cmd}: ${r.stderr}`);
}

/** An install directory prepared by the attacker. */
function attackerDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  chownSync(dir, uid, gid);
  return dir;
}

function kg(args: string[], report: string, opts: { umask?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const line = `umask ${opts.umask ?? '022'}; exec "$0" "$@"`;
    const c = spawn('sh', ['-c', line, process.execPath, BIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', KG_INIT_REPORT: report, KG_INIT_CONFIG_DIR: join(root, 'user-config'), KG_INIT_PLATFORM_SOURCE: process.env.KG_INIT_PLATFORM_SOURCE, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => c.kill('SIGKILL'), 20_000);
    c.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

const mode = (p: string) => statSync(p).mode & 0o7777;

describe.runIf(asRoot || toolsRequired())('as root in a directory another account prepared', () => {
  test('a compose file planted as a symlink to a file outside: refused naming it, the target untouched, nothing written', async () => {
    const dir = attackerDir('link-out');
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    asAttacker(`ln -s ${victim} ${dir}/docker-compose.ghcr.yml`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/docker-compose.ghcr.yml is a symbolic link`);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(dir).sort()).toEqual(['docker-compose.ghcr.yml']);
  });

  test("a folder kg-init writes into planted as a symlink (a clone's docker/, the platform's operator/): refused naming it, the target untouched", async () => {
    const dir = attackerDir('docker-link');
    const victim = attackerDir('docker-victim');
    asAttacker(`printf 'services: {}\\n' > ${victim}/docker-compose.yml && printf '#!/bin/sh\\n' > ${dir}/operator.sh && ln -s ${victim} ${dir}/docker`);
    for (const args of [['--yes', '-C', dir], ['doctor', '-C', dir]]) {
      const r = await kg(args, cpu);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${dir}/docker is a symbolic link (to ${victim})`);
    }
    expect(readdirSync(victim)).toEqual(['docker-compose.yml']);
    expect(readdirSync(dir).sort()).toEqual(['docker', 'operator.sh']);
    // A first install writes operator/lib/…: a planted operator/ link is refused the same way.
    const fresh = attackerDir('operator-link');
    const victim2 = attackerDir('operator-victim');
    asAttacker(`ln -s ${victim2} ${fresh}/operator`);
    const r = await kg(['--yes', '-C', fresh], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fresh}/operator is a symbolic link (to ${victim2})`);
    expect(readdirSync(victim2)).toEqual([]);
    // Nothing written, and nothing left behind: no empty .kg-init/ either.
    expect(readdirSync(fresh)).toEqual(['operator']);
  });

  test('a symlinked .kg-init/ (lock, backups, state sent elsewhere): refused naming it, nothing written there', async () => {
    const dir = attackerDir('kg-link');
    const elsewhere = attackerDir('elsewhere');
    asAttacker(`ln -s ${elsewhere} ${dir}/.kg-init`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/.kg-init is a symbolic link`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(dir, '.operator.conf'))).toBe(false);
  });

  test('a configured directory whose .kg-init/ is then swapped for a link: a run that changes nothing removes, creates and locks nothing there', async () => {
    const dir = attackerDir('kg-link-later');
    expect((await kg(['--yes', '-C', dir], cpu)).code).toBe(0);
    const elsewhere = attackerDir('elsewhere-later');
    // What a stale lock, a staged lock and a run killed mid-write would leave, but in the link's target,
    // old enough to pass for stale; and a temp file in the directory, which would make a run take the lock.
    asAttacker(`touch -d '2020-01-01' ${elsewhere}/lock ${elsewhere}/lock.1-00000001.new && echo x > ${dir}/.operator.conf.kg-init-1-deadbeef.tmp`);
    rmSync(join(dir, '.kg-init'), { recursive: true, force: true });
    asAttacker(`ln -s ${elsewhere} ${dir}/.kg-init`);
    const before = readdirSync(elsewhere).sort();
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(elsewhere).sort()).toEqual(before);
    expect(lstatSync(join(dir, '.kg-init')).isSymbolicLink()).toBe(true);
  });

  test('a .operator.conf linked to a secret outside the directory: refused for root, the secret neither written nor backed up', async () => {
    const dir = attackerDir('conf-link');
    const secret = join(root, 'shadow-like');
    writeFileSync(secret, 'GPU_MODE=cpu\nSECRET=1\n', { mode: 0o600 });
    asAttacker(`ln -s ${secret} ${dir}/.operator.conf`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/.operator.conf is a symbolic link to ${secret}`);
    expect(readFileSync(secret, 'utf8')).toBe('GPU_MODE=cpu\nSECRET=1\n');
    expect(existsSync(join(dir, '.kg-init'))).toBe(false);
  });

  test('a FIFO named like an overlay and a link to /dev/zero: refused naming them, no hang, no memory blow-up', async () => {
    const dir = attackerDir('fifo');
    asAttacker(`mkfifo ${dir}/docker-compose.gpu-nvidia.yml`);
    const r = await kg(['--yes', '-C', dir], nvidia);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/docker-compose.gpu-nvidia.yml is a FIFO`);
    const dir2 = attackerDir('zero');
    asAttacker(`ln -s /dev/zero ${dir2}/docker-compose.gpu-nvidia.yml`);
    const r2 = await kg(['--yes', '-C', dir2], nvidia);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${dir2}/docker-compose.gpu-nvidia.yml is a symbolic link`);
    const dir3 = attackerDir('zero-conf');
    asAttacker(`ln -s /dev/zero ${dir3}/.operator.conf`);
    const r3 = await kg(['--yes', '-C', dir3], cpu);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain(`${dir3}/.operator.conf is a symbolic link to /dev/zero`);
  });

  test('owner, group and mode of replaced files are kept: a private 0600 config and a group-shared 0664 overlay', async () => {
    const dir = attackerDir('owner');
    asAttacker(`printf 'MINE=1\\n' > ${dir}/.operator.conf && chmod 600 ${dir}/.operator.conf`);
    expect((await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], nvidia)).code).toBe(0);
    // The generated overlay, handed to the attacker's group and shared.
    chownSync(join(dir, 'docker-compose.gpu-nvidia.yml'), uid, gid);
    spawnSync('chmod', ['664', join(dir, 'docker-compose.gpu-nvidia.yml')]);
    const conf = lstatSync(join(dir, '.operator.conf'));
    expect([conf.uid, conf.gid, conf.mode & 0o7777]).toEqual([uid, gid, 0o600]);
    const r = await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force', '--registry', 'ghcr.io/other'], nvidia);
    expect(r.code, r.stderr).toBe(0);
    const after = lstatSync(join(dir, '.operator.conf'));
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([uid, gid, 0o600]);
    const overlay = lstatSync(join(dir, 'docker-compose.gpu-nvidia.yml'));
    expect([overlay.uid, overlay.gid, overlay.mode & 0o7777]).toEqual([uid, gid, 0o664]);
    expect(readFileSync(join(dir, 'docker-compose.ghcr.yml'), 'utf8')).toContain('ghcr.io/other');
    // The backup of a private file is private.
    const backups = join(dir, '.kg-init', 'backups');
    for (const b of readdirSync(backups)) {
      expect(mode(join(backups, b))).toBe(0o700);
      for (const f of readdirSync(join(backups, b))) expect(mode(join(backups, b, f))).toBe(0o600);
    }
  });

  test('under umask 000 nothing kg-init creates is group- or world-writable; .kg-init and backups are private', async () => {
    const dir = join(root, 'umask', 'new', 'install');
    const first = await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], nvidia, { umask: '000' });
    expect(first.code, first.stderr).toBe(0);
    expect((await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu, { umask: '000' })).code).toBe(0);
    for (const d of [join(root, 'umask'), join(root, 'umask', 'new'), dir]) expect(mode(d)).toBe(0o755);
    expect(mode(join(dir, '.operator.conf'))).toBe(0o644);
    expect(mode(join(dir, 'docker-compose.ghcr.yml'))).toBe(0o644);
    expect(mode(join(dir, '.kg-init'))).toBe(0o700);
    expect(mode(join(dir, '.kg-init', 'state.json'))).toBe(0o600);
    const walk = (p: string): void => {
      const st = lstatSync(p);
      expect(st.mode & 0o022, `${p} is group- or world-writable`).toBe(0);
      if (p.includes('.kg-init')) expect(st.mode & 0o077, `${p} is not private`).toBe(0);
      if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    };
    walk(dir);
  });

  test('a .kg-init/ another account owns is refused (its owner could swap what kg-init writes there)', async () => {
    const dir = attackerDir('kg-owned');
    asAttacker(`mkdir -m 777 ${dir}/.kg-init`);
    const r = await kg(['--yes', '-C', dir], cpu);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/.kg-init belongs to uid ${uid}`);
    expect(readdirSync(join(dir, '.kg-init'))).toEqual([]);
  });

  test('backups: the newest KG_INIT_KEEP_BACKUPS (default 10) are kept, older ones pruned', async () => {
    const dir = join(root, 'prune');
    for (let i = 0; i < 5; i++) {
      const r = await kg(['--yes', '-C', dir, '--gpu', i % 2 ? 'cpu' : 'nvidia', '--force'], nvidia, { env: { KG_INIT_KEEP_BACKUPS: '2' } });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readdirSync(join(dir, '.kg-init', 'backups'))).toHaveLength(2);
    const bad = await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu, { env: { KG_INIT_KEEP_BACKUPS: 'lots' } });
    expect(bad.code).toBe(2);
  });
});

// ---- the rest of issue #12's list, each set up by the attacker where an attacker could ----

/** Control characters a terminal acts on (newline and tab aside): none may come from host or file data. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const ESC_SEQ = '\\033]52;c;cHduZWQ=\\007\\033[2J\\033[H\\302\\233' + '31m';

describe.runIf(asRoot || toolsRequired())('hostile files, host data, values and locks, as root', () => {
  test.each([
    ['readonly', 'readonly GPU_MODE=cpu\\n', 'line 1: `readonly GPU_MODE`'],
    ['declare -r', 'declare -r GPU_MODE=cpu\\n', 'line 1: `declare` gives GPU_MODE attributes'],
    ['a function body', 'f() {\\n  GPU_MODE=cpu\\n}\\n', 'line 2: GPU_MODE is set inside a function'],
    ['a BOM', '\\357\\273\\277GPU_MODE=cpu\\n', 'line 1: the file starts with a UTF-8 byte order mark'],
    ['${X:-cpu}', 'GPU_MODE=${KG_FORCE_GPU:-cpu}\\n', 'line 1: GPU_MODE=${KG_FORCE_GPU:-cpu} is computed by the shell'],
    ['160 KB of a[', null, 'line 1: syntax error: the `[` of `a[` is never closed'],
  ])('a .operator.conf the attacker planted (%s): exit 1 naming the line and why, nothing written; doctor says the same', async (name, printf, why) => {
    const dir = attackerDir(`conf-${name.replace(/\W+/g, '-')}`);
    if (printf) asAttacker(`printf '${printf.replace(/'/g, `'\\''`)}' > ${dir}/.operator.conf`);
    else asAttacker(`awk 'BEGIN { for (i = 0; i < 80000; i++) printf "a["; print "" }' > ${dir}/.operator.conf`);
    const before = readFileSync(join(dir, '.operator.conf'));
    // (The old quadratic read took 31 s on the 160 KB line; kg() gives up after 20 s.)
    const r = await kg(['--yes', '-C', dir], nvidia);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${dir}/.operator.conf ${why}`);
    expect(r.stderr).toContain('nothing was changed');
    expect(readdirSync(dir)).toEqual(['.operator.conf']);
    expect(readFileSync(join(dir, '.operator.conf')).equals(before)).toBe(true);
    const d = await kg(['doctor', '-C', dir], nvidia);
    expect(d.code).toBe(1);
    expect(d.stdout.replace(/\s+/g, ' ')).toContain(`${dir}/.operator.conf ${why}`.replace(/\s+/g, ' '));
    expect(readdirSync(dir)).toEqual(['.operator.conf']);
  });

  test("the platform's own files kg-init only reads (.env, docker-compose.yml) planted as a FIFO or /dev/zero: refused naming them, no wait, by configure and doctor", async () => {
    for (const [file, plant, what] of [
      ['.env', 'mkfifo', 'is a FIFO'],
      ['.env', 'ln -s /dev/zero', 'is a character device'],
      ['docker-compose.yml', 'mkfifo', 'is a FIFO'],
    ] as const) {
      const dir = attackerDir(`platform-${file.replace(/\W/g, '')}-${plant.split(' ')[0]}`);
      asAttacker(`printf '#!/bin/sh\\n' > ${dir}/operator.sh && printf 'GPU_MODE=cpu\\n' > ${dir}/.operator.conf && ${plant === 'mkfifo' ? `mkfifo ${dir}/${file}` : `${plant} ${dir}/${file}`}`);
      if (file === '.env') asAttacker(`printf 'services: {}\\n' > ${dir}/docker-compose.yml`);
      const names = readdirSync(dir).sort();
      for (const args of [['--yes', '-C', dir], ['doctor', '-C', dir]]) {
        const r = await kg(args, cpu);
        expect(r.code, `${args[0]} ${file}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(`${dir}/${file} ${what}`);
        expect(readdirSync(dir).sort()).toEqual(names);
      }
    }
  });

  test('hostile registries from the command line in a directory the attacker prepared: refused with exit 2 saying why, nothing written; an IPv6 one is written as YAML and Compose read it', async () => {
    const dir = attackerDir('registry');
    asAttacker(`printf 'GPU_MODE=cpu\\n' > ${dir}/.operator.conf`);
    const pwned = join(root, 'pwned');
    for (const [registry, why] of [
      ['ghcr.io/x\nservices: {}', 'a space or a control character'],
      [`$(touch${'${IFS}'}${pwned})`, 'is not a host name'],
      ['ghcr.io/x"#', '"x\\"#" is not a repository path component'],
      ['ghcr.io/Owner/kg', '"Owner" has capital letters'],
      ['::1:5000/kg', 'put the address in brackets'],
      ['https://ghcr.io/x', 'it has a scheme'],
    ]) {
      const r = await kg(['--yes', '-C', dir, '--registry', registry!], cpu);
      expect(r.code, registry).toBe(2);
      expect(r.stderr).toContain(why);
      expect(r.stderr).toContain('a registry looks like ghcr.io/owner/name');
      expect(readdirSync(dir)).toEqual(['.operator.conf']);
    }
    expect(existsSync(pwned)).toBe(false);
    const ok = await kg(['--yes', '-C', dir, '--registry', '[::1]:5000/kg'], cpu);
    expect(ok.code, ok.stderr).toBe(0);
    const text = readFileSync(join(dir, 'docker-compose.ghcr.yml'), 'utf8');
    expect(text).toContain('image: "[::1]:5000/kg/kg-web:latest"');
    const doc = parse(text, { logLevel: 'error' }) as { services: Record<string, { image: string }> };
    expect(doc.services.api!.image).toBe('[::1]:5000/kg/kg-api:${KG_API_IMAGE_TAG:-latest}');
    if (composeV2() || toolsRequired()) {
      const { model } = composeConfig(['--env-file', '.env', '-f', 'docker-compose.yml', '-f', 'docker-compose.ghcr.yml'], { cwd: dir });
      expect(model.services.api!.image).toBe('[::1]:5000/kg/kg-api:latest');
      expect(model.services.web!.image).toBe('[::1]:5000/kg/kg-web:latest');
    }
  });

  test('hostile host data: GPU names with OSC 52 and screen-clear sequences reach no terminal (probe, configure, doctor)', async () => {
    const snap = join(root, 'hostile-host');
    spawnSync('cp', ['-a', join(HOSTS, 'nvidia-4090-toolkit'), snap]);
    const smi = join(snap, 'bin', 'nvidia-smi');
    // Its nvidia-smi names the GPU with an OSC 52 clipboard write, a screen clear, a cursor home and an 8-bit CSI.
    const lines = readFileSync(smi, 'utf8')
      .split('\n')
      .map((l) => (l.includes('NVIDIA GeForce RTX 4090') ? l.replace('NVIDIA GeForce RTX 4090', '%s').replace(/' ;;\s*$/, `' "$N" ;;`) : l));
    lines.splice(1, 0, `N="NVIDIA $(printf '${ESC_SEQ}')GeForce RTX 4090"`);
    writeFileSync(smi, lines.join('\n'));
    const info = join(snap, 'root', 'proc', 'driver', 'nvidia', 'gpus', '0000:01:00.0', 'information');
    writeFileSync(info, readFileSync(info, 'utf8').replace('NVIDIA GeForce RTX 4090', 'NVIDIA \x1b]52;c;cHduZWQ=\x07GeForce \x1b[2J RTX 4090'));
    const raw = spawnSync(smi, ['--query-gpu=index,name,uuid,pci.bus_id,driver_version,memory.total', '--format=csv,noheader,nounits'], { encoding: 'utf8' }).stdout;
    expect(raw).toContain('\x1b]52;c;'); // the host really says it
    const env = { KG_INIT_HOST_SNAPSHOT: snap };
    const dir = join(root, 'hostile-host-install');
    for (const args of [['probe'], ['--yes', '-C', dir, '--dry-run'], ['--yes', '-C', dir], ['doctor', '-C', dir], ['doctor', '-C', dir, '--verbose']]) {
      const r = await kg(args, '', { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr + r.stdout).not.toMatch(CONTROL);
      // A name that is not printable text is not used: the GPU is named by its ids.
      if (args[0] === 'probe') expect(r.stdout).toContain('NVIDIA GPU [10de:2684]');
    }
  });

  test('a .operator.conf the attacker planted with escape sequences in a comment and a value: the dry run\'s diff, the summary and doctor show none', async () => {
    const dir = attackerDir('conf-escapes');
    asAttacker(`printf '# \\033]52;c;cHduZWQ=\\007 note\\nGPU_MODE=cpu\\nEXTRA="\\033[2J\\033[H"\\n' > ${dir}/.operator.conf`);
    expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toContain('\x1b]52;c;');
    for (const args of [['--yes', '-C', dir, '--gpu', 'nvidia', '--force', '--dry-run'], ['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], ['doctor', '-C', dir, '--verbose']]) {
      const r = await kg(args, nvidia);
      expect(r.stderr + r.stdout).not.toMatch(CONTROL);
      if (args.includes('--dry-run')) expect(r.stdout).toContain(' #  note\n'); // the OSC 52 write removed whole, payload and all
    }
    // The file itself keeps the user's bytes.
    expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toContain('EXTRA="\x1b[2J\x1b[H"');
  });

  test('a planted state.json with control characters: what it says reaches the terminal without them', async () => {
    const dir = join(root, 'state-planted');
    expect((await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu)).code).toBe(0);
    const hostile = { schemaVersion: 1, dir, gpus: [{ vendor: 'amd', name: 'Radeon \x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b[H\x9b31mX', pciId: '1002:744c' }], mode: 'amd-host', imageTag: 'rocm72-host\x1b[2J', at: '2026-01-01T00:00:00.000Z', kgInitVersion: '0.0.0\x07' };
    writeFileSync(join(dir, '.kg-init', 'state.json'), JSON.stringify(hostile), { mode: 0o600 });
    for (const args of [['--yes', '-C', dir, '--gpu', 'cpu', '--dry-run'], ['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], ['doctor', '-C', dir]]) {
      const r = await kg(args, nvidia);
      expect(r.stderr + r.stdout).not.toMatch(CONTROL);
    }
    // The attacker's own .kg-init with such a state.json: refused, and the refusal is clean too.
    const adir = attackerDir('state-attacker');
    asAttacker(`mkdir ${adir}/.kg-init && printf '%s' '${JSON.stringify({ ...hostile, dir: adir }).replace(/'/g, '')}' > ${adir}/.kg-init/state.json`);
    const r = await kg(['--yes', '-C', adir], nvidia);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${adir}/.kg-init belongs to uid ${uid}`);
    expect(r.stderr + r.stdout).not.toMatch(CONTROL);
  });

  test('a failure after the commit as root: the config switched, exit 0 with a warning saying what changed; --json lists it', async () => {
    const dir = join(root, 'after-commit');
    expect((await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu)).code).toBe(0);
    // Root cannot be kept from writing by a mode: a directory where state.json goes.
    rmSync(join(dir, '.kg-init', 'state.json'));
    mkdirSync(join(dir, '.kg-init', 'state.json', 'x'), { recursive: true });
    const r = await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force', '--json'], nvidia);
    expect(r.code, r.stderr).toBe(0);
    const warning = `the configuration was written (nvidia), but recording .kg-init/state.json failed: ${dir}/.kg-init/state.json is a directory`;
    expect(r.stderr).toContain(`kg-init: warning: ${warning}`);
    expect(r.stderr).not.toContain('Nothing was changed');
    const out = JSON.parse(r.stdout) as { changed: boolean; mode: string; warnings: string[] };
    expect(out.changed).toBe(true);
    expect(out.mode).toBe('nvidia');
    expect(out.warnings.join('\n')).toContain(warning);
    expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^GPU_MODE=nvidia$/m);
    expect(existsSync(join(dir, 'docker-compose.gpu-nvidia.yml'))).toBe(true);
  });

  describe('the lock, judged by evidence', () => {
    const lockOf = (dir: string) => join(dir, '.kg-init', 'lock');
    async function installed(name: string): Promise<string> {
      const dir = join(root, name);
      expect((await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu)).code).toBe(0);
      return dir;
    }

    test('left by a run of another boot (its pid 1 runs now), or by a pid now another process: recovered, the run goes ahead', async () => {
      const me = thisRun();
      const dir = await installed('lock-boot');
      writeFileSync(lockOf(dir), lockText({ ...me, pid: 1, start: '1', boot: '00000000-0000-4000-8000-000000000000' }), { mode: 0o600 });
      const r = await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], nvidia);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(lockOf(dir))).toBe(false);
      const sleeper = spawn('sleep', ['30']);
      try {
        const start = startTimeOf(sleeper.pid!);
        writeFileSync(lockOf(dir), lockText({ ...me, pid: sleeper.pid!, start: String(Number(start) - 1) }), { mode: 0o600 });
        const again = await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu);
        expect(again.code, again.stderr).toBe(0);
        expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^GPU_MODE=cpu$/m);
      } finally {
        sleeper.kill('SIGKILL');
      }
    });

    test('held by a live run (its pid runs, started when the lock says): never removed, the second run exits 1 writing nothing', async () => {
      const dir = await installed('lock-live');
      const sleeper = spawn('sleep', ['30']);
      try {
        const text = lockText({ ...thisRun(), pid: sleeper.pid!, start: startTimeOf(sleeper.pid!) });
        writeFileSync(lockOf(dir), text, { mode: 0o600 });
        const ino = statSync(lockOf(dir)).ino;
        const r = await kg(['--yes', '-C', dir, '--gpu', 'nvidia', '--force'], nvidia);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`another kg-init is running in ${dir} (pid ${sleeper.pid})`);
        expect(readFileSync(lockOf(dir), 'utf8')).toBe(text);
        expect(statSync(lockOf(dir)).ino).toBe(ino);
        expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^GPU_MODE=cpu$/m);
      } finally {
        sleeper.kill('SIGKILL');
      }
    });

    const unshareWorks = asRoot && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
    test.runIf(unshareWorks)('a real run in another pid namespace holding the lock (stopped at it): runs in this and in a third namespace do not write; it finishes alone', async () => {
      const dir = await installed('lock-pidns');
      const child = await faultChild();
      const holderEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', KG_INIT_REPORT: nvidia, KG_INIT_CONFIG_DIR: join(root, 'user-config'), KG_INIT_PLATFORM_SOURCE: process.env.KG_INIT_PLATFORM_SOURCE ?? '' };
      const startHolder = (mode: string) =>
        spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', '"$0" "$@"; exit $?', process.execPath, child, JSON.stringify({ stopAt: 'locked' }), '--yes', '-C', dir, '--gpu', mode, '--force'], { detached: true, env: holderEnv, stdio: 'ignore' });
      const waitLock = async () => {
        for (let i = 0; i < 200 && !/pid=\d+/.test(existsSync(lockOf(dir)) ? readFileSync(lockOf(dir), 'utf8') : ''); i++) await new Promise((r) => setTimeout(r, 50));
        return readFileSync(lockOf(dir), 'utf8');
      };
      const holder = startHolder('nvidia');
      const exited = new Promise<number | null>((resolve) => holder.on('exit', (code) => resolve(code)));
      try {
        const text = await waitLock();
        expect(text).not.toContain(`pidns=${thisRun().pidns}`);
        const ino = statSync(lockOf(dir)).ino;
        // From this namespace: /proc shows the holder's namespace and the run in it.
        const here = await kg(['--yes', '-C', dir, '--gpu', 'mac', '--force'], nvidia);
        expect(here.code).toBe(1);
        expect(here.stderr).toContain(`another kg-init is running in ${dir}`);
        expect(here.stderr).toContain('held from another pid namespace');
        // From a third namespace, which cannot see the holder's: the lock is young, so it is respected.
        const third = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, BIN, '--yes', '-C', dir, '--gpu', 'mac', '--force'], { env: holderEnv, encoding: 'utf8', timeout: 20_000 });
        expect(third.status).toBe(1);
        expect(third.stderr).toContain(`another kg-init is running in ${dir}`);
        expect(readFileSync(lockOf(dir), 'utf8')).toBe(text);
        expect(statSync(lockOf(dir)).ino).toBe(ino);
        expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^GPU_MODE=cpu$/m);
        process.kill(-holder.pid!, 'SIGCONT');
        expect(await exited).toBe(0);
      } finally {
        try {
          process.kill(-holder.pid!, 'SIGKILL');
        } catch {
          // ended
        }
      }
      expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^GPU_MODE=nvidia$/m);
      expect(existsSync(lockOf(dir))).toBe(false);

      // A holder killed in its namespace: its lock never blocks for good (gone by /proc's evidence, or by age where /proc cannot tell).
      const killed = startHolder('mac');
      await waitLock();
      const gone = new Promise((resolve) => killed.on('exit', resolve));
      process.kill(-killed.pid!, 'SIGKILL');
      await gone;
      const after = await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu);
      if (after.code !== 0) {
        expect(after.stderr).toContain('held from another pid namespace');
        const old = (Date.now() - STALE_FOREIGN_MS - 5000) / 1000;
        utimesSync(lockOf(dir), old, old);
        const later = await kg(['--yes', '-C', dir, '--gpu', 'cpu'], cpu);
        expect(later.code, later.stderr).toBe(0);
      }
      expect(readFileSync(join(dir, '.operator.conf'), 'utf8')).toMatch(/^GPU_MODE=cpu$/m);
    });
  });
});
