// Colour, decided once per stream: off with NO_COLOR (any non-empty value),
// --no-color, TERM=dumb or a non-terminal stream; FORCE_COLOR=1+ turns it on.
// applyColorEnv() mirrors the decision into FORCE_COLOR before Ink's colour
// library loads, because that library ignores NO_COLOR.

export interface ColorEnv {
  NO_COLOR?: string | undefined;
  FORCE_COLOR?: string | undefined;
  TERM?: string | undefined;
}

export function colorEnabled(isTTY: boolean | undefined, noColorFlag: boolean, env: ColorEnv = process.env): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(isTTY);
}

/** Call before importing Ink/chalk: makes them honour NO_COLOR, --no-color and TERM=dumb. */
export function applyColorEnv(noColorFlag: boolean, env: NodeJS.ProcessEnv = process.env): void {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb') {
    env.FORCE_COLOR = '0';
  }
}

export interface Style {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}
