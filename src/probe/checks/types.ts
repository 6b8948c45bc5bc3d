// The probe's checks as data: each one gathers its facts through the Host and
// judges them in one line for the wizard's probe screen. The runner
// (../index.ts) starts them all at once and assembles the Facts; it decides
// nothing about modes (that is src/assess).
import type { Host, RunResult } from '../../host/types.js';
import type { Facts, KfdNode, PciDevice, PciIdNames } from '../facts.js';

export type CheckState = 'running' | 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckEvent {
  id: string;
  label: string;
  state: CheckState;
  /** One line: the result (or what is being looked at while running). */
  detail?: string;
}

export type Verdict = { state: Exclude<CheckState, 'running'>; detail: string };

export interface PlatformFacts {
  distro: Facts['distro'];
  wsl: boolean;
}
export interface PciScan {
  readable: boolean;
  devices: PciDevice[];
}
export interface KfdScan {
  topology: boolean;
  nodes: KfdNode[];
}

/**
 * What a check can use: the host, a bounded command runner, and the sources
 * several checks share, each read once however many checks ask.
 */
export interface ProbeContext {
  readonly host: Host;
  readonly linux: boolean;
  readonly darwin: boolean;
  /** Runs a command within the per-command and whole-probe bounds; recorded in Facts.tools. */
  run(command: string, args: string[]): Promise<RunResult>;
  platform(): Promise<PlatformFacts>;
  pci(): Promise<PciScan>;
  kfd(): Promise<KfdScan>;
  devices(): Promise<Facts['devices']>;
  /** pci.ids names for the vendors of the GPUs found (read after the PCI scan). */
  pciIds(): Promise<PciIdNames>;
  /** The NVIDIA driver's facts (the nvidia check's, shared for naming GPUs). */
  nvidia(): Promise<Facts['nvidia'] & { skipped: boolean }>;
  /** `docker info`, started before anything else: it is the slowest source. */
  dockerInfo(): Promise<RunResult>;
}

export interface Check<T> {
  id: string;
  label: string;
  /** Whether the check runs on this host; when it does not, `absent` stands for its facts and no event is sent. */
  applies(ctx: ProbeContext): boolean;
  absent: T;
  gather(ctx: ProbeContext): Promise<T>;
  judge(value: T, ctx: ProbeContext): Verdict;
}
