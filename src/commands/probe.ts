// `kg-init probe`: what this host has and what each mode would do here.
// --json prints the Report as probeReport builds it (test/probe/report-schema.test.ts
// holds it to reportSchema on every recorded host); --save-snapshot DIR
// records the host the probe read as a replayable snapshot.
import type { Args } from '../cli/args.js';
import { styles, type IO } from '../cli/io.js';
import type { Style } from '../cli/color.js';
import { formatBytes } from '../present/bytes.js';
import { gpuName } from '../present/gpu.js';
import { kgInit, suggest } from '../present/shell.js';
import { findingText, fixOf, mark } from '../present/symbols.js';
import { outputWidth, wrap } from '../present/wrap.js';
import { openHost } from '../host/index.js';
import { probeReport } from '../assess/report.js';
import type { Finding, Report } from '../report.js';
import { EXIT } from '../errors.js';

export async function runProbe(args: Args, io: IO): Promise<number> {
  const host = await openHost(io.env);
  if (args.saveSnapshot) {
    const { RecordingHost, prepareSnapshotDir, writeSnapshot } = await import('../host/record.js');
    const dir = await prepareSnapshotDir(args.saveSnapshot, io.cwd);
    const rec = new RecordingHost(host);
    const report = await probeReport(rec);
    await writeSnapshot(rec, dir, report);
    print(report, args, io);
    io.stderr.write(`Snapshot saved to ${dir} (replay: KG_INIT_HOST_SNAPSHOT=${dir} kg-init probe)\n`);
    return EXIT.ok;
  }
  // (probeReport's host data is sanitised for the terminal.)
  print(await probeReport(host), args, io);
  return EXIT.ok;
}

function print(report: Report, args: Args, io: IO): void {
  if (args.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const { out } = styles(io, args.noColor);
  io.stdout.write(formatReport(report, out, outputWidth(io.stdout, io.env)));
}

// eslint-disable-next-line no-control-regex
const visible = (t: string) => t.replace(/\u001b\[[0-9;]*m/g, '');

const STATUS_LEVEL = { ready: 'ok', degraded: 'warning', blocked: 'error' } as const;

/**
 * The human-readable report (no colour when the style is disabled), wrapped
 * to `width`. Each reason is said once: a mode's findings sit under the mode,
 * the host's own findings under Findings, and the recommendation points back.
 */
export function formatReport(r: Report, s: Style, width = 80): string {
  const L: string[] = [];
  /** Prose wrapped at `width`, continuation rows under the first. */
  const para = (lead: string, text: string, indent = visible(lead).length) => {
    for (const [i, row] of wrap(text, width - visible(lead).length).entries()) L.push(i === 0 ? lead + row : ' '.repeat(indent) + row);
  };
  const finding = (f: Finding, lead: string) => {
    const sub = ' '.repeat(lead.length + 2);
    const m = mark(f.severity, s);
    const rows = wrap(findingText(f), width - lead.length - 2);
    rows.forEach((row, i) => L.push(i === 0 ? `${lead}${m} ${row}` : `${sub}${row}`));
    const fix = fixOf(f);
    if (fix?.label === 'fix') para(`${sub}${s.dim('fix:')} `, suggest(fix.text));
    else if (fix) para(sub, fix.text);
  };
  const h = r.host;
  const where = r.source === 'live' ? '' : ` (snapshot ${r.source})`;
  para(`${s.bold('kg-init probe')} · `, `${[h.distro?.name ?? h.platform, h.wsl ? 'WSL2' : null, h.arch, `kernel ${h.kernelRelease}`, `user ${h.user}`].filter(Boolean).join(' · ')}${where}`);
  L.push('');
  L.push(s.bold('GPUs'));
  if (r.gpus.length === 0) L.push('  none found');
  for (const g of r.gpus) {
    const name = gpuName(g);
    const parts = [
      g.gfxTarget && !name.includes(g.gfxTarget) ? g.gfxTarget : null,
      g.integrated === undefined ? null : g.integrated ? 'integrated' : 'discrete',
      formatBytes(g.vramBytes) || null,
      g.pciAddress ?? null,
      g.pciClass ? `class ${g.pciClass}` : null,
      g.driver === undefined ? null : g.driver === null ? 'no driver' : `driver ${g.driver}`,
      g.uuid ?? null,
    ].filter(Boolean);
    para('  ', [name, ...parts].join(' · '), 4);
  }
  L.push('');
  L.push(s.bold('Drivers'));
  const nv = r.nvidia;
  if (nv.driverVersion || nv.smi !== 'missing') {
    para('  NVIDIA    ', `${nv.driverVersion ?? 'no driver version'}${nv.kernelModule ? ` (${nv.kernelModule} module)` : ''} · nvidia-smi ${nv.smi}${nv.smiPath && nv.smiPath !== 'nvidia-smi' ? ` (${nv.smiPath})` : ''}`);
  } else {
    L.push('  NVIDIA    none');
  }
  para('  ROCm      ', `${r.rocm.version ? `${r.rocm.version} (${r.rocm.source})` : 'no host userspace'}${r.rocm.amdgpuModule ? ` · amdgpu module ${r.rocm.amdgpuModule}` : ''}`);
  const k = r.devices.kfd;
  const access = (d: Report['devices']['kfd']) =>
    d.present ? `group ${d.group ?? d.gid ?? '?'}${d.gid !== undefined && d.group ? ` (${d.gid})` : ''}, ${d.userAccess ? 'read-write for you' : s.yellow('not accessible to you')}` : 'missing';
  if (h.platform === 'linux') {
    L.push(`  /dev/kfd  ${access(k)}`);
    for (const d of r.devices.render) L.push(`  ${d.path.replace('/dev/dri/', '')} ${access(d)}`);
  }
  if (r.mac) L.push(`  Mac       ${r.mac.chip ?? '?'}${r.mac.version ? ` · macOS ${r.mac.version}` : ''}`);
  L.push('');
  const d = r.docker;
  // Where the user looks first: a missing NVIDIA Container Toolkit is said here too, not only under the nvidia mode.
  const toolkit = r.findings.some((f) => f.code === 'NVIDIA_TOOLKIT_MISSING') ? ' · NVIDIA Container Toolkit missing' : '';
  const docker = !d.installed
    ? 'not installed'
    : !d.running
      ? `installed${d.version ? ` ${d.version}` : ''}, daemon not answering`
      : `${d.podman ? 'Podman ' : ''}${d.version ?? '?'} running${d.desktop ? ' (Docker Desktop)' : ''}${d.rootless ? ' (rootless)' : ''} · runtimes ${d.runtimes.join(', ') || 'none'}`;
  para(`${s.bold('Docker')}    `, `${docker}${d.cdiSpecs.length ? ` · CDI ${d.cdiSpecs.join(', ')}` : ''}${toolkit}`, 10);
  L.push('');
  L.push(s.bold('Modes'));
  const shownUnderModes = new Set<string>();
  const key = (f: Finding) => `${f.code}\u0000${f.message}`;
  for (const m of r.modes) {
    const rec = m.mode === r.recommendation.mode ? s.bold(' ← recommended') : '';
    L.push(`  ${mark(STATUS_LEVEL[m.status], s)} ${m.mode.padEnd(9)} ${m.status.padEnd(9)} ${s.dim(`kg-api:${m.imageTag}`)}${rec}`);
    const own = m.findings.filter((f) => f.severity !== 'info' || (f.code !== 'MODE_NOT_APPLICABLE' && fixOf(f)));
    // The reason, unless a finding below says the same.
    let reason = m.reason;
    for (const f of own) reason = reason.replace(` (to check: ${f.message})`, '');
    if (!own.some((f) => f.message === reason)) para('      ', reason);
    for (const f of own) {
      finding(f, '      ');
      shownUnderModes.add(key(f));
    }
  }
  const rest = r.findings.filter((f) => f.code !== 'MODE_NOT_APPLICABLE' && !shownUnderModes.has(key(f)));
  if (rest.length) {
    L.push('');
    L.push(s.bold('Findings'));
    for (const f of rest) finding(f, '  ');
  }
  if (r.amdOverlay && (r.amdOverlay.rocrVisibleDevices || r.amdOverlay.hsaOverrideGfxVersion)) {
    L.push('');
    L.push(s.bold('AMD overlay'));
    if (r.amdOverlay.rocrVisibleDevices) L.push(`  ROCR_VISIBLE_DEVICES=${r.amdOverlay.rocrVisibleDevices}`);
    if (r.amdOverlay.hsaOverrideGfxVersion) L.push(`  HSA_OVERRIDE_GFX_VERSION=${r.amdOverlay.hsaOverrideGfxVersion}`);
    L.push(`  group_add: ${r.amdOverlay.groupGids.join(', ')}`);
  }
  L.push('');
  // Wrapped like the rest, then styled: the mode in bold, the pointer dim (wrap counts every character, escapes too).
  const why = '(why: see Modes above)';
  const lead = 'Recommendation: ';
  wrap(`${r.recommendation.mode} → kg-api:${r.recommendation.imageTag} ${why}`, width - lead.length).forEach((row, i) => {
    const styled = (i === 0 ? row.replace(r.recommendation.mode, s.bold(r.recommendation.mode)) : row).replace(why, s.dim(why));
    L.push(i === 0 ? `${s.bold('Recommendation:')} ${styled}` : ' '.repeat(lead.length) + styled);
  });
  L.push(s.dim(`Probed in ${(r.durationMs / 1000).toFixed(2)} s. Write it with:`));
  // A command on one row of its own: the terminal wraps it, pasting runs all of it.
  L.push(`  ${kgInit()} --yes --gpu=${r.recommendation.mode}`);
  L.push('');
  return L.join('\n');
}
