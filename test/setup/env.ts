// Ink decides once, when it is imported, whether it runs in CI (then it paints
// only the last frame). The wizard's launcher hides CI from Ink for the same
// reason; tests that render Ink in-process (ink-testing-library) need the same,
// or they would pass locally and fail under CI=true. Children that tests spawn
// get CI explicitly where a test is about it.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

// Nothing a test runs may write into the real user's config directory: the
// re-init memory store goes to a scratch directory unless a test sets its own.
// Every temporary file of a test file, and of the processes it starts, goes
// under one directory of its own (TMPDIR), removed when the file is done.
import { afterAll } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = (process.env.KG_INIT_TEST_TMPDIR_BASE ??= tmpdir());
const scratch = mkdtempSync(join(base, 'kg-init-test-'));
chmodSync(scratch, 0o755); // reachable by the unprivileged user some tests run as under root
process.env.TMPDIR = scratch;
process.env.KG_INIT_CONFIG_DIR = join(scratch, 'user-config');
process.env.XDG_CONFIG_HOME = join(scratch, 'xdg');
mkdirSync(process.env.XDG_CONFIG_HOME);
// The built CLI's compile cache (src/boot.ts) too: per test file, made by its first run.
process.env.XDG_CACHE_HOME = join(scratch, 'xdg-cache');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// A first install (an empty directory) fetches the platform's files: every test
// gets them from kg-init's own fixture of the platform, never from the network,
// unless a test sets its own source.
import { fileURLToPath } from 'node:url';
if (!process.env.KG_INIT_PLATFORM_SOURCE) process.env.KG_INIT_PLATFORM_SOURCE = fileURLToPath(new URL('../fixtures/platform/', import.meta.url));

// doctor loads its YAML parser before diagnose() runs (src/doctor/compose.ts);
// tests that call diagnose() in-process get it loaded here.
import { loadComposeParser } from '../../src/doctor/compose.js';
await loadComposeParser();
// What the build stamps into the bundle for doctor's fast path (src/render/docs.ts), computed the same way.
import { parse as parseYaml } from 'yaml';
import { templateDocs } from '../../src/render/docs.js';
(globalThis as { __KG_TEMPLATE_DOCS_JSON__?: string }).__KG_TEMPLATE_DOCS_JSON__ = JSON.stringify(templateDocs((t) => parseYaml(t, { logLevel: 'error' })));
