// Bundles src/ into dist/: one minified ESM entry (dist/cli.js) plus lazily
// imported chunks (the Ink wizard), and the headless --yes path as one file
// (dist/headless.js), with no runtime dependencies.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

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

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  metafile: true,
  plugins: [rawImports, inkDevtoolsStub],
  define: {
    'process.env.NODE_ENV': '"production"',
    __KG_INIT_VERSION__: JSON.stringify(pkg.version),
  },
  // Some bundled CommonJS packages call require(); give the ESM bundle one.
  banner: {
    js: "import{createRequire as __kgCreateRequire}from'node:module';const require=__kgCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

const result = await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Only loaded by Ink when DEV=true; never shipped. ./headless.js is the
  // second bundle below, beside dist/cli.js.
  external: ['react-devtools-core', './headless.js'],
});

// Headless `--yes` as one file: no splitting, so the modules it needs (the
// probe, the writer, zod) load in one read and one compile instead of
// twenty-odd chunks through the ESM loader (see src/headless.ts). Its dynamic
// imports are bundled inline. It shares no module state with the split build:
// a process runs one or the other past dist/cli.js.
//
// The YAML parser is the exception: only a first install (checking the
// platform's files, src/platform/fetch.ts) imports it, so it is a file of its
// own (dist/yaml.js) instead of 115 KB every headless start would compile.
const yamlApart = {
  name: 'yaml-apart',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './yaml.js', external: true } : undefined));
  },
};
const headless = await build({
  ...common,
  entryPoints: { headless: 'src/headless.ts' },
  outdir: 'dist',
  splitting: false,
  plugins: [...common.plugins, yamlApart],
});
const yamlFile = await build({
  ...common,
  stdin: { contents: "export { parse } from 'yaml';", resolveDir: new URL('..', import.meta.url).pathname, loader: 'js' },
  outfile: 'dist/yaml.js',
});
for (const out of [headless, yamlFile]) {
  for (const [k, v] of Object.entries(out.metafile.outputs)) result.metafile.outputs[k] = v;
  Object.assign(result.metafile.inputs, out.metafile.inputs);
}

if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile));
}
