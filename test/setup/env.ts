// Ink decides once, when it is imported, whether it runs in CI (then it paints
// only the last frame). The wizard's launcher hides CI from Ink for the same
// reason; tests that render Ink in-process (ink-testing-library) need the same,
// or they would pass locally and fail under CI=true. Children that tests spawn
// get CI explicitly where a test is about it.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

// Nothing a test runs may write into the real user's config directory: the
// re-init memory store goes to a scratch directory unless a test sets its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.KG_INIT_CONFIG_DIR) process.env.KG_INIT_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'kg-init-test-config-'));
process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'kg-init-test-xdg-'));
