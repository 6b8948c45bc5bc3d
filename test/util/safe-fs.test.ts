// Every read kg-init makes is bounded in size, and none can block: a FIFO or a
// device is refused before a read waits on it, files in /proc and /sys (whose
// stat size is 0 or 4096) are read to their end but never past the bound.
import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdsExactly, readRegular, readRegularFollowing, UnsafeFileError } from '../../src/util/safe-fs.js';
import { closeSync, openSync } from 'node:fs';
import { LiveHost } from '../../src/host/live.js';

const linux = process.platform === 'linux';

describe.runIf(linux)('bounded reads', () => {
  test('a FIFO is refused at once (no writer needed), through a link too; /dev/zero is refused, not read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-safe-'));
    try {
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      symlinkSync(join(dir, 'fifo'), join(dir, 'link'));
      expect(() => readRegularFollowing(join(dir, 'fifo'), 1024)).toThrow(UnsafeFileError);
      expect(() => readRegularFollowing(join(dir, 'link'), 1024)).toThrow(/is a FIFO/);
      expect(() => readRegular(join(dir, 'fifo'), 1024)).toThrow(/is a FIFO/);
      expect(() => readRegularFollowing('/dev/zero', 1024)).toThrow(/is a character device, not a regular file/);
      expect(readRegularFollowing(join(dir, 'absent'), 1024)).toBeNull();
      // The host's reader says "nothing there" for all of them, never waits.
      const host = new LiveHost();
      expect(await host.readText(join(dir, 'fifo'))).toBeNull();
      expect(await host.readText('/dev/zero')).toBeNull();
      expect(await host.readIdSections(join(dir, 'fifo'), ['10de'])).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file larger than its bound is refused naming it; /proc files (stat size 0) are read whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-safe-'));
    try {
      writeFileSync(join(dir, 'big'), 'x'.repeat(5000));
      expect(() => readRegularFollowing(join(dir, 'big'), 4096)).toThrow(`${join(dir, 'big')} is larger than 4096 bytes`);
      expect(readRegularFollowing(join(dir, 'big'), 5000)!.length).toBe(5000);
      const stat = readRegularFollowing('/proc/self/stat', 64 * 1024)!.toString();
      expect(stat).toMatch(/^\d+ \(/);
      expect(() => readRegularFollowing('/proc/self/stat', 4)).toThrow(/is larger than 4 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('holdsExactly', () => {
  test('true only for the very bytes: a byte changed past the first megabyte, one more, one fewer are all false', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-same-'));
    try {
      const bytes = Buffer.alloc(3 * (1 << 20) + 17, 0x61);
      const at = (content: Buffer) => {
        writeFileSync(join(dir, 'f'), content);
        const fd = openSync(join(dir, 'f'), 'r');
        try {
          return holdsExactly(fd, bytes);
        } finally {
          closeSync(fd);
        }
      };
      expect(at(bytes)).toBe(true);
      const changed = Buffer.from(bytes);
      changed[(1 << 20) + 5] = 0x62;
      expect(at(changed)).toBe(false);
      expect(at(Buffer.concat([bytes, Buffer.from('x')]))).toBe(false);
      expect(at(bytes.subarray(0, bytes.length - 1))).toBe(false);
      expect(at(Buffer.alloc(0))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
