#!/usr/bin/env node
// kg-init entry shim: refuse old Node in one line, then load the bundle that
// answers this command line. CommonJS (bin/package.json says so): Node starts
// a CommonJS entry without its ES module loader, some 10 ms sooner. Kept free
// of modern syntax so that even an old Node can parse it.
'use strict';
var readFileSync = require('fs').readFileSync; // 'fs', not 'node:fs': a Node too old for the prefix still reaches the message below
var major = parseInt(process.versions.node.split('.')[0], 10);
if (major < 20) {
  process.stderr.write('kg-init needs Node.js 20 or newer (this is ' + process.version + '). Install a current Node from https://nodejs.org or your package manager, then run it again.\n');
  process.exit(1);
}
// A reader that went away (kg-init --yes --dry-run | head -1): the rest of the
// output has nowhere to go; the run ends quietly with its usual status.
function quietPipe(stream) {
  stream.on('error', function (e) {
    if (e && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) return;
    throw e;
  });
  return stream;
}
// Node builds process.stdout and process.stderr on first use (some 3-5 ms
// each, more on a terminal), and the commands of dist/cli.cjs write to the
// descriptors instead (src/cli/fd-writer.ts): the streams get their handler
// when something first asks for them, not here.
function quietPipeWhenBuilt(name) {
  var d = Object.getOwnPropertyDescriptor(process, name);
  if (!d || typeof d.get !== 'function' || !d.configurable) {
    quietPipe(process[name]);
    return;
  }
  var built = null;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: d.enumerable,
    get: function () {
      return built || (built = quietPipe(d.get.call(process)));
    },
  });
}
quietPipeWhenBuilt('stdout');
quietPipeWhenBuilt('stderr');

function finish(code) {
  if (typeof code === 'number') process.exitCode = code;
}
function failed(err) {
  process.stderr.write('kg-init: internal error: ' + (err && err.message ? err.message : String(err)) + '\n');
  process.exitCode = 1;
}
// The whole CLI as ES modules, split into chunks: the wizard (Ink and React
// are ES modules) and anything dist/cli.cjs hands back.
function esm(args) {
  return import('../dist/cli.js').then(function (m) { return m.main(args); });
}
// Whether the command line may be something other than the wizard. Only a
// hint: dist/cli.cjs parses it properly and hands the wizard back (null).
function notWizard(args) {
  for (var i = 0; i < args.length; i++) {
    var a = args[i];
    if (a === '--yes' || a === '-y' || a === '--help' || a === '-h' || a === '--version' || a === '-V' || a === 'probe' || a === 'doctor' || a === 'help') return true;
  }
  return false;
}

function cwdExists() {
  try {
    process.cwd();
    return true;
  } catch (e) {
    return false;
  }
}

var args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // From here, without loading a bundle (the version is package.json's, which the bundles also carry).
  process.stdout.write(JSON.parse(readFileSync(require('path').join(__dirname, '../package.json'), 'utf8')).version + '\n');
} else if (!cwdExists()) {
  // Every path kg-init takes is resolved against it; say so instead of Node's uv_cwd error.
  process.stderr.write('kg-init: the current directory no longer exists (it was removed or moved away). cd to one that does, then run kg-init again.\n');
  process.exitCode = 1;
} else if (notWizard(args)) {
  // Every command but the wizard, as one CommonJS file: one read and one
  // compile, or none with this user's compile cache (src/boot.ts).
  var run;
  try {
    run = require('../dist/boot.cjs').requireCli(require('path').join(__dirname, '../dist/cli.cjs')).main(args);
  } catch (e) {
    run = Promise.reject(e);
  }
  run.then(function (code) { return code === null ? esm(args) : code; }).then(finish, failed);
} else {
  esm(args).then(finish, failed);
}
