// Loaded with `node --import` by bench/run.mjs: records this process's peak
// resident set size (bytes) into $KG_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const out = process.env.KG_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    writeFileSync(out, String(process.resourceUsage().maxRSS * 1024));
  });
}
