// Acceptance of what a person reads in the wizard, on every recorded host at
// 100×30, 80×24 and 60×15, in a real pseudo-terminal (built CLI): no text cut
// with "…", every mode's reason, finding and fix present whole (paging through
// the details when they do not fit), the GPUs named as `kg-init probe` names
// them, and the next command printed on one line, correct.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayedHosts, toolsRequired } from '../helpers/cli.js';
import { KEY, PTY_AVAILABLE, spawnPty } from '../helpers/pty.js';
import { openSnapshot } from '../../src/host/index.js';
import { probeReport } from '../../src/assess/report.js';
import { readInstall } from '../../src/install/read.js';
import { makePlan } from '../../src/plan/make.js';
import { preparePlatform, withPlatform } from '../../src/platform/install.js';
import { DEFAULT_REGISTRY } from '../../src/catalog.js';
import { gpuLabel } from '../../src/present/gpu.js';
import { fixOf } from '../../src/present/symbols.js';
import type { Report } from '../../src/report.js';

const SIZES = [
  { cols: 100, rows: 30 },
  { cols: 80, rows: 24 },
  { cols: 60, rows: 15 },
];
const hosts = replayedHosts();
const root = mkdtempSync(join(tmpdir(), 'kg-hosts-pty-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Screen text as words: box drawing and wrapping undone. */
/** Only the characters, in order: a word the frame had to split over two rows still matches. */
const chars = (t: string) => t.replace(/[│╭╮╰╯─\s]/g, '');

/**
 * The rows of a screen that scrolls, page after page, put back together:
 * the rows every page starts with (title, mode list) once, then each page's
 * scrolled rows without the rows it repeats from the page before.
 */
function unscroll(pages: string[][]): string {
  const body = (p: string[]) => p.slice(0, Math.max(p.findIndex((l) => l.includes('PgUp/PgDn scroll')), 0) || p.length);
  let common = 0;
  while (pages.every((p) => p[common] !== undefined && p[common] === pages[0]![common])) common++;
  const acc: string[] = [...pages[0]!.slice(0, common)];
  const scrolled: string[] = [];
  for (const p of pages) {
    const rows = body(p).slice(common);
    let k = Math.min(rows.length, scrolled.length);
    while (k > 0 && scrolled.slice(-k).join('\n') !== rows.slice(0, k).join('\n')) k--;
    scrolled.push(...rows.slice(k));
  }
  return [...acc, ...scrolled].join('\n');
}

/** Every text of a mode a person must be able to read whole. */
function texts(report: Report, mode: string): string[] {
  const m = report.modes.find((x) => x.mode === mode)!;
  const out: string[] = [];
  for (const r of m.requirements) if (r.state !== 'met' && r.fix) out.push(r.fix);
  for (const f of m.findings) {
    if (f.severity === 'info') continue;
    if (m.requirements.some((r) => r.detail === f.message || (r.fix !== undefined && r.fix === f.fix))) continue;
    out.push(f.message);
    const fix = fixOf(f);
    if (fix) out.push(fix.text);
  }
  return out;
}

describe.skipIf(!PTY_AVAILABLE && !toolsRequired())('every recorded host at three sizes (built CLI, pseudo-terminal)', () => {
  for (const [name, host] of hosts) {
    describe.concurrent(name, () => {
      for (const size of SIZES) {
        it(`${size.cols}×${size.rows}`, { timeout: 120_000 }, async () => {
          const report = await probeReport(await openSnapshot(host));
          const dir = mkdtempSync(join(root, `${name.replace(/\W+/g, '_')}-${size.cols}-`));
          // As the wizard does: the empty directory gets the platform (KG_INIT_PLATFORM_SOURCE, set for every test).
          const found = await readInstall(dir);
          const prep = await preparePlatform(found, { env: process.env, cwd: dir, version: '0' });
          const install = withPlatform(found, prep.files, prep.source);
          const plan = makePlan(report, { mode: report.recommendation.mode, registry: DEFAULT_REGISTRY, force: false }, install, { now: new Date(), version: '0' });
          const r = spawnPty(['--dir', dir], { env: { KG_INIT_HOST_SNAPSHOT: host }, ...size });
          try {
            await r.until('Recommended:', 60_000);
            await r.until(() => !/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(r.text()), 60_000);
            await r.settle();
            // A token longer than the frame (a quoted nvidia-smi command) is split over rows: compare the characters.
            expect(chars(r.text())).toContain(chars(report.recommendation.reason));
            // The GPUs as probe names them (on the screen, or below it).
            const probePages = [r.screen()];
            for (let i = 0; i < 20 && /more below/.test(r.text()); i++) {
              const before = r.text();
              r.write('\u001b[6~');
              await r.until(() => r.text() !== before, 5_000);
              await r.settle();
              probePages.push(r.screen());
            }
            const seen = chars(unscroll(probePages));
            for (const g of report.gpus) expect(seen).toContain(chars(gpuLabel(g)));
            r.write(KEY.enter);
            await r.until('choose a GPU mode');
            // Each mode: its reason, findings and fixes whole, paging through the details.
            for (let i = 0; i < report.modes.length; i++) {
              await r.until(() => r.text().includes('❯'));
              await r.settle(); // a frame read mid-repaint can lack its "more below"
              const pages = [r.screen()];
              for (let p = 0; p < 20 && /more below/.test(r.text()); p++) {
                const before = r.text();
                r.write('\u001b[6~');
                await r.until(() => r.text() !== before, 5_000);
                await r.settle();
                pages.push(r.screen());
              }
              const text = chars(unscroll(pages));
              await r.until(() => /❯ \S+/.test(r.text()), 5_000); // a repaint after the last page may be under way
              const mode = /❯ (\S+)/.exec(r.text())![1]!;
              for (const t of texts(report, mode)) expect(text, `${mode}: ${t}`).toContain(chars(t));
              const before = r.text();
              r.write(KEY.down);
              await r.until(() => r.text() !== before, 5_000);
            }
            // Back on the recommendation and through to the end.
            r.write(KEY.esc);
            await r.until('Recommended:');
            r.write(KEY.enter);
            await r.until('choose a GPU mode');
            expect(r.text()).toMatch(new RegExp(`❯ ${report.recommendation.mode} `));
            r.write(KEY.enter);
            await r.until('3/4 review');
            r.write(KEY.enter);
            expect(await r.exit()).toBe(0);
            expect(r.raw()).not.toContain('…');
            expect(r.logicalLines()).toContain(`Next: cd ${dir} && ${plan.nextCommand}`);
          } finally {
            r.kill();
          }
        });
      }
    });
  }
});
