// --help, generated from the option table and the catalog, so it cannot drift.
import { MODES, catalog, DEFAULT_REGISTRY } from '../catalog.js';
import { COMMANDS, OPTIONS, type OptionSpec, type Subcommand } from './options.js';
import type { Style } from './color.js';

function optionLine(o: OptionSpec): string {
  const short = o.short ? `-${o.short}, ` : '    ';
  const long = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
  return `  ${short}${long.padEnd(24)} ${o.help}`;
}

export function helpText(version: string, s: Style, command: 'main' | Subcommand = 'main'): string {
  const modeLines = MODES.map((m) => {
    const spec = catalog.modes[m];
    const tag = catalog.variants[spec.variant]!.tag;
    return `  ${m.padEnd(10)} ${spec.label.padEnd(24)} kg-api:${tag}`;
  });
  if (command !== 'main') {
    const opts = OPTIONS.filter((o) => o.commands.includes(command));
    return [
      `${s.bold(`kg-init ${command}`)} ${s.dim(`(kg-init ${version})`)}`,
      '',
      COMMANDS[command],
      '',
      s.bold('Usage'),
      command === 'probe'
        ? '  kg-init probe [--json] [--save-snapshot DIR]'
        : '  kg-init doctor [--dir DIR] [--json]',
      '',
      s.bold('Options'),
      ...opts.map(optionLine),
      '',
      command === 'doctor'
        ? 'Exit codes: 0 healthy (warnings allowed), 1 something will not work, 2 usage error.'
        : 'Exit codes: 0 report printed, 1 failure, 2 usage error.',
      '',
    ].join('\n');
  }
  return [
    `${s.bold('kg-init')} ${version}: choose the right GPU mode and kg-api image for the Knowledge Graph platform.`,
    '',
    s.bold('Usage'),
    '  kg-init                       interactive wizard (needs a terminal)',
    '  kg-init --yes [options]       headless: write the recommendation, or --gpu',
    '  kg-init probe [--json]        report what this host has; writes nothing',
    '  kg-init doctor [--dir DIR]    check an existing install against this host',
    '',
    s.bold('Commands'),
    ...Object.entries(COMMANDS).map(([c, d]) => `  ${c.padEnd(8)} ${d}`),
    '',
    s.bold('Options'),
    ...OPTIONS.map(optionLine),
    '',
    s.bold('GPU modes'),
    ...modeLines,
    `  amd        deprecated alias of amd-host`,
    '',
    s.bold('Files written'),
    '  .operator.conf              GPU_MODE, KG_API_IMAGE_TAG, IMAGE_SOURCE, INITIALIZED_AT (other lines kept)',
    '  docker-compose.ghcr.yml     images from the registry, kg-api at the selected tag',
    '  docker-compose.gpu-*.yml    the overlay of the selected mode (docker-compose.override.mac.yml on macOS)',
    '  .kg-init/backups/           a copy of every file replaced or removed',
    '',
    s.bold('Environment'),
    '  NO_COLOR                    no colour (as --no-color); TERM=dumb does the same',
    '  KG_INIT_HOST_SNAPSHOT=DIR   replay a recorded host instead of probing this one',
    '  KG_INIT_REPORT=FILE         kg-init --yes: use a saved `kg-init probe --json` report instead of probing',
    '  INK_SCREEN_READER=true      the wizard in plain mode (as --plain)',
    '',
    s.bold('Exit codes'),
    '  0 done   1 failure   2 usage error or no terminal without --yes   3 mode blocked on this host   130 cancelled',
    '',
    s.bold('Examples'),
    '  npx kg-init',
    '  kg-init --yes --gpu=amd-host --dir /opt/kg',
    '  kg-init --yes --release 0.13.1 --json',
    `  kg-init --yes --registry registry.example.com/mirror/kg   ${s.dim(`(default ${DEFAULT_REGISTRY})`)}`,
    '  kg-init probe --save-snapshot ./my-host',
    '',
  ].join('\n');
}
