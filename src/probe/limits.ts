// The probe's time bounds: no command runs past TOOL_TIMEOUT_MS, and none
// past PROBE_BUDGET_MS from the start of the probe, so a hanging tool costs
// at most that.

/** Per-command bound. */
export const TOOL_TIMEOUT_MS = 2000;
/** Whole-probe bound for commands: none may run past this. */
export const PROBE_BUDGET_MS = 2700;
