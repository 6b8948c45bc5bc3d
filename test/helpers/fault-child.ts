// A kg-init --yes run with a fault injected through ApplyOptions (the only
// seam: production code reads no test hook from the environment). Bundled by
// faultChild() below into a script the tests spawn as a real process, so a
// SIGKILL at a named step or a write that fails half-way is what a user's
// run would meet. The fault comes as JSON in argv[2]; kg-init's arguments follow.
import { parseCommandLine } from '../../src/cli/options.js';
import { processIO } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/report-error.js';
import { runConfigure } from '../../src/commands/configure.js';

const fault = JSON.parse(process.argv[2] ?? '{}') as { killAt?: string; stopAt?: string; write?: { code: string; file?: string } };
const io = processIO();
// stopAt: SIGSTOP at that step (a run holding the lock until the test sends SIGCONT).
const stopOrKill = (step: string) => {
  if (step === fault.killAt) process.kill(process.pid, 'SIGKILL');
  if (step === fault.stopAt) process.kill(process.pid, 'SIGSTOP');
};
const onStep = fault.killAt || fault.stopAt ? stopOrKill : undefined;
const w = fault.write;
const writeFault = w ? (path: string) => (!w.file || path.endsWith(`/${w.file}`) ? w.code : null) : undefined;
try {
  const args = await parseCommandLine(process.argv.slice(3));
  process.exitCode = await runConfigure(args, io, { apply: { onStep, writeFault } });
} catch (e) {
  process.exitCode = reportError(e, io, (s) => s);
}
