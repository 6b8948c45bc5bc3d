#!/usr/bin/env node
// kg-init entry shim: refuse old Node in one line, then load the bundle.
// Kept free of modern syntax so that even an old Node can parse it.
import { readFileSync } from 'fs'; // 'fs', not 'node:fs': a Node too old for the prefix still reaches the message below
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
}
quietPipe(process.stdout);
quietPipe(process.stderr);
// --version from here, without loading the bundle (the version is package.json's,
// which the bundle also carries).
var args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version + '\n');
} else {
  import('../dist/cli.js').then(function (m) { return m.main(process.argv.slice(2)); }).then(
    function (code) { if (typeof code === 'number') process.exitCode = code; },
    function (err) {
      process.stderr.write('kg-init: internal error: ' + (err && err.message ? err.message : String(err)) + '\n');
      process.exitCode = 1;
    }
  );
}
