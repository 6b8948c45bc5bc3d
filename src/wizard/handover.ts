// Ink takes over the frame the launcher painted by hand (launch.ts) without
// painting it again: erasing rows only to write the same rows back is a
// visible flicker (tmux shows it). Ink's first frame is the same screen in the
// same state, written the same way (screens.ts laidText), so when its bytes
// match what is on screen they are not written at all; Ink's next frame then
// replaces the painted rows as it would its own. A first frame that differs
// (the terminal was resized meanwhile) is written over the painted one.
import { eraseFrame, type FrameText } from './lines.js';
import type { WizardState } from './state.js';

/** What the launcher hands Ink: the frame on screen, the state it shows, the spinner's glyph in it. */
export interface Handoff {
  painted: FrameText | null;
  state: WizardState | null;
  spin: number;
}

/** Synchronized-update and cursor-visibility switches: written, but not content. */
const SWITCHES = /\u001b\[\?(?:2026|25)[hl]/g;
const ONLY_SWITCHES = /^(?:\u001b\[\?(?:2026|25)[hl])*$/;

export interface Handover {
  /**
   * Stops watching. When Ink has written no frame yet, the painted frame is
   * cleared, so that nothing half-drawn stays and Ink's frame lands in its place.
   */
  end(): void;
}

type Write = NodeJS.WriteStream['write'];

/** Watches `out` for Ink's first frame and takes the painted frame over with it. */
export function handOver(out: NodeJS.WriteStream, painted: FrameText): Handover {
  const own = Object.getOwnPropertyDescriptor(out, 'write');
  const write = out.write;
  let watching = true;
  const restore = () => {
    if (!watching) return;
    watching = false;
    if (own) Object.defineProperty(out, 'write', own);
    else delete (out as { write?: Write }).write;
  };
  out.write = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!watching || ONLY_SWITCHES.test(text)) return (write as (...a: unknown[]) => boolean).call(out, chunk, ...rest);
    restore();
    const same = text.replace(SWITCHES, '') === painted.text;
    const next = same ? (text.match(SWITCHES) ?? []).join('') : eraseFrame(painted) + text;
    return (write as (...a: unknown[]) => boolean).call(out, next, ...rest);
  } as Write;
  return {
    end() {
      if (!watching) return;
      restore();
      (write as (...a: unknown[]) => boolean).call(out, eraseFrame(painted));
    },
  };
}
