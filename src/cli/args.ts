// Command-line parsing: options as data (the help text is generated from the
// same table), values validated with zod at this edge, and usage errors that
// say what to type instead.
import * as z from 'zod';
import { DEFAULT_REGISTRY, MODES, MODE_ALIASES, resolveMode, type Mode } from '../catalog.js';
import { UsageError } from '../errors.js';

export const COMMANDS = {
  probe: 'Inspect this host and report GPUs, drivers, ROCm, Docker and every mode\'s status. Writes nothing.',
  doctor: 'Check an install directory against this host: finds installs that look configured but cannot work. Writes nothing.',
} as const;
export type Subcommand = keyof typeof COMMANDS;

export interface OptionSpec {
  name: string;
  short?: string;
  /** Placeholder for a value-taking option; absent for booleans. */
  value?: string;
  help: string;
  /** Which commands accept it ('main' is the configure flow: wizard or --yes). */
  commands: ReadonlyArray<'main' | Subcommand>;
}

const ALL = ['main', 'probe', 'doctor'] as const;

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'yes', short: 'y', help: 'Headless: accept the recommendation (or --gpu) and write without asking.', commands: ['main'] },
  { name: 'gpu', value: 'MODE', help: `GPU mode: auto (default, the probe's recommendation), ${MODES.join(', ')}. 'amd' is a deprecated alias of amd-host.`, commands: ['main'] },
  { name: 'dir', short: 'C', value: 'DIR', help: 'Install directory (created if missing). Default: the current directory.', commands: ['main', 'doctor'] },
  { name: 'release', value: 'VERSION', help: 'Pin a platform release: 0.13.1 gives tags 0.13.1 and 0.13.1-rocm72-host.', commands: ['main'] },
  { name: 'registry', value: 'PREFIX', help: `Image registry and namespace, for mirrors and air-gapped installs. Default: ${DEFAULT_REGISTRY}.`, commands: ['main'] },
  { name: 'image-tag', value: 'TAG', help: 'Use this exact kg-api image tag instead of the one the mode selects.', commands: ['main'] },
  { name: 'dry-run', help: 'Print the diff of every file that would change; write nothing.', commands: ['main'] },
  { name: 'force', help: 'Write a mode even when it is blocked on this host (exit 3 otherwise).', commands: ['main'] },
  { name: 'json', help: 'Print machine-readable JSON on stdout instead of the summary.', commands: ALL },
  { name: 'plain', help: 'Wizard without spinners or box drawing, one line per fact (screen readers, dumb terminals).', commands: ['main'] },
  { name: 'no-color', help: 'No colour escapes (also NO_COLOR=1 or TERM=dumb).', commands: ALL },
  { name: 'save-snapshot', value: 'DIR', help: 'probe: record this host (files read, device metadata, tool outputs) as a replayable snapshot in DIR.', commands: ['probe'] },
  { name: 'help', short: 'h', help: 'Show this help.', commands: ALL },
  { name: 'version', short: 'V', help: 'Print the version.', commands: ALL },
];

export interface Args {
  command: 'main' | Subcommand;
  help: boolean;
  version: boolean;
  yes: boolean;
  /** 'auto' or a resolved mode. */
  gpu: 'auto' | Mode;
  /** True when --gpu named the deprecated alias. */
  gpuDeprecatedAlias: boolean;
  dir: string | undefined;
  release: string | undefined;
  registry: string;
  imageTag: string | undefined;
  dryRun: boolean;
  force: boolean;
  json: boolean;
  plain: boolean;
  noColor: boolean;
  saveSnapshot: string | undefined;
}

// OCI distribution grammar (distribution/reference): tags and repository names.
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
export const REGISTRY_RE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** A release version: semver without build metadata ('+' is not allowed in a tag). */
export const RELEASE_RE = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?$/;

const valueSchemas = {
  release: z
    .string()
    .regex(RELEASE_RE, 'expected a release version such as 0.13.1')
    .transform((v) => v.replace(/^v/, ''))
    // The longest pinned tag must still be a valid tag.
    .refine((v) => TAG_RE.test(`${v}-rocm72-host`), 'version too long for an image tag'),
  registry: z
    .string()
    .max(255)
    .regex(REGISTRY_RE, 'expected a registry path such as ghcr.io/owner/name (lowercase, no tag, no scheme)'),
  'image-tag': z.string().regex(TAG_RE, 'expected an image tag: letters, digits, _ . - (at most 128, not starting with . or -)'),
  dir: z.string().min(1, 'expected a directory path').refine((v) => !v.includes('\0'), 'path contains a NUL byte'),
  'save-snapshot': z.string().min(1, 'expected a directory path'),
} as const;

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

function suggest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(word, c);
    if (dd < bestD) [best, bestD] = [c, dd];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function checkValue(name: string, raw: string): string {
  const schema = valueSchemas[name as keyof typeof valueSchemas];
  if (!schema) return raw;
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new UsageError(`invalid --${name} ${JSON.stringify(raw)}: ${r.error.issues[0]?.message ?? 'invalid value'}`);
  }
  return r.data;
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    command: 'main', help: false, version: false, yes: false, gpu: 'auto', gpuDeprecatedAlias: false,
    dir: undefined, release: undefined, registry: DEFAULT_REGISTRY, imageTag: undefined,
    dryRun: false, force: false, json: false, plain: false, noColor: false, saveSnapshot: undefined,
  };
  const seen = new Map<string, string>();
  const positionals: string[] = [];
  const byName = new Map(OPTIONS.map((o) => [o.name, o]));
  const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      const name = eq === -1 ? tok.slice(2) : tok.slice(2, eq);
      inline = eq === -1 ? undefined : tok.slice(eq + 1);
      spec = byName.get(name);
      shown = `--${name}`;
      if (!spec) {
        const s = suggest(name, [...byName.keys()]);
        throw new UsageError(`unknown option --${name}`, s ? `Did you mean --${s}? Run 'kg-init --help' for usage.` : undefined);
      }
    } else if (tok.startsWith('-') && tok.length > 1) {
      const letter = tok[1]!;
      spec = byShort.get(letter);
      shown = `-${letter}`;
      if (!spec) throw new UsageError(`unknown option ${tok}`);
      if (tok.length > 2) {
        if (spec.value) inline = tok.slice(2).replace(/^=/, '');
        else throw new UsageError(`unknown option ${tok}`, `Give short options separately, e.g. -${letter} -${tok[2]}.`);
      }
    } else {
      positionals.push(tok);
      continue;
    }

    let value: string | undefined;
    if (spec.value) {
      value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('-') && value.length > 1)) {
        throw new UsageError(`${shown} needs a value (${spec.value})`);
      }
      value = checkValue(spec.name, value);
    } else if (inline !== undefined) {
      throw new UsageError(`${shown} takes no value`);
    }
    const prev = seen.get(spec.name);
    if (prev !== undefined && spec.value && prev !== value) {
      throw new UsageError(`--${spec.name} given twice with different values (${prev}, ${value})`);
    }
    seen.set(spec.name, value ?? '');

    switch (spec.name) {
      case 'yes': args.yes = true; break;
      case 'gpu': {
        if (value!.toLowerCase() === 'auto') { args.gpu = 'auto'; break; }
        const r = resolveMode(value!);
        if (!r) {
          const s = suggest(value!.toLowerCase(), [...MODES, 'auto']);
          throw new UsageError(
            `invalid --gpu ${JSON.stringify(value)}: expected auto, ${MODES.join(', ')}`,
            s ? `Did you mean --gpu=${s}?` : "Run 'kg-init probe' to see which modes this host supports.",
          );
        }
        args.gpu = r.mode;
        args.gpuDeprecatedAlias = r.deprecated;
        break;
      }
      case 'dir': args.dir = value; break;
      case 'release': args.release = value; break;
      case 'registry': args.registry = value!; break;
      case 'image-tag': args.imageTag = value; break;
      case 'dry-run': args.dryRun = true; break;
      case 'force': args.force = true; break;
      case 'json': args.json = true; break;
      case 'plain': args.plain = true; break;
      case 'no-color': args.noColor = true; break;
      case 'save-snapshot': args.saveSnapshot = value; break;
      case 'help': args.help = true; break;
      case 'version': args.version = true; break;
    }
  }

  if (positionals.length > 0) {
    const [cmd, ...rest] = positionals;
    if (cmd === 'help') {
      args.help = true;
      if (rest[0] && rest[0] in COMMANDS) args.command = rest[0] as Subcommand;
    } else if (cmd! in COMMANDS) {
      args.command = cmd as Subcommand;
      if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])} after '${cmd}'`);
    } else {
      const s = suggest(cmd!, Object.keys(COMMANDS));
      throw new UsageError(
        `unknown command ${JSON.stringify(cmd)}`,
        s ? `Did you mean 'kg-init ${s}'? Run 'kg-init --help' for usage.` : undefined,
      );
    }
  }

  if (!args.help && !args.version) {
    for (const name of seen.keys()) {
      const spec = byName.get(name)!;
      if (!spec.commands.includes(args.command)) {
        const where = args.command === 'main' ? 'without a command' : `with '${args.command}'`;
        const users = spec.commands.map((c) => (c === 'main' ? 'kg-init' : `kg-init ${c}`)).join(', ');
        throw new UsageError(`--${name} cannot be used ${where}`, `It belongs to: ${users}.`);
      }
    }
    if (args.release && args.imageTag) {
      throw new UsageError('--release and --image-tag cannot be combined', 'Use --image-tag alone for an exact tag, or --release to pin a version.');
    }
  }
  return args;
}

export { MODE_ALIASES };
