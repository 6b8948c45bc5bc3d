// --help, generated from the option table and the catalog, so it cannot drift.
// Wrapped at the terminal's width (else $COLUMNS, else 80): descriptions wrap
// under their column, never mid-word; commands in examples stay whole.
import { MODES, catalog, DEFAULT_REGISTRY } from '../catalog.js';
import { COMMANDS, OPTIONS, type OptionSpec, type Subcommand } from './options.js';
import type { Style } from './color.js';
import { kgInit } from '../present/shell.js';
import { wrap } from '../present/wrap.js';

/** `left` in a column `col` wide, `right` wrapped beside it (below it when `left` is wider). */
function row(left: string, right: string, col: number, width: number): string[] {
  const room = width - col;
  const rows = wrap(right, room);
  if (room < 24 || rows.some((r) => r.length > room)) {
    // Too narrow for two columns: the description under its name.
    return [left, ...wrap(right, width - 6).map((r) => `      ${r}`)];
  }
  if (left.length >= col) return [left, ...rows.map((r) => ' '.repeat(col) + r)];
  return rows.map((r, i) => (i === 0 ? left.padEnd(col) : ' '.repeat(col)) + r);
}

function optionRows(o: OptionSpec, command: 'main' | Subcommand, width: number): string[] {
  const short = o.short ? `-${o.short}, ` : '    ';
  const long = `--${o.name}${o.value ? ` ${o.value}` : o.inlineValue ? `[=${o.inlineValue}]` : ''}`;
  return row(`  ${short}${long}`, o.helpFor?.[command] ?? o.help, 31, width);
}

/** Free prose, wrapped. */
function para(text: string, width: number, indent = 0): string[] {
  return wrap(text, width - indent).map((r) => ' '.repeat(indent) + r);
}

export function helpText(version: string, s: Style, command: 'main' | Subcommand = 'main', width = 80): string {
  const k = kgInit();
  const modeLines = MODES.flatMap((m) => {
    const spec = catalog.modes[m];
    const tag = catalog.variants[spec.variant]!.tag;
    return row(`  ${m.padEnd(10)} ${spec.label}`, `kg-api:${tag}`, 37, width);
  });
  if (command !== 'main') {
    const opts = OPTIONS.filter((o) => o.commands.includes(command));
    return [
      `${s.bold(`kg-init ${command}`)} ${s.dim(`(kg-init ${version})`)}`,
      '',
      ...para(COMMANDS[command], width),
      '',
      s.bold('Usage'),
      command === 'probe' ? `  ${k} probe [--json] [--save-snapshot DIR]` : `  ${k} doctor [--dir DIR] [--verbose] [--json] [--runtime[=run]]`,
      '',
      s.bold('Options'),
      ...opts.flatMap((o) => optionRows(o, command, width)),
      '',
      ...para(
        command === 'doctor'
          ? 'Exit codes: 0 healthy (warnings allowed), 1 something will not work (a mode that cannot run on this host included; with --runtime, a configured GPU path that is not real inside the platform), 2 usage error, 130 cancelled.'
          : 'Exit codes: 0 report printed, 1 failure, 2 usage error.',
        width,
      ),
      '',
    ].join('\n');
  }
  return [
    ...para(`${s.bold('kg-init')} ${version}: choose the right GPU mode and kg-api image for the Knowledge Graph platform.`, width),
    '',
    s.bold('Usage'),
    ...row(`  ${k}`, 'interactive wizard (needs a terminal)', 32, width),
    ...row(`  ${k} --yes [options]`, 'headless: write the recommendation, or --gpu', 32, width),
    ...row(`  ${k} probe [--json]`, 'report what this host has; writes nothing', 32, width),
    ...row(`  ${k} doctor [--dir DIR]`, 'check an existing install against this host', 32, width),
    ...row(`  ${k} doctor --runtime`, 'prove the GPU path inside the running platform', 32, width),
    '',
    s.bold('Commands'),
    ...Object.entries(COMMANDS).flatMap(([c, d]) => row(`  ${c}`, d, 11, width)),
    '',
    s.bold('Options'),
    ...OPTIONS.flatMap((o) => optionRows(o, 'main', width)),
    '',
    s.bold('GPU modes'),
    ...modeLines,
    `  amd        deprecated alias of amd-host`,
    '',
    s.bold('Platform layouts'),
    ...row('  standalone', "compose files beside operator.sh (the platform installer's layout)", 30, width),
    ...row('  clone', 'a clone of the platform repository: compose files in docker/, written there', 30, width),
    ...row('  none', 'an empty directory: kg-init installs the platform first (--platform-source)', 30, width),
    '',
    s.bold('Files written'),
    ...row('  .operator.conf', 'GPU_MODE, IMAGE_SOURCE, INITIALIZED_AT; KG_API_IMAGE_TAG only as an explicit override (--release, --image-tag, a custom tag, no image-tag.sh); other lines kept', 30, width),
    ...row('  docker-compose.ghcr.yml', 'images from the registry, kg-api at the selected tag, pulled, never built', 30, width),
    ...row('  docker-compose.gpu-*.yml', 'the overlay of the selected mode (docker-compose.override.mac.yml on macOS)', 30, width),
    ...row('  .env', 'first install: the five secrets and defaults, mode 0600, never rewritten', 30, width),
    ...row('  platform files', 'first install: operator.sh, the base and standalone compose files, schema/, config/', 30, width),
    ...row('  .kg-init/backups/', 'a copy of every file replaced or removed', 30, width),
    '',
    s.bold('Environment'),
    ...row('  NO_COLOR', 'no colour (as --no-color); TERM=dumb does the same', 30, width),
    ...row('  KG_INIT_HOST_SNAPSHOT=DIR', 'replay a recorded host instead of probing this one', 30, width),
    ...row('  KG_INIT_REPORT=FILE', 'kg-init --yes: use a saved `kg-init probe --json` report instead of probing', 30, width),
    ...row('  INK_SCREEN_READER=true', 'the wizard in plain mode (as --plain)', 30, width),
    ...row('  KG_INIT_RUNTIME_TIMEOUT=S', 'doctor --runtime: seconds torch may take to answer (default 60)', 30, width),
    ...row('  KG_INIT_PLATFORM_SOURCE=URL|DIR', "where a first install gets the platform's files (as --platform-source)", 30, width),
    '',
    s.bold('Exit codes'),
    ...para('0 done (a blocked mode written with --force too), 1 failure, 2 usage error or no terminal without --yes, 3 mode blocked on this host (nothing written), 130 cancelled.', width, 2),
    '',
    s.bold('Examples'),
    '  npx kg-init',
    `  ${k} --yes --gpu=amd-host --dir /opt/kg`,
    `  ${k} --yes --release 0.13.1 --json`,
    `  ${k} --yes --registry registry.example.com/mirror/kg`,
    `  ${k} probe --save-snapshot ./my-host`,
    ...para(s.dim(`(the default registry is ${DEFAULT_REGISTRY})`), width, 2),
    '',
  ].join('\n');
}
