// Renders the real wizard to SVG pictures for the README: runs the BUILT CLI
// in a pseudo-terminal (80×24) on a replayed AMD host, drives it with keys,
// and draws what the headless xterm shows (text, colours, bold/dim). Not a
// mock-up: whatever the wizard paints is what the picture shows.
//
//   npm run build && node scripts/screenshot.mjs   → docs/wizard-*.svg
import { createRequire } from 'node:module';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const { Terminal } = require('@xterm/headless');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = process.env.KG_INIT_HOST_SNAPSHOT ?? join(ROOT, 'test/hosts/amd-7900xtx-igpu-arch');
const COLS = 80;
const ROWS = 24;

// A dark palette close to common terminal defaults (xterm's 16 colours).
const PALETTE = ['#1e1e2e', '#f38ba8', '#a6e3a1', '#f9e2af', '#89b4fa', '#f5c2e7', '#94e2d5', '#bac2de',
  '#585b70', '#f38ba8', '#a6e3a1', '#f9e2af', '#89b4fa', '#f5c2e7', '#94e2d5', '#a6adc8'];
const FG = '#cdd6f4';
const BG = '#1e1e2e';

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function colourOf(cell) {
  if (cell.isFgDefault()) return FG;
  if (cell.isFgPalette()) return PALETTE[cell.getFgColor()] ?? FG;
  if (cell.isFgRGB()) return `#${cell.getFgColor().toString(16).padStart(6, '0')}`;
  return FG;
}

function svgOf(term, title) {
  const cw = 8.4;
  const lh = 18;
  const pad = 14;
  const top = 30;
  const width = Math.ceil(COLS * cw + pad * 2);
  const height = ROWS * lh + top + pad;
  const b = term.buffer.active;
  const rows = [];
  for (let y = 0; y < ROWS; y++) {
    const line = b.getLine(b.viewportY + y);
    if (!line) continue;
    const spans = [];
    let run = null;
    for (let x = 0; x < COLS; x++) {
      const cell = line.getCell(x);
      if (!cell || cell.getWidth() === 0) continue;
      const ch = cell.getChars() || ' ';
      const style = `${colourOf(cell)}|${cell.isBold() ? 1 : 0}|${cell.isDim() ? 1 : 0}`;
      if (run && run.style === style) run.text += ch;
      else {
        if (run) spans.push(run);
        run = { style, text: ch, x };
      }
    }
    if (run) spans.push(run);
    const tspans = spans
      .filter((s) => s.text.trim() !== '')
      .map((s) => {
        const [fill, bold, dim] = s.style.split('|');
        const attrs = [`x="${(pad + s.x * cw).toFixed(1)}"`, `fill="${fill}"`];
        if (bold === '1') attrs.push('font-weight="bold"');
        if (dim === '1') attrs.push('opacity="0.6"');
        return `<tspan ${attrs.join(' ')}>${esc(s.text.replace(/\s+$/, ''))}</tspan>`;
      })
      .join('');
    if (tspans) rows.push(`<text y="${top + y * lh + 13}" xml:space="preserve">${tspans}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">
<rect width="100%" height="100%" rx="8" fill="${BG}"/>
<circle cx="18" cy="15" r="5" fill="#f38ba8"/><circle cx="34" cy="15" r="5" fill="#f9e2af"/><circle cx="50" cy="15" r="5" fill="#a6e3a1"/>
<text x="${width / 2}" y="19" fill="#7f849c" font-family="sans-serif" font-size="12" text-anchor="middle">${esc(title)}</text>
<g font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="14">
${rows.join('\n')}
</g>
</svg>
`;
}

async function main() {
  // A fixed, plausible install directory, so the pictures do not change from run to run.
  const dir = join(tmpdir(), 'knowledge-graph');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  // The platform's files come from our fixture (no network needed), copied to a
  // fixed, plausible place: a local checkout of the platform, as
  // --platform-source allows, so the pictures show no path of this machine.
  const source = join(tmpdir(), 'knowledge-graph-system');
  rmSync(source, { recursive: true, force: true });
  cpSync(join(ROOT, 'test/fixtures/platform'), source, { recursive: true });
  const env = { ...process.env, KG_INIT_HOST_SNAPSHOT: HOST, KG_INIT_PLATFORM_SOURCE: source, TERM: 'xterm-256color', FORCE_COLOR: '1' };
  delete env.NO_COLOR;
  delete env.CI;
  const child = pty.spawn(process.execPath, [join(ROOT, 'bin/kg-init.js'), '--dir', dir], { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: dir, env });
  let pending = 0;
  let exited = false;
  child.onData((d) => {
    pending++;
    term.write(d, () => pending--);
  });
  child.onExit(() => (exited = true));
  const text = () => {
    const b = term.buffer.active;
    return Array.from({ length: ROWS }, (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '').join('\n');
  };
  const until = async (s) => {
    const end = Date.now() + 20_000;
    while (!(pending === 0 && text().includes(s))) {
      if (Date.now() > end || exited) throw new Error(`screenshot: never saw ${JSON.stringify(s)}; screen:\n${text()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const out = join(ROOT, 'docs');
  mkdirSync(out, { recursive: true });
  const shots = [];
  const shoot = (name, title) => {
    writeFileSync(join(out, name), svgOf(term, title));
    shots.push(name);
  };
  try {
    await until('Recommended:');
    shoot('wizard-probe.svg', 'npx kg-init: probing the host');
    child.write('\r');
    await until('choose a GPU mode');
    shoot('wizard-mode.svg', 'npx kg-init: choosing a GPU mode');
    child.write('\r');
    await until('Enter write these files');
    shoot('wizard-review.svg', 'npx kg-init: reviewing the changes');
    child.write('\r');
    await until('Next:');
    shoot('wizard-done.svg', 'npx kg-init: done');
  } finally {
    try {
      child.kill();
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`wrote ${shots.map((s) => `docs/${s}`).join(', ')}`);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
