#!/usr/bin/env node
// Asserts the ROCm image's gfx targets from the image itself ("runtime
// libraries asserted, not assumed"): runs the kg-api ROCm image with Docker
// and prints, as JSON, the image, its digest, the torch and HIP versions and
// the architectures its PyTorch is built for. src/catalog-targets.json holds
// the recorded output; test/catalog.test.ts pins src/catalog.ts to it, so a new
// image whose list differs fails the tests until the catalog follows.
//
//   node scripts/catalog-targets.mjs [IMAGE] [--write [FILE]]
//
// IMAGE defaults to the catalog's amd-host image. --write stores the output
// in FILE (default src/catalog-targets.json). Needs `docker` on PATH; pulls the
// image when it is not there. No GPU is needed: without one,
// torch.cuda.get_arch_list() answers [] (it asks torch.cuda.is_available()
// first), so the script then reads the same list where get_arch_list() reads
// it, torch._C._cuda_getArchFlags(), and says so in "source".
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_IMAGE = 'ghcr.io/aaronsb/knowledge-graph-system/kg-api:rocm72-host';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const PY = [
  'import json, torch',
  'src = "torch.cuda.get_arch_list()"',
  'archs = torch.cuda.get_arch_list()',
  'if not archs:',
  '    src = "torch._C._cuda_getArchFlags()"',
  '    flags = torch._C._cuda_getArchFlags()',
  '    archs = flags.split() if flags else []',
  'print(json.dumps({"torch": torch.__version__, "hip": torch.version.hip, "source": src, "archList": archs}))',
].join('\n');

function docker(args, opts = {}) {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', opts.quiet ? 'pipe' : 'inherit'], maxBuffer: 16 << 20 });
}

function fail(message) {
  process.stderr.write(`catalog-targets: ${message}\n`);
  process.exit(1);
}

function digestOf(image) {
  const text = docker(['image', 'inspect', '--format', '{{json .RepoDigests}} {{.Id}}', image], { quiet: true }).trim();
  const space = text.lastIndexOf(' ');
  const digests = JSON.parse(text.slice(0, space) || '[]');
  const id = text.slice(space + 1);
  // A pulled image has a registry digest (what `docker pull IMAGE@DIGEST` takes); a local build only its id.
  return Array.isArray(digests) && digests.length ? String(digests[0]).replace(/^.*@/, '') : id;
}

function main(argv) {
  const write = argv.indexOf('--write');
  let out = null;
  const rest = [...argv];
  if (write >= 0) {
    const next = argv[write + 1];
    out = next && !next.startsWith('--') ? resolve(next) : join(ROOT, 'src', 'catalog-targets.json');
    rest.splice(write, next && !next.startsWith('--') ? 2 : 1);
  }
  const image = rest.find((a) => !a.startsWith('--')) ?? DEFAULT_IMAGE;
  try {
    docker(['image', 'inspect', '--format', '{{.Id}}', image], { quiet: true });
  } catch {
    try {
      docker(['pull', '--quiet', image]);
    } catch (e) {
      fail(`cannot find or pull ${image}: ${(e.stderr || e.message || '').toString().trim().split('\n')[0]}`);
    }
  }
  let answer;
  try {
    answer = JSON.parse(docker(['run', '--rm', '--entrypoint', 'python3', image, '-c', PY]).trim().split('\n').pop());
  } catch (e) {
    fail(`running python3 in ${image} failed: ${(e.message || '').split('\n')[0]}`);
  }
  const archList = [...answer.archList].sort();
  const result = { image, digest: digestOf(image), torch: answer.torch, hip: answer.hip, source: answer.source, archList };
  const text = `${JSON.stringify(result, null, 2)}\n`;
  process.stdout.write(text);
  if (out) writeFileSync(out, text);
}

main(process.argv.slice(2));
