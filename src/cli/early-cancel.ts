// Ctrl+C in the first moments of a run, before any command has started:
// nothing has been written, so the run ends with one line saying so and exit
// 130, instead of Node's silent death with the terminal's ^C left on the
// line. Armed by the entry (cli.ts) for a real process; ended the moment a
// command takes over (each has its own: the wizard's StartupGuard, configure
// and doctor their SIGINT handlers, probe Node's default).
function onEarlySigint(): void {
  const err = process.stderr;
  // The terminal echoed ^C on this line: write over it. The words are the wizard's (screens.ts CANCELLED_LINE).
  err.write(`${err.isTTY ? '\r\u001b[K' : ''}kg-init: cancelled; nothing was written.\n`);
  process.exit(130);
}

let armed = false;

export function armEarlyCancel(): void {
  if (armed) return;
  armed = true;
  process.on('SIGINT', onEarlySigint);
}

export function endEarlyCancel(): void {
  if (!armed) return;
  armed = false;
  process.off('SIGINT', onEarlySigint);
}
