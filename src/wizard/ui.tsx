// Building blocks of the wizard's screens: one-row lines made of coloured
// segments, the frame every screen shares, a spinner, and the terminal size.
// A line never wraps (it is clipped to the width), so a screen's height is the
// number of lines it renders.
import { useEffect, useState, type ReactNode } from 'react';
import { Box, Text, useStdout } from 'ink';
import type { Size } from './layout.js';

import { clipSegs, SPINNER, SPINNER_MS, type LineSpec, type Tone } from './lines.js';

export type { LineSpec, Seg, Tone, Theme } from './lines.js';
export { theme } from './lines.js';

function toneProps(tone: Tone | undefined): Record<string, unknown> {
  switch (tone) {
    case 'ok':
    case 'add':
      return { color: 'green' };
    case 'warn':
      return { color: 'yellow' };
    case 'fail':
    case 'del':
      return { color: 'red' };
    case 'dim':
      return { dimColor: true };
    case 'accent':
    case 'hunk':
    case 'command':
      return { color: 'cyan' };
    case 'bold':
      return { bold: true };
    case 'title':
      return { bold: true, color: 'cyan' };
    default:
      return {};
  }
}

/** One terminal row: segments clipped together to `width` columns. */
export function Line({ spec, width }: { spec: LineSpec; width: number }): ReactNode {
  const kept = clipSegs(spec, width);
  if (kept.every((s) => s.text === '')) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {kept.map((s, i) => (
        <Text key={i} {...toneProps(s.tone)}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

/**
 * The spinner glyph, ticking only while `active` (no timer in plain mode);
 * `start`: the glyph already on screen (a frame painted before Ink).
 */
export function useSpinner(active: boolean, plain: boolean, start = 0): string {
  const [i, setI] = useState(start % SPINNER.length);
  useEffect(() => {
    if (!active || plain) return;
    const t = setInterval(() => setI((n) => (n + 1) % SPINNER.length), SPINNER_MS);
    return () => clearInterval(t);
  }, [active, plain]);
  return plain ? 'running:' : SPINNER[i]!;
}

/** The terminal's size, re-read on resize (defaults 80×24 when a stream has none). */
export function useSize(override?: Size): Size {
  const { stdout } = useStdout();
  const read = (): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (override) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, override]);
  return override ?? size;
}

/**
 * Every screen: a title row, a blank row, the body, and a row of key hints.
 * The body must not exceed bodyRows(size) lines; the frame never exceeds
 * frameRows(size).
 */
export function Frame(props: { title: LineSpec[]; footer: LineSpec[]; size: Size; blankAfterTitle: boolean; children: ReactNode }): ReactNode {
  const { title, footer, size, children } = props;
  return (
    <Box flexDirection="column" width={size.columns}>
      <Lines lines={title} width={size.columns} />
      {props.blankAfterTitle ? <Text> </Text> : null}
      {children}
      <Lines lines={footer} width={size.columns} />
    </Box>
  );
}

/** Renders lines, one row each. */
export function Lines({ lines, width }: { lines: LineSpec[]; width: number }): ReactNode {
  return (
    <>
      {lines.map((l, i) => (
        <Line key={i} spec={l} width={width} />
      ))}
    </>
  );
}
