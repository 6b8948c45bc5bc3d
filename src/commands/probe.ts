// `kg-init probe`: what this host has and what each mode would do here.
// --json prints the Report (validated by reportSchema); --save-snapshot DIR
// records the host the probe read as a replayable snapshot.
import type { Args } from '../cli/args.js';
import { styles, type IO } from '../cli/io.js';
import type { Style } from '../cli/color.js';
import { openHost } from '../host/index.js';
import { probeReport } from '../assess/report.js';
import { reportSchema, type Report } from '../report.js';
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
  const report = await probeReport(host);
  print(report, args, io);
  return EXIT.ok;
}

function print(report: Report, args: Args, io: IO): void {
  if (args.json) {
    io.stdout.write(`${JSON.stringify(reportSchema.parse(report), null, 2)}\n`);
    return;
  }
  const { out } = styles(io, args.noColor);
  io.stdout.write(formatReport(report, out));
}

function size(n: number | undefined): string | null {
  if (!n) return null;
  const gib = n / 1024 ** 3;
  return gib >= 1 ? `${Math.round(gib)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`;
}

const MARK = {
  ready: (s: Style) => s.green('✓'),
  degraded: (s: Style) => s.yellow('⚠'),
  blocked: (s: Style) => s.red('✗'),
} as const;

/** The human-readable report (no colour when the style is disabled). */
export function formatReport(r: Report, s: Style): string {
  const L: string[] = [];
  const h = r.host;
  const where = r.source === 'live' ? '' : s.dim(` (snapshot ${r.source})`);
  L.push(`${s.bold('kg-init probe')} · ${[h.distro?.name ?? h.platform, h.wsl ? 'WSL2' : null, h.arch, `kernel ${h.kernelRelease}`, `user ${h.user}`].filter(Boolean).join(' · ')}${where}`);
  L.push('');
  L.push(s.bold('GPUs'));
  if (r.gpus.length === 0) L.push('  none found');
  for (const g of r.gpus) {
    const name = g.name ?? (g.gfxTarget ? `AMD ${g.gfxTarget}` : `${g.vendor.toUpperCase()} ${g.deviceId ?? ''}`.trim());
    const parts = [
      g.vendor === 'amd' && g.gfxTarget && g.name ? g.gfxTarget : null,
      g.integrated === undefined ? null : g.integrated ? 'integrated' : 'discrete',
      size(g.vramBytes),
      g.pciAddress ?? null,
      g.pciClass ? `class ${g.pciClass}` : null,
      g.driver === undefined ? null : g.driver === null ? 'no driver' : `driver ${g.driver}`,
      g.uuid ?? null,
    ].filter(Boolean);
    L.push(`  ${name}${parts.length ? s.dim(` · ${parts.join(' · ')}`) : ''}`);
  }
  L.push('');
  L.push(s.bold('Drivers'));
  const nv = r.nvidia;
  if (nv.driverVersion || nv.smi !== 'missing') {
    L.push(`  NVIDIA    ${nv.driverVersion ?? 'no driver version'}${nv.kernelModule ? ` (${nv.kernelModule} module)` : ''} · nvidia-smi ${nv.smi}${nv.smiPath && nv.smiPath !== 'nvidia-smi' ? ` (${nv.smiPath})` : ''}`);
  } else {
    L.push('  NVIDIA    none');
  }
  L.push(`  ROCm      ${r.rocm.version ? `${r.rocm.version} (${r.rocm.source})` : 'no host userspace'}${r.rocm.amdgpuModule ? ` · amdgpu module ${r.rocm.amdgpuModule}` : ''}`);
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
  L.push(
    `${s.bold('Docker')}    ${!d.installed ? s.yellow('not installed') : !d.running ? s.yellow(`installed${d.version ? ` ${d.version}` : ''}, daemon not answering`) : `${d.version ?? '?'} running${d.desktop ? ' (Docker Desktop)' : ''} · runtimes ${d.runtimes.join(', ') || 'none'}`}${d.cdiSpecs.length ? ` · CDI ${d.cdiSpecs.join(', ')}` : ''}`,
  );
  L.push('');
  L.push(s.bold('Modes'));
  for (const m of r.modes) {
    const rec = m.mode === r.recommendation.mode ? s.bold(' ← recommended') : '';
    L.push(`  ${MARK[m.status](s)} ${m.mode.padEnd(9)} ${m.status.padEnd(9)} ${s.dim(`kg-api:${m.imageTag}`)}${rec}`);
    L.push(`      ${m.reason}`);
  }
  const shown = r.findings.filter((f) => f.code !== 'MODE_NOT_APPLICABLE');
  if (shown.length) {
    L.push('');
    L.push(s.bold('Findings'));
    for (const f of shown) {
      const mark = f.severity === 'error' ? s.red('✗') : f.severity === 'warning' ? s.yellow('⚠') : s.cyan('i');
      L.push(`  ${mark} ${f.code}: ${f.message}`);
      if (f.fix) L.push(`      ${s.dim('fix:')} ${f.fix}`);
    }
  }
  if (r.amdOverlay && (r.amdOverlay.rocrVisibleDevices || r.amdOverlay.hsaOverrideGfxVersion)) {
    L.push('');
    L.push(s.bold('AMD overlay'));
    if (r.amdOverlay.rocrVisibleDevices) L.push(`  ROCR_VISIBLE_DEVICES=${r.amdOverlay.rocrVisibleDevices}`);
    if (r.amdOverlay.hsaOverrideGfxVersion) L.push(`  HSA_OVERRIDE_GFX_VERSION=${r.amdOverlay.hsaOverrideGfxVersion}`);
    L.push(`  group_add: ${r.amdOverlay.groupGids.join(', ')}`);
  }
  L.push('');
  L.push(`${s.bold('Recommendation:')} ${s.bold(r.recommendation.mode)} → kg-api:${r.recommendation.imageTag}`);
  L.push(`  ${r.recommendation.reason}`);
  L.push(s.dim(`Probed in ${(r.durationMs / 1000).toFixed(2)} s. Write it with: kg-init --yes --gpu=${r.recommendation.mode}`));
  L.push('');
  return L.join('\n');
}
