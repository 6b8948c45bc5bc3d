// Text from the host (GPU names from nvidia-smi or sysfs, a planted
// state.json, file names, a config line) made safe to print on a terminal:
// escape sequences (CSI, OSC such as the OSC 52 clipboard write, DCS...) are
// removed whole, other C0/C1 control characters and bidirectional overrides
// are shown as visible escapes, so nothing a host says can move the cursor,
// clear the screen, retitle the window or write the clipboard.

// ESC [ ... final byte; ESC ] / P / X / ^ / _ ... (BEL | ESC \); ESC + one byte;
// and the 8-bit forms (CSI 0x9b, OSC 0x9d, DCS 0x90, ...).
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|[\x1b][\]PX^_][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|[\x90\x9d\x98\x9e\x9f][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|\x1b[\s\S]?/g;
// C0 controls except tab and newline, DEL, C1 controls, and Unicode bidi
// overrides/isolates that reorder what is shown.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Host data for the terminal: escape sequences dropped, other control characters made visible. Tabs and newlines kept. */
export function sanitizeText(s: string): string {
  return s.replace(ESCAPES, '').replace(CONTROLS, visible);
}

/** One line of host data: as sanitizeText, and a newline or tab shown as an escape too. */
export function sanitizeLine(s: string): string {
  return sanitizeText(s).replace(/[\n\t]/g, visible);
}

/** Whether s holds anything sanitizeText would change. */
export function needsSanitizing(s: string): boolean {
  ESCAPES.lastIndex = 0;
  CONTROLS.lastIndex = 0;
  const r = ESCAPES.test(s) || CONTROLS.test(s);
  ESCAPES.lastIndex = 0;
  CONTROLS.lastIndex = 0;
  return r;
}

/** Every string in a JSON-like value made safe for the terminal (sanitizeLine), e.g. a probe report. */
export function sanitizeDeep<T>(v: T): T {
  if (typeof v === 'string') return sanitizeLine(v) as T;
  if (Array.isArray(v)) return v.map(sanitizeDeep) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = sanitizeDeep(x);
    return out as T;
  }
  return v;
}
