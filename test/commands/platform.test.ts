// kg-init against a model of the real platform: its own fixture of the
// platform repository (test/fixtures/platform: base and standalone compose
// files, an operator.sh stand-in that selects compose files and derives the
// kg-api tag the way the platform documents it), served from a loopback HTTP
// server for a first install, copied as a repository clone for the others.
// What the api service gets is resolved with a real Compose v2 through the
// stand-in operator.sh, as the platform would start it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, toolsRequired } from '../helpers/cli.js';
import { composeV2, type ComposeModel } from '../helpers/compose.js';
import { amdReport, AMD_OVERLAY } from '../helpers/report.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/platform/', import.meta.url));
const REGISTRY = 'ghcr.io/aaronsb/knowledge-graph-system';
const hasCompose = composeV2() !== null;

let root: string;
let server: Server;
let base: string;
let report: string;
/** Paths the server answers with an error page or an HTML page instead of the file. */
const broken = new Map<string, 'html' | 404>();
let n = 0;
const newDir = () => join(root, `install-${++n}`);
const read = (p: string) => readFileSync(p, 'utf8');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kg-platform-'));
  report = join(root, 'amd.report.json');
  writeFileSync(report, JSON.stringify(amdReport()));
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const b = broken.get(path);
    if (b === 'html') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('<!DOCTYPE html><html><body>Sign in to continue</body></html>');
      return;
    }
    const file = normalize(join(FIXTURE, path));
    if (b === 404 || !file.startsWith(FIXTURE) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

const kg = (args: string[], env: Record<string, string> = {}) => runCli(['--yes', ...args], { env: { KG_INIT_REPORT: report, ...env }, cwd: root });

/** What the platform's operator.sh (the fixture's stand-in) resolves in `dir`: Compose's model and its warnings. */
function platformConfig(dir: string): { model: ComposeModel; stderr: string } {
  const r = spawnSync(join(dir, 'operator.sh'), ['config'], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, KG_FIXTURE_COMPOSE: composeV2()!.join(' ') },
  });
  if (r.status !== 0) throw new Error(`operator.sh config failed: ${r.stderr}`);
  return { model: JSON.parse(r.stdout) as ComposeModel, stderr: r.stderr };
}

function platformTag(dir: string): string {
  return spawnSync(join(dir, 'operator.sh'), ['tag'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } }).stdout.trim();
}

const SECRET_FORMATS: Record<string, RegExp> = {
  POSTGRES_PASSWORD: /^[A-Za-z0-9]{32}$/,
  ENCRYPTION_KEY: /^[A-Za-z0-9_-]{43}=$/,
  OAUTH_SIGNING_KEY: /^[A-Za-z0-9]{64}$/,
  INTERNAL_KEY_SERVICE_SECRET: /^[A-Za-z0-9]{32}$/,
  GARAGE_RPC_SECRET: /^[0-9a-f]{64}$/,
};

function envValues(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('first install from nothing, from a loopback copy of the platform', () => {
  let dir: string;
  beforeAll(async () => {
    dir = newDir();
    const r = await kg(['-C', dir, '--gpu=auto', '--platform-source', base]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`installed from ${base}`);
    expect(r.stdout).toContain('./operator.sh start');
    expect(r.stdout).toMatch(/Then: .*\.\/operator\.sh admin.*\.\/operator\.sh ai-provider/);
    expect(r.stdout).not.toMatch(/POSTGRES_PASSWORD=|ENCRYPTION_KEY=/);
  });

  test("the standalone installer's layout: paths adapted, operator.sh executable, .env 0600 with the five secrets", () => {
    for (const f of ['docker-compose.yml', 'docker-compose.standalone.yml', 'operator.sh', 'operator/lib/image-tag.sh', 'operator/lib/configure-ai.sh', 'schema/00_baseline.sql', 'config/garage.toml']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const baseFile = read(join(dir, 'docker-compose.yml'));
    expect(baseFile).toContain('./schema/00_baseline.sql:');
    expect(baseFile).toContain('./config/garage.toml:');
    expect(baseFile).not.toContain('../schema/');
    expect(statSync(join(dir, 'operator.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    const env = envValues(read(join(dir, '.env')));
    for (const [k, re] of Object.entries(SECRET_FORMATS)) expect(env[k], k).toMatch(re);
    expect(Buffer.from(env.ENCRYPTION_KEY!, 'base64url')).toHaveLength(32);
    expect(env).toMatchObject({ POSTGRES_USER: 'admin', POSTGRES_DB: 'knowledge_graph', GARAGE_BUCKET: 'kg-storage' });
    // The platform derives the tag: kg-init writes none.
    expect(read(join(dir, '.operator.conf'))).not.toMatch(/^KG_API_IMAGE_TAG=/m);
    expect(platformTag(dir)).toBe('rocm72-host');
  });

  test('a second run changes nothing: .env is never rewritten, nothing is fetched again', async () => {
    const before = read(join(dir, '.env'));
    const r = await kg(['-C', dir, '--gpu=auto', '--json', '--platform-source', join(root, 'nowhere')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ changed: false, layout: 'standalone' });
    expect(read(join(dir, '.env'))).toBe(before);
  });

  test.skipIf(!hasCompose && !toolsRequired())("operator.sh resolves api to the selected image with this host's overlay, no unset variable, no build", () => {
    const { model, stderr } = platformConfig(dir);
    const api = model.services.api!;
    expect(api.image).toBe(`${REGISTRY}/kg-api:rocm72-host`);
    expect(api.build).toBeUndefined();
    expect(api.pull_policy).toBe('missing');
    expect(api.group_add).toEqual(['video', ...AMD_OVERLAY.groupGids.map(String)]);
    expect(api.environment?.HSA_OVERRIDE_GFX_VERSION).toBe('10.3.0');
    expect(api.environment?.POSTGRES_PASSWORD).toMatch(SECRET_FORMATS.POSTGRES_PASSWORD!);
    expect(stderr).not.toMatch(/variable is not set/i);
  });

  test.skipIf(!hasCompose && !toolsRequired())('a hand edit of GPU_MODE afterwards: the platform derives the new tag', () => {
    const copy = join(root, `edited-${n}`);
    cpSync(dir, copy, { recursive: true });
    const conf = join(copy, '.operator.conf');
    writeFileSync(conf, read(conf).replace(/^GPU_MODE=amd-host$/m, 'GPU_MODE=nvidia'));
    expect(platformTag(copy)).toBe('latest');
    expect(platformConfig(copy).model.services.api!.image).toBe(`${REGISTRY}/kg-api:latest`);
  });
});

describe('sources that cannot be used: exit 1 naming the URL or path and why, nothing written, no compose up', () => {
  async function fails(args: string[], expectInMessage: string | RegExp): Promise<void> {
    const dir = newDir();
    const r = await kg(['-C', dir, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(expectInMessage);
    expect(r.stderr).toContain('--platform-source DIR');
    expect(r.stdout + r.stderr).not.toMatch(/up -d|operator\.sh start/);
    expect(existsSync(dir) ? readdirSync(dir).filter((f) => f !== '.kg-init') : []).toEqual([]);
  }

  test('nothing listening', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((r) => closed.close(r));
    await fails(['--platform-source', url], `${url}docker/docker-compose.yml: connection refused`);
  });

  test('a file missing (HTTP 404)', async () => {
    broken.set('operator/lib/image-tag.sh', 404);
    try {
      await fails(['--platform-source', base], `${base}operator/lib/image-tag.sh: HTTP 404`);
    } finally {
      broken.clear();
    }
  });

  test('an HTML page instead of the file (a captive portal)', async () => {
    broken.set('docker/docker-compose.standalone.yml', 'html');
    try {
      await fails(['--platform-source', base], /docker-compose\.standalone\.yml: an HTML page came back/);
    } finally {
      broken.clear();
    }
  });

  test('a directory that is not a platform copy; KG_INIT_PLATFORM_SOURCE is read too', async () => {
    const empty = join(root, `not-a-copy-${n}`);
    mkdirSync(empty);
    await fails(['--platform-source', empty], `${join(empty, 'docker/docker-compose.yml')}: no such file`);
    const r = await kg(['-C', newDir()], { KG_INIT_PLATFORM_SOURCE: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(empty);
  });
});

describe('a clone of the platform repository (docker/)', () => {
  function clone(conf: string | null): string {
    const dir = newDir();
    cpSync(FIXTURE, dir, { recursive: true });
    mkdirSync(join(dir, '.git'));
    if (conf !== null) writeFileSync(join(dir, '.operator.conf'), conf);
    // A developer's .env (a clone's own operator.sh init makes it).
    writeFileSync(join(dir, '.env'), Object.keys(SECRET_FORMATS).map((k) => `${k}=dev-${k.toLowerCase()}`).join('\n') + '\n', { mode: 0o600 });
    return dir;
  }

  test('renders where operator.sh reads (docker/), reports the tracked files it changed, and the platform resolves this host', async () => {
    const dir = clone(null);
    const r = await kg(['-C', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.layout).toBe('clone');
    expect(j.files).toContainEqual({ path: 'docker/docker-compose.gpu-amd-host.yml', action: 'update' });
    expect(j.findings.map((f: { code: string }) => f.code)).toContain('TRACKED_FILES_CHANGED');
    expect(existsSync(join(dir, 'docker-compose.gpu-amd-host.yml'))).toBe(false);
    expect(read(join(dir, 'docker/docker-compose.gpu-amd-host.yml'))).toContain('- "992"');
    if (!hasCompose && !toolsRequired()) return;
    const api = platformConfig(dir).model.services.api!;
    expect(api.image).toBe(`${REGISTRY}/kg-api:rocm72-host`);
    // The CPU api/Dockerfile is never built under the selected tag, nor the tracked ROCm build.
    expect(api.build).toBeUndefined();
    expect(api.group_add).toEqual(['video', '110', '992']);
  });

  test('a development clone building locally keeps IMAGE_SOURCE=local: the ROCm build with this host\'s facts', async () => {
    const dir = clone('DEV_MODE=true\nIMAGE_SOURCE=local\nGPU_MODE=nvidia\n');
    const ghcrBefore = read(join(dir, 'docker/docker-compose.ghcr.yml'));
    const r = await kg(['-C', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(join(dir, '.operator.conf'))).toMatch(/^IMAGE_SOURCE=local$/m);
    expect(read(join(dir, 'docker/docker-compose.ghcr.yml'))).toBe(ghcrBefore);
    if (!hasCompose && !toolsRequired()) return;
    const api = platformConfig(dir).model.services.api!;
    expect(api.build?.dockerfile).toBe('api/Dockerfile.rocm-host');
    expect(api.build?.context).toBe(dir);
    expect(api.group_add).toEqual(['video', '110', '992']);
    expect(api.environment?.HSA_OVERRIDE_GFX_VERSION).toBe('10.3.0');
  });

  test('--image-source local outside a clone exits 1 and writes nothing', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--image-source', 'local', '--platform-source', base]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('only a clone');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('a release pin reaches the platform as the explicit tag', () => {
  test.skipIf(!hasCompose && !toolsRequired())('--release 0.13.1: KG_API_IMAGE_TAG=0.13.1-rocm72-host, which operator.sh exports', async () => {
    const dir = newDir();
    const r = await kg(['-C', dir, '--release', '0.13.1', '--platform-source', base]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(join(dir, '.operator.conf'))).toMatch(/^KG_API_IMAGE_TAG=0\.13\.1-rocm72-host$/m);
    expect(platformTag(dir)).toBe('0.13.1-rocm72-host');
    expect(platformConfig(dir).model.services.api!.image).toBe(`${REGISTRY}/kg-api:0.13.1-rocm72-host`);
  });
});
