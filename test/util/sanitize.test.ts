// Host data on the terminal: no escape sequence, no control character.
import { describe, expect, test } from 'vitest';
import { sanitizeDeep, sanitizeLine, sanitizeText } from '../../src/util/sanitize.js';

describe('sanitizeText', () => {
  test('OSC 52 clipboard writes, screen clears, cursor moves and title changes are removed whole', () => {
    expect(sanitizeText('NVIDIA \x1b]52;c;cm0gLXJmIH4=\x07RTX')).toBe('NVIDIA RTX');
    expect(sanitizeText('a\x1b[2J\x1b[Hb\x1b]0;pwned\x1b\\c')).toBe('abc');
    expect(sanitizeText('x\x9b31my')).toBe('xy');
  });
  test('other controls are shown, not obeyed; tab and newline kept (sanitizeLine shows them too)', () => {
    expect(sanitizeText('a\rb\x07c\x7fd\u202ee')).toBe('a\\x0db\\x07c\\x7fd\\u202ee');
    expect(sanitizeText('a\tb\nc')).toBe('a\tb\nc');
    expect(sanitizeLine('a\tb\nc')).toBe('a\\x09b\\x0ac');
  });
  test('every string of a report-like value', () => {
    expect(sanitizeDeep({ gpus: [{ name: 'GPU\x1b[31m!' }], n: 1 })).toEqual({ gpus: [{ name: 'GPU!' }], n: 1 });
  });
});
