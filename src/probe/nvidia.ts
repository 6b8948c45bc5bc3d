// NVIDIA driver facts: /proc/driver/nvidia (kernel module) and nvidia-smi (the
// driver answering). nvidia-smi may hang on a GPU in an error state; the caller
// runs it with a time bound.
import type { NvidiaSmiGpu } from './facts.js';

/**
 * /proc/driver/nvidia/version, both module flavours:
 *   NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95.05  Tue ...
 *   NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  575.57.08  Release Build ...
 */
export function parseNvidiaProcVersion(text: string | null): { version: string; kernelModule: 'proprietary' | 'open' } | null {
  if (!text) return null;
  const line = text.split('\n').find((l) => l.startsWith('NVRM version:'));
  if (!line) return null;
  const v = /\s(\d{3,}\.\d+(?:\.\d+)?)\s/.exec(`${line} `);
  if (!v) return null;
  return { version: v[1]!, kernelModule: /Open Kernel Module/i.test(line) ? 'open' : 'proprietary' };
}

export const SMI_QUERY_ARGS = [
  '--query-gpu=index,name,uuid,pci.bus_id,driver_version,memory.total',
  '--format=csv,noheader,nounits',
];

function mib(field: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(MiB)?$/i.exec((field ?? '').trim());
  return m ? Math.round(Number(m[1]) * 1024 * 1024) : undefined;
}

/** Normalises 00000000:01:00.0 → 0000:01:00.0 (sysfs form). */
export function normalizeBusId(id: string): string | undefined {
  const m = /^(?:[0-9a-f]{4})?([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(id.trim());
  return m ? `${m[1]}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase() : undefined;
}

/** CSV rows of SMI_QUERY_ARGS; rows that do not fit are skipped; `[N/A]` fields are left out. */
export function parseNvidiaSmiQuery(stdout: string): NvidiaSmiGpu[] {
  const gpus: NvidiaSmiGpu[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const f = line.split(',').map((s) => s.trim());
    if (f.length !== 6 || !/^\d+$/.test(f[0]!)) continue;
    const na = (s: string | undefined) => s === undefined || s === '' || /^\[?N\/A\]?$/i.test(s) || /^\[.*\]$/.test(s);
    if (na(f[1])) continue;
    const g: NvidiaSmiGpu = { index: Number(f[0]), name: f[1]! };
    if (!na(f[2]) && /^GPU-/.test(f[2]!)) g.uuid = f[2]!;
    const bus = na(f[3]) ? undefined : normalizeBusId(f[3]!);
    if (bus) g.pciAddress = bus;
    if (!na(f[4]) && /^\d+\.\d+/.test(f[4]!)) g.driverVersion = f[4]!;
    const v = na(f[5]) ? undefined : mib(f[5]);
    if (v !== undefined) g.vramBytes = v;
    gpus.push(g);
  }
  return gpus;
}

/** One line saying why nvidia-smi failed, from its output. */
export function smiFailureLine(stdout: string, stderr: string): string {
  const text = `${stdout}\n${stderr}`;
  if (/couldn't communicate with the NVIDIA driver/i.test(text)) {
    return "nvidia-smi couldn't communicate with the NVIDIA driver";
  }
  if (/No devices were found/i.test(text)) return 'nvidia-smi found no devices';
  const first = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
  return first ? `nvidia-smi: ${first.slice(0, 160)}` : 'nvidia-smi gave no usable answer';
}

/**
 * The model line of /proc/driver/nvidia/gpus/<addr>/information
 * ("Model: \t\t NVIDIA RTX A6000"): the kernel module's own answer, there even
 * when nvidia-smi hangs on a GPU in an error state.
 */
export function parseNvidiaProcModel(text: string | null): string | null {
  if (!text) return null;
  const m = /^Model:\s*(.+?)\s*$/m.exec(text);
  const name = m?.[1];
  return name && /^[\x20-\x7e]{1,100}$/.test(name) ? name : null;
}
