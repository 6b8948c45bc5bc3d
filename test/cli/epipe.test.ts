// A closed stdout (piped into `head -1`) ends the run quietly with its usual
// status: no EPIPE stack trace.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { makeReport } from '../helpers/report.js';

describe('closed stdout', () => {
  test('kg-init --yes --dry-run | head -1: one line, exit 0, nothing on stderr', () => {
    const root = mkdtempSync(join(tmpdir(), 'kg-epipe-'));
    try {
      const report = join(root, 'r.json');
      writeFileSync(report, JSON.stringify(makeReport({ recommend: 'nvidia' })));
      const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" --yes --dry-run -C "${root}/x" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', KG_INIT_REPORT: report },
      });
      expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr.trim()).toBe('status=0');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
