import { configDefaults, defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const TESTS = ['test/**/*.test.ts', 'test/**/*.test.tsx'];
/**
 * End-to-end tests: they run the built CLI (bin/kg-init.js → dist/), a real
 * terminal, kills, fuzzing or external tools (docker-compose, ansible), and
 * take minutes. Everything else is `unit`: in-process, no build needed,
 * answers in seconds (`npm run test:unit`). `npm test` runs both.
 */
const E2E = [
  'test/reliability/**/*.test.ts',
  'test/commands/**/*.test.ts',
  'test/apply/crash.test.ts',
  'test/apply/security.test.ts',
  'test/cli/epipe.test.ts',
  'test/cli/cli.test.ts',
  'test/cli/compile-cache.test.ts',
  'test/cli/bundled-execa.test.ts',
  'test/cli/output.test.ts',
  'test/cli/help-and-suggestions.test.ts',
  'test/doctor/doctor.test.ts',
  'test/doctor/runtime.test.ts',
  'test/host/record.test.ts',
  'test/probe/hosts.test.ts',
  'test/probe/probe.test.ts',
  'test/render/render.test.ts',
  'test/wizard/pty.test.ts',
  'test/wizard/hosts-pty.test.ts',
  'test/wizard/startup-pty.test.ts',
  'test/docs.test.ts',
  'test/install-sh.test.ts',
  'test/package.test.ts',
];

export default defineConfig({
  define: { __KG_INIT_VERSION__: JSON.stringify(pkg.version), __KG_INIT_COMMANDS__: 'true', __KG_TEMPLATE_DOCS_JSON__: 'globalThis.__KG_TEMPLATE_DOCS_JSON__' },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup/env.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: TESTS, exclude: [...configDefaults.exclude, ...E2E] } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
