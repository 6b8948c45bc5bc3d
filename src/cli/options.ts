// Command-line parsing: options as data (the help text is generated from the
// same table), values validated with zod at this edge (./values.ts, loaded
// by parseCommandLine only when a value needs checking, so --help never loads
// zod), and usage errors that say what to type instead. ./args.ts is the
// public face: the same exports, and parseArgs with the value checks built in.
import { DEFAULT_REGISTRY, MODES, resolveMode, type Mode } from '../catalog.js';
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
  /** A boolean that also takes one inline value (`--runtime=run`); shown as `--name[=VALUE]`. */
  inlineValue?: string;
  help: string;
  /** The help under a command where it means something else (doctor's --dir is only read). */
  helpFor?: Partial<Record<'main' | Subcommand, string>>;
  /** Which commands accept it ('main' is the configure flow: wizard or --yes). */
  commands: ReadonlyArray<'main' | Subcommand>;
}

const ALL = ['main', 'probe', 'doctor'] as const;

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'yes', short: 'y', help: 'Headless: accept the recommendation (or --gpu) and write without asking.', commands: ['main'] },
  { name: 'gpu', value: 'MODE', help: `GPU mode: auto (default, the probe's recommendation), ${MODES.join(', ')}. 'amd' is a deprecated alias of amd-host.`, commands: ['main'] },
  { name: 'dir', short: 'C', value: 'DIR', help: 'Install directory (created if missing). Default: the current directory.', helpFor: { doctor: 'The install directory to check (read only). Default: the current directory.' }, commands: ['main', 'doctor'] },
  { name: 'release', value: 'VERSION', help: 'Pin a platform release: 0.13.1 gives tags 0.13.1 and 0.13.1-rocm72-host.', commands: ['main'] },
  { name: 'registry', value: 'PREFIX', help: `Image registry and namespace, for mirrors and air-gapped installs: host[:port]/path ([IPv6]:port too), lowercase path, no scheme, no tag. Default: the one this directory's images already come from, else ${DEFAULT_REGISTRY}.`, commands: ['main'] },
  { name: 'image-tag', value: 'TAG', help: 'Use this exact kg-api image tag instead of the one the mode selects.', commands: ['main'] },
  { name: 'platform-source', value: 'SOURCE', help: "Where a first install gets the platform's files (an http(s) URL or a directory laid out like the platform repository; also KG_INIT_PLATFORM_SOURCE). Default: the repository's raw files at v<release>, else main.", commands: ['main'] },
  { name: 'image-source', value: 'SOURCE', help: 'ghcr (pull the published images) or local (a clone builds them). Default: keep what .operator.conf says; a new one gets ghcr.', commands: ['main'] },
  { name: 'dry-run', help: 'Print the diff of every file that would change; write nothing.', commands: ['main'] },
  { name: 'force', help: 'Write a mode even when it is blocked on this host (exit 3 otherwise).', commands: ['main'] },
  { name: 'json', help: 'Print machine-readable JSON on stdout instead of the summary.', commands: ALL },
  { name: 'plain', help: 'Wizard without spinners or box drawing, one line per fact (screen readers, dumb terminals).', commands: ['main'] },
  { name: 'no-color', help: 'No colour escapes (also NO_COLOR=1 or TERM=dumb).', commands: ALL },
  { name: 'verbose', short: 'v', help: 'doctor: list every check, passed and skipped too (problems alone otherwise).', commands: ['doctor'] },
  { name: 'runtime', inlineValue: 'run', help: 'doctor: prove the GPU path inside the running kg-api container (torch build, device, a tensor operation, the platform\'s log); =run starts a one-off container instead (pulls the image if needed).', commands: ['doctor'] },
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
  /** undefined: not given (a re-run keeps the registry in use). */
  registry: string | undefined;
  imageTag: string | undefined;
  imageSource: 'ghcr' | 'local' | undefined;
  platformSource: string | undefined;
  dryRun: boolean;
  force: boolean;
  json: boolean;
  plain: boolean;
  noColor: boolean;
  saveSnapshot: string | undefined;
  verbose: boolean;
  /** doctor --runtime: false, 'exec' (the running container) or 'run' (a one-off one). */
  runtime: false | 'exec' | 'run';
}

/** Checks an option's value (./values.ts: checkValue); returns the value to use. */
export type ValueCheck = (name: string, raw: string) => string;

/** Options whose values ./values.ts checks (a test keeps the two lists equal). */
export const CHECKED_OPTIONS: ReadonlySet<string> = new Set(['release', 'registry', 'image-tag', 'dir', 'save-snapshot', 'platform-source']);
const CHECKED = CHECKED_OPTIONS;

/**
 * Whether parsing argv may need to check a value (a superset: any token that
 * could name a checked option), so that run() loads the checker with zod only
 * then.
 */
export function needsValueCheck(argv: readonly string[]): boolean {
  for (const tok of argv) {
    if (tok === '--') return false;
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      if (CHECKED.has(eq === -1 ? tok.slice(2) : tok.slice(2, eq))) return true;
    } else if (tok.startsWith('-') && tok.length > 1) {
      const spec = OPTIONS.find((o) => o.short === tok[1]);
      if (spec && CHECKED.has(spec.name)) return true;
    }
  }
  return false;
}

/** parseArgs with the value checker loaded when the command line needs it. */
export async function parseCommandLine(argv: readonly string[]): Promise<Args> {
  return parseArgsWith(argv, needsValueCheck(argv) ? (await import('./values.js')).checkValue : undefined);
}

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

function noCheckLoaded(name: string): never {
  throw new Error(`--${name} needs its value checked: pass checkValue from cli/values.ts (parseCommandLine and args.ts's parseArgs do)`);
}

/** parseArgs of ./args.ts with the value checker passed in (see parseCommandLine). */
export function parseArgsWith(argv: readonly string[], checkValue: ValueCheck = noCheckLoaded): Args {
  const args: Args = {
    command: 'main', help: false, version: false, yes: false, gpu: 'auto', gpuDeprecatedAlias: false,
    dir: undefined, release: undefined, registry: undefined, imageTag: undefined, imageSource: undefined, platformSource: undefined,
    dryRun: false, force: false, json: false, plain: false, noColor: false, saveSnapshot: undefined, verbose: false, runtime: false,
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
      if (CHECKED.has(spec.name)) value = checkValue(spec.name, value);
    } else if (inline !== undefined && spec.inlineValue) {
      if (inline !== spec.inlineValue) throw new UsageError(`invalid ${shown}=${JSON.stringify(inline)}: expected ${shown} or ${shown}=${spec.inlineValue}`);
      value = inline;
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
      case 'platform-source': args.platformSource = value; break;
      case 'image-source': {
        const v = value!.toLowerCase();
        if (v !== 'ghcr' && v !== 'local') throw new UsageError(`invalid --image-source ${JSON.stringify(value)}: expected ghcr or local`);
        args.imageSource = v;
        break;
      }
      case 'dry-run': args.dryRun = true; break;
      case 'force': args.force = true; break;
      case 'json': args.json = true; break;
      case 'plain': args.plain = true; break;
      case 'no-color': args.noColor = true; break;
      case 'save-snapshot': args.saveSnapshot = value; break;
      case 'verbose': args.verbose = true; break;
      case 'runtime': args.runtime = value === 'run' ? 'run' : 'exec'; break;
      case 'help': args.help = true; break;
      case 'version': args.version = true; break;
    }
  }

  if (positionals.length > 0) {
    const [cmd, ...rest] = positionals;
    if (cmd === 'help') {
      args.help = true;
      if (rest[0] !== undefined && !(rest[0] in COMMANDS)) {
        const s = suggest(rest[0], Object.keys(COMMANDS));
        throw new UsageError(`no help for ${JSON.stringify(rest[0])}: the commands are ${Object.keys(COMMANDS).join(', ')}`, s ? `Did you mean 'kg-init help ${s}'?` : "Run 'kg-init --help' for usage.");
      }
      if (rest.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(rest[1])} after 'help ${rest[0]}'`);
      if (rest[0]) args.command = rest[0] as Subcommand;
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
