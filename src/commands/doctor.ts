// `kg-init doctor [--dir DIR] [--json]`: reads an install directory and this
// host, judges the pair (src/doctor/checks.ts), prints, writes nothing.
// Exit 0 healthy (warnings allowed), 1 when something will not work.
import { resolve } from 'node:path';
import type { Args } from '../cli/args.js';
import { styles, type IO } from '../cli/io.js';
import { OPERATOR_CONF_FILE } from '../catalog.js';
import { EXIT, KgInitError } from '../errors.js';
import type { InstallState } from '../plan/types.js';
import type { Report } from '../report.js';
import { diagnose } from '../doctor/checks.js';
import { renderJson, renderText } from '../doctor/render.js';
import { shellQuote } from '../present/shell.js';
import { outputWidth } from '../present/wrap.js';
import { readInstall } from '../install/read.js';
import { hostReport } from './report-source.js';

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
  const result = diagnose(install, report, { dirArg: dir });
  if (args.json) io.stdout.write(renderJson(result));
  else io.stdout.write(renderText(result, styles(io, args.noColor).out, { verbose: args.verbose, width: outputWidth(io.stdout, io.env) }));
  return result.healthy ? EXIT.ok : EXIT.failure;
}

export async function runDoctor(args: Args, io: IO): Promise<number> {
  return doctor(args, io, {
    readInstall,
    // The same report source as configure: KG_INIT_REPORT, else this host or KG_INIT_HOST_SNAPSHOT.
    probe: (env) => hostReport({ ...io, env }),
  });
}
