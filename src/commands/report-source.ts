// Where headless configure gets its probe Report: one small function so the
// front end does not care how the host is read.
//  - KG_INIT_REPORT=FILE: a saved `kg-init probe --json` report (validated), for
//    configuring a host from a report taken earlier, and for tests.
//  - otherwise the probe of this host (or of KG_INIT_HOST_SNAPSHOT).
import { resolve } from 'node:path';
import type { IO } from '../cli/io.js';
import { describeFsError, KgInitError } from '../errors.js';
import type { Report } from '../report.js';
import { sanitizeDeep } from '../util/sanitize.js';

/** `signal`: aborting kills the probe's tools still running (Ctrl-C), so none is left behind. */
export async function hostReport(io: IO, signal?: AbortSignal): Promise<Report> {
  // Host data (GPU names from nvidia-smi or sysfs, a saved report) reaches the
  // terminal: no escape sequence or control character gets through.
  const file = io.env.KG_INIT_REPORT;
  if (file) return sanitizeDeep(await readReport(resolve(io.cwd, file)));
  const { openHost } = await import('../host/index.js');
  return (await import('../assess/report.js')).probeReport(await openHost(io.env), signal ? { signal } : {});
}

async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readReportText(path);
  } catch (e) {
    if (e instanceof KgInitError) throw e;
    throw new KgInitError(`cannot read KG_INIT_REPORT: ${describeFsError(e, path)}`, 1);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KgInitError(`KG_INIT_REPORT ${path} is not JSON`, 1, 'Give it the output of `kg-init probe --json`.');
  }
  // The report schema (and zod) load only on this path: a probe's own report is typed by construction.
  const { reportSchema } = await import('../report.js');
  const r = reportSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new KgInitError(`KG_INIT_REPORT ${path} is not a kg-init report (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`, 1);
  }
  return r.data;
}

/** A saved report is at most this large (a real one is a few KB). */
const REPORT_LIMIT = 16 * 2 ** 20;

/**
 * The report's text, at most REPORT_LIMIT bytes. A pipe is allowed here
 * (KG_INIT_REPORT=<(kg-init probe --json) on another host's output): the
 * user's own, read as it comes, never more than the bound.
 */
async function readReportText(path: string): Promise<string> {
  // Only here (a saved report), so other runs do not load node:fs/promises.
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await fh.read(Buffer.allocUnsafe(1 << 16), 0, 1 << 16, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > REPORT_LIMIT) throw new KgInitError(`KG_INIT_REPORT ${path} is larger than ${REPORT_LIMIT} bytes`, 1, 'Give it the output of `kg-init probe --json`.');
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await fh.close();
  }
}
