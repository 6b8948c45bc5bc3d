// Probe time on replayed hosts, in-process (goal: ≤ 30 ms per host without a
// hanging tool). Run: npx vitest bench --run bench/probe-replay.bench.ts
import { bench, describe } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSnapshot } from '../src/host/index.js';
import { probe } from '../src/probe/index.js';

const SHARED = fileURLToPath(new URL('../../shared/hosts', import.meta.url));
const hosts = readdirSync(SHARED).filter((n) => existsSync(path.join(SHARED, n, 'host.json')) && !/hang/.test(n));

describe('probe on a replayed host', () => {
  for (const name of hosts) {
    bench(name, async () => {
      await probe(await openSnapshot(path.join(SHARED, name)));
    }, { iterations: 20 });
  }
});
