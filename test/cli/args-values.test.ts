// The CLI loads the zod value checks only when the command line may carry a
// value to check (parseCommandLine): the pre-scan must never miss one.
import { describe, expect, it } from 'vitest';
import { CHECKED_OPTIONS, needsValueCheck, OPTIONS, parseArgsWith, parseCommandLine } from '../../src/cli/options.js';
import { checkedOptions } from '../../src/cli/values.js';

describe('value checks loaded on demand', () => {
  it('the pre-scan and the checker name the same options', () => {
    expect([...CHECKED_OPTIONS].sort()).toEqual(checkedOptions().sort());
    for (const name of CHECKED_OPTIONS) expect(OPTIONS.find((o) => o.name === name)?.value).toBeTruthy();
  });

  it('every spelling of a checked option is seen by the pre-scan', () => {
    for (const o of OPTIONS.filter((x) => CHECKED_OPTIONS.has(x.name))) {
      expect(needsValueCheck([`--${o.name}`, 'x'])).toBe(true);
      expect(needsValueCheck(['--yes', `--${o.name}=x`])).toBe(true);
      if (o.short) {
        expect(needsValueCheck([`-${o.short}`, 'x'])).toBe(true);
        expect(needsValueCheck([`-${o.short}x`])).toBe(true);
      }
    }
  });

  it('--help, --version and value-less commands need no checker', () => {
    for (const argv of [['--help'], ['-h'], ['--version'], ['probe', '--json'], ['--yes', '--gpu', 'cpu']]) {
      expect(needsValueCheck(argv)).toBe(false);
      expect(() => parseArgsWith(argv)).not.toThrow();
    }
    // After `--` every token is an argument, never an option.
    expect(needsValueCheck(['--', '--dir'])).toBe(false);
    expect(() => parseArgsWith(['--', '--dir'])).toThrowError(expect.objectContaining({ exitCode: 2 }));
  });

  it('parseCommandLine checks values like parseArgs', async () => {
    expect((await parseCommandLine(['--yes', '--release', 'v0.13.1'])).release).toBe('0.13.1');
    await expect(parseCommandLine(['--yes', '--release', 'x'])).rejects.toMatchObject({ exitCode: 2 });
    await expect(parseCommandLine(['--yes', '-C', ''])).rejects.toMatchObject({ exitCode: 2 });
  });
});
