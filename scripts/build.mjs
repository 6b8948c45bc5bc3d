// Bundles src/ into dist/, with no runtime dependencies: every command but the
// wizard as one CommonJS file (dist/cli.cjs, with execa and the YAML parser
// beside it), and the whole CLI as ES module chunks (dist/cli.js: the Ink
// wizard). bin/kg-init.js picks between them.
// KG_BUILD_NAMES=1 keeps identifiers (readable CPU profiles); minified otherwise.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execaPatches } from './execa-patches.mjs';

// `import text from './file.yml?raw'` (Vite's syntax, so vitest reads the same
// source) becomes the file's text in the bundle.
const rawImports = {
  name: 'raw-imports',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: new URL(args.path.replace(/\?raw$/, ''), 'file://' + args.resolveDir + '/').pathname,
      namespace: 'raw',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

// Ink imports its React devtools bridge only when DEV=true; shipping it would
// add ~50 KB that no user runs. The stub fails the way a missing module does,
// so Ink prints its own hint instead.
const inkDevtoolsStub = {
  name: 'ink-devtools-stub',
  setup(b) {
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      /node_modules\/ink\//.test(args.importer) ? { path: 'ink-devtools', namespace: 'ink-devtools-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'ink-devtools-stub' }, () => ({
      contents: "const e = new Error('React devtools are not bundled with kg-init'); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;",
      loader: 'js',
    }));
  },
};

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

// doctor's fast path (src/render/docs.ts): every compose template rendered
// with sentinel values and parsed here, once, so a run reads a file kg-init
// rendered without loading the YAML parser.
async function templateDocs() {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const { parse } = await import('yaml');
  const dir = mkdtempSync(join(tmpdir(), 'kg-build-'));
  try {
    const out = join(dir, 'docs.mjs');
    await build({
      entryPoints: ['src/render/docs.ts'], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20',
      plugins: [rawImports], define: { __KG_TEMPLATE_DOCS_JSON__: 'undefined' }, logLevel: 'warning',
    });
    return (await import(pathToFileURL(out).href)).templateDocs((t) => parse(t, { logLevel: 'error' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// A string, parsed on first use: an object literal would be built by every run that loads the renderer.
const TEMPLATE_DOCS = JSON.stringify(JSON.stringify(await templateDocs()));

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: !process.env.KG_BUILD_NAMES,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  plugins: [rawImports, inkDevtoolsStub],
  define: {
    'process.env.NODE_ENV': '"production"',
    __KG_INIT_VERSION__: JSON.stringify(pkg.version),
    __KG_TEMPLATE_DOCS_JSON__: TEMPLATE_DOCS,
  },
  // Some bundled CommonJS packages call require(); give the ESM bundle one.
  banner: {
    js: "import{createRequire as __kgCreateRequire}from'node:module';const require=__kgCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

// The ES module build: the whole CLI, the wizard included (Ink and React are
// ES modules; yoga's WebAssembly loads with a top-level await), split into
// lazily imported chunks. bin/kg-init.js runs it for the wizard, and for what
// dist/cli.cjs hands back.
const result = await build({
  ...common,
  // The wizard only: src/cli.ts imports it statically and hands it to run().
  define: { ...common.define, __KG_INIT_COMMANDS__: 'false' },
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Only loaded by Ink when DEV=true; never shipped.
  external: ['react-devtools-core'],
});

// Every command but the wizard as one CommonJS file (dist/cli.cjs, from
// src/main.ts): headless --yes, probe, doctor, --help. No splitting, so a run
// reads and compiles one file, and as CommonJS it skips the ES module loader
// and its facades over Node's built-ins (see src/main.ts). Its dynamic imports
// are bundled inline (compiled, but run only when used), except large
// packages not every run needs, which are files of their own, required when
// first used: execa (dist/execa.cjs; the probe's first command) and the YAML
// parser (dist/yaml.cjs; doctor and a first install).
const APART = { execa: 'export { execa } from "execa";', yaml: 'export { parse } from "yaml";' };
const apart = {
  name: 'apart',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(APART).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'apart' } : undefined));
    // A require() the bundle keeps, so the file loads through CommonJS too, not through import().
    b.onLoad({ filter: /.*/, namespace: 'apart' }, (args) => ({ contents: `module.exports = require('./${args.path}.cjs');`, loader: 'js' }));
    b.onResolve({ filter: /^\.\/[a-z]+\.cjs$/ }, (args) => (args.namespace === 'apart' ? { path: args.path, external: true } : undefined));
    // import('node:crypto') and the like become require() as well: dist/boot.cjs compiles
    // the bundle as a vm.Script, where import() has no loader to call.
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    b.onResolve({ filter: /^node:/ }, (args) => (args.namespace === 'builtin' ? { path: args.path, external: true } : undefined));
  },
};
const { banner: _esmBanner, ...cjsCommon } = common;
const cjs = await build({
  ...cjsCommon,
  format: 'cjs',
  define: { ...common.define, __KG_INIT_COMMANDS__: 'true' },
  entryPoints: { cli: 'src/main.ts' },
  outExtension: { '.js': '.cjs' },
  outdir: 'dist',
  plugins: [...common.plugins, apart],
});
const apartFiles = await Promise.all(
  Object.entries(APART).map(([name, contents]) =>
    build({
      ...cjsCommon,
      format: 'cjs',
      stdin: { contents, resolveDir: new URL('..', import.meta.url).pathname, loader: 'js' },
      outfile: `dist/${name}.cjs`,
      plugins: [...cjsCommon.plugins, ...execaPatches],
    }),
  ),
);
// The shim's loader: requires dist/cli.cjs through this user's V8 code cache (src/boot.ts).
const boot = await build({ ...cjsCommon, format: 'cjs', entryPoints: { boot: 'src/boot.ts' }, outExtension: { '.js': '.cjs' }, outdir: 'dist' });
// Each file boot.cjs loads starts with its content hash, the key of its code cache.
for (const name of ['cli', ...Object.keys(APART)]) {
  const file = new URL(`../dist/${name}.cjs`, import.meta.url);
  const text = readFileSync(file, 'utf8');
  if (/\bimport\(/.test(text)) throw new Error(`dist/${name}.cjs calls import(), which a vm.Script cannot (src/boot.ts)`);
  writeFileSync(file, `// kg-init ${createHash('sha256').update(text).digest('hex').slice(0, 16)}\n${text}`);
}
for (const out of [cjs, boot, ...apartFiles]) {
  for (const [k, v] of Object.entries(out.metafile.outputs)) result.metafile.outputs[k] = v;
  Object.assign(result.metafile.inputs, out.metafile.inputs);
}

if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile));
}
