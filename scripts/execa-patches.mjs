// What dist/execa.cjs changes in execa and its dependencies as it bundles them,
// so that loading execa costs a run only what kg-init uses. Each patch moves
// work from load time to first use; none changes what execa does. Each names
// the exact text it replaces and fails the build if that text is gone (execa
// changed: look again).
import { readFileSync } from 'node:fs';

/** An esbuild plugin that replaces `edits` ([from, to] pairs) in the one file matching `file`. */
function patch(name, file, edits) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter: file }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        for (const [from, to] of edits) {
          if (!text.includes(from)) throw new Error(`${args.path}: the text the ${name} patch replaces is gone (${JSON.stringify(from.slice(0, 60))}); look again at scripts/execa-patches.mjs`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: 'js' };
      });
    },
  };
}

// execa imports node:v8 for one function, serialize(), which only its IPC
// option uses; loading node:v8 costs every run that spawns a few
// milliseconds. Here it is bound on first call.
const lazyV8 = {
  name: 'lazy-v8',
  setup(b) {
    b.onResolve({ filter: /^node:v8$/ }, (args) => (/node_modules\/execa\//.test(args.importer) ? { path: 'v8', namespace: 'lazy-v8' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-v8' }, () => ({ contents: "export const serialize = (...a) => require('node:v8').serialize(...a);", loader: 'js' }));
  },
};

// execa builds its list of the standard streams when it loads, and reading
// process.stdin creates Node's stdin stream (some 5 ms: fs or tty streams),
// which kg-init's commands never read. Here the list reads each stream when
// execa looks at it (only for stdio options that name one, which kg-init never
// passes), the same objects either way.
const lazyStdStreams = patch('lazy-standard-streams', /node_modules\/execa\/lib\/utils\/standard-stream\.js$/, [
  [
    'export const STANDARD_STREAMS = [process.stdin, process.stdout, process.stderr];',
    'export const STANDARD_STREAMS = Object.defineProperties([undefined, undefined, undefined], {' +
      '0: {get: () => process.stdin, enumerable: true}, 1: {get: () => process.stdout, enumerable: true}, 2: {get: () => process.stderr, enumerable: true}});',
  ],
]);

// human-signals (execa's table of signal descriptions) builds two tables when
// it loads, some 5 ms: signalsByNumber, which execa never reads, and
// signalsByName, which it reads only to describe the signal that ended a
// command. Here the first is dropped as unused and the second is built on
// first look, the same object behind a proxy.
const lazySignals = patch('lazy-signals', /node_modules\/human-signals\/build\/src\/main\.js$/, [
  [
    'export const signalsByName=getSignalsByName();',
    'let builtByName;const byNameTable=()=>(builtByName??=getSignalsByName());' +
      'export const signalsByName=new Proxy({},Object.fromEntries(' +
      "['get','has','ownKeys','getOwnPropertyDescriptor','getPrototypeOf','set','defineProperty','deleteProperty','setPrototypeOf']" +
      '.map((trap)=>[trap,(_target,...rest)=>Reflect[trap](byNameTable(),...rest)])));',
  ],
  ['export const signalsByNumber=getSignalsByNumber();', 'export const signalsByNumber=/* @__PURE__ */getSignalsByNumber();'],
]);

// execa's verbose log (its `verbose` option, which kg-init never sets) draws
// with figures and yoctocolors, which build their symbol tables and ask the
// terminal about colours when they load. Here they load when a line is first
// logged (esbuild runs a require()d ES module on first require).
const lazyVerboseStyle = patch('lazy-verbose-style', /node_modules\/execa\/lib\/verbose\/default\.js$/, [
  ["import figures from 'figures';", "const lazyFigures = () => require('figures').default;"],
  [
    "import {\n\tgray,\n\tbold,\n\tredBright,\n\tyellowBright,\n} from 'yoctocolors';",
    "const colors = () => require('yoctocolors');\n" +
      'const gray = (s) => colors().gray(s);\nconst bold = (s) => colors().bold(s);\n' +
      'const redBright = (s) => colors().redBright(s);\nconst yellowBright = (s) => colors().yellowBright(s);',
  ],
  ['return figures.tick;', 'return lazyFigures().tick;'],
  ['return reject ? figures.cross : figures.warning;', 'return reject ? lazyFigures().cross : lazyFigures().warning;'],
]);

// `import process from 'node:process'` in a bundled ES module becomes, in
// CommonJS, a copy of every property of process made when the module loads
// (esbuild's __toESM), six times over in execa: some 250 KB and 1.5 ms. Here
// node:process is a module that hands out the process object itself, and the
// few names execa imports from it (a name it does not export fails the build).
const processItself = {
  name: 'process-itself',
  setup(b) {
    b.onResolve({ filter: /^node:process$/ }, (args) => (/node_modules\//.test(args.importer) ? { path: 'process', namespace: 'process-itself' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'process-itself' }, () => ({
      contents:
        'const p = globalThis.process; export default p;\n' +
        'export const execPath = p.execPath, execArgv = p.execArgv, hrtime = p.hrtime, platform = p.platform;',
      loader: 'js',
    }));
  },
};

export const execaPatches = [lazyV8, lazyStdStreams, lazySignals, lazyVerboseStyle, processItself];
