// `kg-init doctor [--dir DIR] [--json] [--runtime[=run]]`: reads an install
// directory and this host, judges the pair (src/doctor/checks.ts), prints,
// writes nothing. With --runtime it also asks torch inside the platform's
// kg-api container (src/doctor/runtime.ts).
// Exit 0 healthy (warnings allowed), 1 when something will not work (with
// --runtime: also when the configured GPU path is not real), 130 on Ctrl+C.
import { resolve } from 'node:path';
import type { Args } from '../cli/args.js';
import { styles, type IO } from '../cli/io.js';
import { OPERATOR_CONF_FILE } from '../catalog.js';
import { EXIT, KgInitError } from '../errors.js';
import type { InstallState } from '../install/types.js';
import type { Report } from '../report.js';
import { composeParserNeeded, diagnose } from '../doctor/checks.js';
import { loadComposeParser } from '../doctor/compose.js';
import { renderJson, renderText } from '../doctor/render.js';
import { shellQuote } from '../present/shell.js';
import { outputWidth } from '../present/wrap.js';
import { readInstall } from '../install/read.js';
import { hostReport } from './report-source.js';
// What the install holds (a config value, a compose line) reaches the terminal made safe, as host data does.
import { sanitizeDeep } from '../util/sanitize.js';

export interface DoctorDeps {
  readInstall(dir: string): Promise<InstallState>;
  /** Probes this host (or the snapshot KG_INIT_HOST_SNAPSHOT names). */
  probe(env: NodeJS.ProcessEnv): Promise<Report>;
}

export async function doctor(args: Args, io: IO, deps: DoctorDeps): Promise<number> {
  const dir = resolve(io.cwd, args.dir ?? '.');
  const install = await deps.readInstall(dir);
  if (!install.dirExists || !install.conf.exists) {
    throw new KgInitError(
      `no kg-init install in ${dir}; run kg-init there first`,
      EXIT.failure,
      install.dirExists ? `(${OPERATOR_CONF_FILE} is missing.) To install: kg-init --yes --dir ${shellQuote(dir)}` : `To install: kg-init --yes --dir ${shellQuote(dir)}`,
    );
  }
  const report = await deps.probe(io.env);
  // Compose files exactly as kg-init renders them now are read without the YAML parser.
  if (composeParserNeeded(install, report)) await loadComposeParser();
  const result = diagnose(install, report, { dirArg: dir });
  if (!args.runtime) {
    if (args.json) io.stdout.write(renderJson(result));
    else io.stdout.write(renderText(sanitizeDeep(result), styles(io, args.noColor).out, { verbose: args.verbose, width: outputWidth(io.stdout, io.env) }));
    return result.healthy ? EXIT.ok : EXIT.failure;
  }

  const { checkRuntime } = await import('../doctor/runtime.js');
  const { renderRuntimeText, runtimeJson } = await import('../doctor/runtime-render.js');
  const { openHost } = await import('../host/index.js');
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.on('SIGINT', onSigint);
  let runtime;
  try {
    runtime = await checkRuntime(await openHost(io.env), install, report, {
      how: args.runtime,
      dirArg: dir,
      mode: result.mode,
      imageTag: result.imageTag,
      env: io.env,
      signal: ac.signal,
      notify: (text) => { if (text.trim()) io.stderr.write(`kg-init: ${text.trim()}\n`); },
    });
  } catch (e) {
    if (ac.signal.aborted) {
      io.stderr.write('kg-init: cancelled; no container left behind.\n');
      return EXIT.cancelled;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ ...JSON.parse(renderJson(result)), runtime: runtimeJson(runtime) }, null, 2)}\n`);
  } else {
    const st = styles(io, args.noColor).out;
    const width = outputWidth(io.stdout, io.env);
    io.stdout.write(`${renderText(sanitizeDeep(result), st, { verbose: args.verbose, width })}\n${renderRuntimeText(sanitizeDeep(runtime), st, width)}`);
  }
  return result.healthy && runtime.ok ? EXIT.ok : EXIT.failure;
}

export async function runDoctor(args: Args, io: IO): Promise<number> {
  return doctor(args, io, {
    readInstall,
    // The same report source as configure: KG_INIT_REPORT, else this host or KG_INIT_HOST_SNAPSHOT.
    probe: (env) => hostReport({ ...io, env }),
  });
}
