// Commands a person is told to run: quoted for a POSIX shell, prefixed with
// the cd they need, and named the way kg-init was started (`npx kg-init` when
// it came through npx and is not on PATH).
import { resolve } from 'node:path';

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `cd DIR && ` when the command must run in `dir` and the user is elsewhere, else ''. */
export function cdPrefix(dir: string, cwd: string): string {
  return resolve(cwd) === resolve(dir) ? '' : `cd ${shellQuote(dir)} && `;
}

/** The next command, with the cd it needs. */
export function inDir(command: string, dir: string, cwd: string): string {
  return cdPrefix(dir, cwd) + command;
}

/**
 * Whether this process was started by `npx kg-init` / `npm exec kg-init`:
 * npm runs the bin as the script of an "npx" event (npm_lifecycle_event=npx,
 * npm_lifecycle_script='kg-init' …), from its `_npx` cache when it is not
 * installed. A process merely started under `npx something-else` is not.
 */
export function startedByNpx(env: NodeJS.ProcessEnv, argv1: string | undefined = process.argv[1]): boolean {
  if (/[\\/]_npx[\\/]/.test(argv1 ?? '')) return true;
  return env.npm_lifecycle_event === 'npx' && /^'?kg-init'?(\s|$)/.test(env.npm_lifecycle_script ?? '');
}

let commandName = 'kg-init';

/** Decides once, at start-up, how suggested commands name kg-init. */
export function setCommandName(env: NodeJS.ProcessEnv, argv1?: string): void {
  commandName = startedByNpx(env, argv1) ? 'npx kg-init' : 'kg-init';
}

/** `kg-init` or `npx kg-init`, as this run was started. */
export function kgInit(): string {
  return commandName;
}

/**
 * Rewrites the commands a text suggests (`kg-init --yes …`, `kg-init doctor`)
 * to the name this run was started with. Texts are written with `kg-init`.
 */
export function suggest(text: string): string {
  if (commandName === 'kg-init') return text;
  return text.replace(/(^|[\s`'"(])kg-init(?= (?:-|doctor|probe|help)|`|$)/g, (_m, pre: string) => `${pre}${commandName}`);
}
