// The docs are checked against the code they describe: every finding code (ours and
// test/hosts/README.md's) has a cause and a fix, every option of the option table and
// every environment variable of --help is in the usage page, the exit codes are one
// table, the catalog's modes, tags and gfx targets are named, every link resolves,
// and the fleet playbooks are valid YAML that Ansible accepts and that behave as the
// fleet page says (changed from the JSON, failure on exit 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HOSTS, REPO, toolsRequired } from './helpers/cli.js';
import { FINDING_CODES } from '../src/report.js';
import { RUNTIME_FINDING_CODES } from '../src/doctor/runtime-judge.js';
import { COMMANDS, OPTIONS } from '../src/cli/args.js';
import { helpText } from '../src/cli/help.js';
import { makeStyle } from '../src/cli/color.js';
import { MODES, catalog, imageTagFor } from '../src/catalog.js';

const DOCS = join(REPO, 'docs');
const doc = (name: string) => readFileSync(join(DOCS, name), 'utf8');

/** The text of the section under a heading, up to the next heading of the same or a higher level. */
function section(md: string, heading: RegExp): string | null {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start === -1) return null;
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** Rows of the first markdown table in a text, as trimmed cells (header and rule dropped). */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  if (first === -1) return [];
  const rows: string[][] = [];
  for (let i = first; i < lines.length && lines[i]!.startsWith('|'); i++) {
    // Cells split on pipes that are not escaped (\|) inside code.
    rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows.slice(2);
}

/** GitHub's heading anchors (github-slugger): lowercase, punctuation dropped, spaces → '-'. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inFence = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const m = !inFence && /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

function hostsReadmeCodes(): string[] {
  const readme = readFileSync(join(HOSTS, 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (?:info|warning|error)/gm)].map((m) => m[1]!);
}

describe('docs/gpu-modes.md', () => {
  const md = doc('gpu-modes.md');

  it('reads test/hosts/README.md\'s finding-code table (the parser finds it)', () => {
    expect(hostsReadmeCodes().length).toBeGreaterThanOrEqual(20);
  });

  const codes = [...new Set([...FINDING_CODES, ...RUNTIME_FINDING_CODES, ...hostsReadmeCodes()])];
  it.each(codes)('documents %s with its severity, cause and fix', (code) => {
    const body = section(md, new RegExp(`^### \`${code}\`$`));
    expect(body, `no "### \`${code}\`" section`).not.toBeNull();
    expect(body).toMatch(/Severity: (info|warning|error)/);
    expect(body).toMatch(/\*\*Cause:\*\* \S.{20,}/s);
    expect(body).toMatch(/\*\*Fix:\*\* \S.{15,}/s);
    // And in the summary table.
    expect(md).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('every finding code a recorded host expects is described in test/hosts/README.md', () => {
    const described = new Set(hostsReadmeCodes());
    for (const name of readdirSync(HOSTS)) {
      const expectFile = join(HOSTS, name, 'expect.json');
      if (!existsSync(expectFile)) continue;
      const e = JSON.parse(readFileSync(expectFile, 'utf8')) as { findings?: string[]; notFindings?: string[] };
      for (const code of [...(e.findings ?? []), ...(e.notFindings ?? [])]) {
        expect(described.has(code), `${name}/expect.json names ${code}, which test/hosts/README.md does not describe`).toBe(true);
      }
    }
  });

  it('every finding code in test/hosts/README.md is one of ours (report.ts FINDING_CODES)', () => {
    expect(FINDING_CODES).toEqual(expect.arrayContaining(hostsReadmeCodes()));
  });

  it('names every mode, tag, overlay, gfx target and override of the catalog', () => {
    for (const mode of MODES) {
      expect(md).toContain(`\`${mode}\``);
      expect(md).toContain(`\`${imageTagFor(mode)}\``);
      expect(md).toContain(`\`${imageTagFor(mode, '0.13.1')}\``);
      const overlay = catalog.modes[mode].overlay;
      if (overlay) expect(md).toContain(`\`${overlay}\``);
    }
    for (const variant of Object.values(catalog.variants)) {
      if (!variant.rocm) continue;
      expect(md).toContain(`ROCm ${variant.rocm.version}`);
      for (const gfx of variant.rocm.gfxTargets) expect(md).toContain(`\`${gfx}\``);
      for (const [gfx, version] of Object.entries(variant.rocm.overrides)) {
        expect(md).toContain(`\`${gfx}\``);
        expect(md).toContain(version);
      }
    }
    expect(md).toContain('deprecated alias');
  });

  it('explains the three statuses and how the recommendation is chosen', () => {
    const how = section(md, /^## How detection decides$/);
    expect(how).not.toBeNull();
    for (const s of ['ready', 'degraded', 'blocked']) expect(how).toMatch(new RegExp(`^\\| \`${s}\` \\|`, 'm'));
    expect(how).toContain('ROCR_VISIBLE_DEVICES');
    expect(how).toMatch(/more VRAM/);
  });
});

describe('docs/usage.md', () => {
  const md = doc('usage.md');
  const optionRows = tableRows(section(md, /^## Options$/) ?? '');

  it.each(OPTIONS.map((o) => [o.name, o] as const))('documents --%s as the option table defines it', (_name, o) => {
    const row = optionRows.find((r) => r[0]!.split(', ')[0] === `\`--${o.name}\``);
    expect(row, `no row for --${o.name} in the Options table`).toBeDefined();
    expect(row![0]).toBe(o.short ? `\`--${o.name}\`, \`-${o.short}\`` : `\`--${o.name}\``);
    expect(row![1]).toBe(o.value ? `\`${o.value}\`` : '');
    const commands =
      o.commands.length === 3 ? 'all' : o.commands.map((c) => (c === 'main' ? '`kg-init`' : `\`${c}\``)).join(', ');
    expect(row![2]).toBe(commands);
    expect(row![3]!.length).toBeGreaterThan(10);
  });

  it('has no option the option table does not', () => {
    const names = new Set(OPTIONS.map((o) => `\`--${o.name}\``));
    for (const r of optionRows) expect(names, r[0]).toContain(r[0]!.split(', ')[0]);
  });

  it('documents every command', () => {
    const rows = tableRows(section(md, /^## Commands$/) ?? '');
    for (const c of Object.keys(COMMANDS)) expect(rows.some((r) => r[0]!.startsWith(`\`kg-init ${c}`))).toBe(true);
    expect(rows.some((r) => r[0] === '`kg-init`')).toBe(true);
    expect(rows.some((r) => r[0] === '`kg-init --yes`')).toBe(true);
  });

  it('documents every environment variable of --help, and the installer\'s', () => {
    const help = helpText('0.0.0', makeStyle(false));
    const envSection = help.split('\n\n').find((p) => p.startsWith('Environment'))!;
    const vars = [...envSection.matchAll(/^ {2}([A-Z][A-Z0-9_]+)/gm)].map((m) => m[1]!);
    expect(vars).toEqual(expect.arrayContaining(['NO_COLOR', 'KG_INIT_HOST_SNAPSHOT']));
    const env = tableRows(section(md, /^## Environment$/) ?? '').map((r) => r[0]!);
    for (const v of [...vars, 'KG_INIT_VERSION', 'KG_INIT_PACKAGE']) {
      expect(env.some((cell) => cell.startsWith(`\`${v}`)), v).toBe(true);
    }
  });

  it('has the exit codes 0, 1, 2, 3, 130 in one table', () => {
    const rows = tableRows(section(md, /^## Exit codes$/) ?? '');
    expect(rows.map((r) => r[0])).toEqual(['0', '1', '2', '3', '130']);
    for (const r of rows) expect(r[1]!.length).toBeGreaterThan(5);
    expect(rows[3]![1]).toMatch(/blocked/);
    expect(rows[4]![1]).toMatch(/[Cc]ancelled/);
  });
});

describe('docs/troubleshooting.md', () => {
  it('covers the failures GPU installers actually hit', () => {
    const md = doc('troubleshooting.md');
    for (const h of [
      /^## \/dev\/kfd permissions and the render group$/m,
      /^## An iGPU picked over the discrete GPU$/m,
      /^## Unsupported gfx target and HSA_OVERRIDE_GFX_VERSION$/m,
      /^## WSL2$/m,
      /^## Missing NVIDIA Container Toolkit$/m,
      /^## Docker Desktop on Linux$/m,
      /^## A hung nvidia-smi$/m,
    ]) {
      expect(md).toMatch(h);
    }
    // It opens with the question every GPU install ends with, and the command that answers it.
    const firstSection = /^## (.*)$/m.exec(md)![1];
    expect(firstSection).toBe('Is my GPU really used?');
    expect(section(md, /^## Is my GPU really used\?$/)).toContain('kg-init doctor --runtime');
    for (const word of ['usermod -aG render', 'ROCR_VISIBLE_DEVICES', 'HSA_OVERRIDE_GFX_VERSION', '/dev/dxg', 'nvidia-ctk', 'docker context use default', 'PROBE_TIMEOUT']) {
      expect(md).toContain(word);
    }
  });
});

describe('links between the docs', () => {
  const files = readdirSync(DOCS).filter((f) => f.endsWith('.md'));

  it('has the pages the README links to', () => {
    for (const f of ['usage.md', 'gpu-modes.md', 'troubleshooting.md', 'architecture.md', 'fleet.md', 'snapshots.md']) {
      expect(files).toContain(f);
    }
  });

  it('README.md links into every page', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const f of files) expect(readme).toContain(`](docs/${f})`);
  });

  it.each([...files, '../README.md'])('every relative link in %s resolves (file and anchor)', (file) => {
    const md = doc(file);
    const links = [...md.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    for (const link of links) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? resolve(DOCS, dirname(file), path) : join(DOCS, file);
      expect(existsSync(target), `${file}: ${link}`).toBe(true);
      if (anchor) expect(anchors(readFileSync(target, 'utf8')), `${file}: ${link}`).toContain(anchor);
    }
  });
});

describe('docs/snapshots.md and docs/architecture.md', () => {
  it('snapshots: recording with --save-snapshot and turning it into test/hosts with an expect.json', () => {
    const md = doc('snapshots.md');
    expect(md).toContain('kg-init probe --save-snapshot');
    expect(md).toContain('KG_INIT_HOST_SNAPSHOT=');
    expect(md).toContain('test/hosts/');
    const example = /```json\n([\s\S]*?)```/.exec(md);
    const expectJson = JSON.parse(example![1]!) as Record<string, unknown>;
    expect(Object.keys(expectJson)).toEqual(expect.arrayContaining(['mode', 'imageTag', 'findings', 'modes']));
    for (const code of [...(expectJson.findings as string[]), ...(expectJson.notFindings as string[])]) {
      expect(FINDING_CODES).toContain(code);
    }
  });

  it('architecture: the module table covers src/ and names only paths that exist', () => {
    const md = doc('architecture.md');
    const table = section(md, /^## Modules$/) ?? '';
    const named = tableRows(table).flatMap((r) => [...r[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\/$/, '')));
    for (const p of named) expect(existsSync(join(REPO, p)), `${p} in the module table`).toBe(true);
    const src = readdirSync(join(REPO, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')))
      .map((e) => `src/${e.name}`);
    const covered = (p: string) => named.some((n) => n === p || n.startsWith(`${p}/`));
    for (const p of src) expect(covered(p), `${p} is missing from the module table`).toBe(true);
  });

  it('architecture: makePlan and applyPlan are shown with their parameters as the code has them', () => {
    const md = doc('architecture.md');
    for (const [fn, file] of [['makePlan', 'src/plan/make.ts'], ['applyPlan', 'src/apply/apply.ts']] as const) {
      const code = readFileSync(join(REPO, file), 'utf8');
      const params = /export (?:async )?function \w+\(([^)]*)\)/.exec(code.slice(code.indexOf(`function ${fn}(`) - 16))![1]!;
      const names = [...params.matchAll(/(?:^|,)\s*(\w+)\??:/g)].map((m) => m[1]!);
      const shown = [...md.matchAll(new RegExp(`${fn}\\(([^)]*)\\)`, 'g'))].map((m) => m[1]!.split(',')[0]!.trim());
      expect(shown.length, fn).toBeGreaterThan(0);
      for (const m of md.matchAll(new RegExp(`${fn}\\(([a-z, ]+)`, 'g'))) {
        const args = m[1]!.split(',').map((a) => a.trim()).filter((a) => /^\w+$/.test(a));
        expect(names.slice(0, args.length), `${fn}(${m[1]}) in docs/architecture.md against ${file}`).toEqual(args);
      }
    }
  });
});

// ---- fleet ----------------------------------------------------------------------

const PLAYBOOKS = ['kg-init.yml', 'kg-probe.yml'].map((f) => join(DOCS, 'fleet', f));
const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
const needAnsible = !hasAnsible && !toolsRequired();

interface Task {
  name?: string;
  block?: Task[];
  rescue?: Task[];
  register?: string;
  changed_when?: unknown;
  failed_when?: unknown;
  [module: string]: unknown;
}

describe('docs/fleet', () => {
  it('the playbooks are valid YAML: plays with tasks', () => {
    for (const file of PLAYBOOKS) {
      const plays = parseYaml(readFileSync(file, 'utf8')) as Array<{ hosts: string; tasks: Task[] }>;
      expect(Array.isArray(plays)).toBe(true);
      expect(plays[0]!.hosts).toBeTruthy();
      expect(plays[0]!.tasks.length).toBeGreaterThan(0);
    }
  });

  it('kg-init.yml registers the run, reads changed from the JSON and fails on a non-zero exit', () => {
    const [play] = parseYaml(readFileSync(PLAYBOOKS[0]!, 'utf8')) as Array<{ vars: Record<string, unknown>; tasks: Task[] }>;
    const all = play!.tasks.flatMap((t) => [t, ...(t.block ?? []), ...(t.rescue ?? [])]);
    const run = all.find((t) => t.register === 'kg_init')!;
    expect(run).toBeDefined();
    const argv = String((run['ansible.builtin.command'] as { argv: string }).argv);
    for (const part of ["'--yes'", "'--gpu=' ~ kg_init_gpu", "'--json'", "'--dir'"]) expect(argv).toContain(part);
    expect(play!.vars.kg_init_gpu).toBe('auto');
    expect(String(run.changed_when)).toContain('from_json).changed');
    expect(String(run.failed_when)).toContain('rc != 0');
  });

  it('cloud-init.yaml is a valid #cloud-config that runs the installer headless', () => {
    const text = readFileSync(join(DOCS, 'fleet', 'cloud-init.yaml'), 'utf8');
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const config = parseYaml(text) as { runcmd: unknown[] };
    const cmds = JSON.stringify(config.runcmd);
    expect(cmds).toContain('install.sh');
    expect(cmds).toContain('--yes');
    expect(cmds).toContain('--json');
  });

  it.skipIf(needAnsible).each(PLAYBOOKS)('ansible-playbook --syntax-check accepts %s', (file) => {
    const r = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'localhost,', file], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
    });
    expect(r.error, 'ansible-playbook is required (KG_INIT_REQUIRE_TOOLS is set)').toBeUndefined();
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
  });
});

// The playbook run against localhost, with stand-in node/npx that answer like
// kg-init: what the play recap says is what an operator would see.
describe.skipIf(needAnsible)('docs/fleet/kg-init.yml against localhost', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kg-fleet-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'node'), '#!/bin/sh\necho v20.11.1\n');
    writeFileSync(
      join(dir, 'bin', 'npx'),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${dir}/argv'\ncat '${dir}/stdout'\ncat '${dir}/stderr' >&2\nexit "$(cat '${dir}/status')"\n`,
    );
    chmodSync(join(dir, 'bin', 'node'), 0o755);
    chmodSync(join(dir, 'bin', 'npx'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function play(kg: { stdout: string; stderr?: string; status: number }, extra: string[] = []) {
    writeFileSync(join(dir, 'stdout'), kg.stdout);
    writeFileSync(join(dir, 'stderr'), kg.stderr ?? '');
    writeFileSync(join(dir, 'status'), String(kg.status));
    const r = spawnSync(
      'ansible-playbook',
      ['-i', 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter={{ ansible_playbook_python }}', ...extra, PLAYBOOKS[0]!],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
          HOME: dir,
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_LOCAL_TEMP: join(dir, 'tmp-local'),
          ANSIBLE_REMOTE_TEMP: join(dir, 'tmp-remote'),
        },
      },
    );
    expect(r.error, 'ansible-playbook is required (KG_INIT_REQUIRE_TOOLS is set)').toBeUndefined();
    const recap = /localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/.exec(r.stdout);
    expect(recap, r.stdout + r.stderr).not.toBeNull();
    const argv = existsSync(join(dir, 'argv')) ? readFileSync(join(dir, 'argv'), 'utf8').trim().split('\n') : [];
    return { status: r.status, out: r.stdout, changed: Number(recap![2]), failed: Number(recap![3]), argv };
  }

  const json = (changed: boolean) =>
    JSON.stringify({ changed, mode: 'amd-host', imageTag: 'rocm72-host', files: [], backups: [], findings: [{ code: 'GFX_OVERRIDE', severity: 'warning', message: 'm' }] });

  it('runs kg-init --yes --gpu=auto --json and reports changed when the JSON says changed', () => {
    const r = play({ stdout: json(true), status: 0 }, ['-e', `kg_init_report_dir=${join(dir, 'reports')}`]);
    expect(r.argv).toEqual(['--yes', 'kg-init@latest', '--yes', '--gpu=auto', '--dir', '/opt/knowledge-graph', '--json']);
    expect(r.failed).toBe(0);
    expect(r.changed).toBe(1);
    expect(r.out).toContain('amd-host (kg-api:rocm72-host), changed; findings: GFX_OVERRIDE');
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'localhost.json'), 'utf8'))).toMatchObject({ changed: true });
  });

  it('is ok, not changed, when kg-init changed nothing', () => {
    const r = play({ stdout: json(false), status: 0 });
    expect(r.status).toBe(0);
    expect(r.failed).toBe(0);
    expect(r.changed).toBe(0);
  });

  it('fails the host on exit 3 (blocked) and says why', () => {
    const r = play({ stdout: '', stderr: 'kg-init: nvidia is blocked on this host: no NVIDIA Container Toolkit', status: 3 }, ['-e', 'kg_init_gpu=nvidia']);
    expect(r.argv).toContain('--gpu=nvidia');
    expect(r.status).not.toBe(0);
    expect(r.failed).toBe(1);
    expect(r.out).toContain('blocked on this host, nothing was written');
    expect(r.out).toContain('no NVIDIA Container Toolkit');
  });

  it.each([1, 2])('fails the host on exit %i as well', (status) => {
    const r = play({ stdout: '', stderr: 'kg-init: boom', status });
    expect(r.failed).toBe(1);
    expect(r.out).toContain(`kg-init exited ${status}`);
  });

  it('runs a local package (air-gapped) with extra flags', () => {
    const r = play({ stdout: json(false), status: 0 }, ['-e', 'kg_init_package=/srv/kg-init.tgz', '-e', '{"kg_init_args": ["--release", "0.13.1"]}']);
    expect(r.argv).toEqual(['--yes', '--package', '/srv/kg-init.tgz', 'kg-init', '--yes', '--gpu=auto', '--dir', '/opt/knowledge-graph', '--json', '--release', '0.13.1']);
  });
});
