// Contracts between the front ends (headless, wizard, doctor) and the core
// that turns a probe report into files. The wizard and the headless path only
// collect Answers; both hand them to the same makePlan/applyPlan.
import type { Mode } from '../catalog.js';
import type { Finding, ModeStatus } from '../report.js';
import type { LayoutKind, PlatformLayout, SelectionValues } from '../platform/layout.js';

/** What a person (wizard) or the flags (headless) decided. */
export interface Answers {
  /** 'auto' takes the report's recommendation. */
  mode: 'auto' | Mode;
  /** True when the deprecated alias 'amd' was given. */
  deprecatedAlias?: boolean;
  release?: string;
  /** undefined keeps the registry of the GHCR file kg-init generated here, else the default. */
  registry?: string;
  imageTag?: string;
  /** --image-source: undefined keeps what the config says (a new config gets ghcr). */
  imageSource?: 'ghcr' | 'local';
  /** Write even when the mode is blocked on this host. */
  force: boolean;
}

export type FileAction = 'create' | 'update' | 'remove' | 'unchanged';

export interface FileChange {
  /** Path relative to the install directory. */
  path: string;
  action: FileAction;
  before: string | null;
  after: string | null;
  /**
   * The bytes `before` was decoded from, when kept (.operator.conf): the check
   * under the lock that the file is still as planned compares bytes instead of
   * decoding a big file again.
   */
  beforeBytes?: Uint8Array;
  /**
   * Mode of the file when kg-init creates it (default 0644; e.g. 0600 for a
   * secret, 0755 for a script). A file that exists keeps its own owner, group
   * and mode. Never group- or world-writable.
   */
  mode?: number;
  /** Shown instead of the diff: one line about the file (secrets, or a large file the platform ships). */
  brief?: string;
}

export interface Plan {
  dir: string;
  mode: Mode;
  imageTag: string;
  registry: string;
  /** The chosen mode's status on this host. */
  status: ModeStatus;
  /** Blocked and not forced: applying it is refused (exit 3). */
  refused: boolean;
  files: FileChange[];
  /** True when any file would change. */
  changed: boolean;
  /** Findings the user should follow up (the mode's, plus GPU_CHANGED, DEPRECATED_GPU_MODE...). */
  findings: Finding[];
  /** The platform's layout in the install directory (once the plan is applied). */
  layout: LayoutKind;
  /** Where the platform's files come from, when this plan installs them (first install). */
  platformSource?: string;
  /** What to run after nextCommand on a first install (the platform's admin and AI-provider setup). */
  thenCommands?: string[];
  /**
   * The command that starts the platform next (`./operator.sh start`, or
   * `docker compose -f ... up -d` where there is no operator.sh); null when
   * nothing in the directory can start it.
   */
  nextCommand: string | null;
  /**
   * Bytes of `.kg-init/state.json` (the re-init memory: GPUs, mode, tag, time),
   * written by applyPlan inside its transaction when anything else changes.
   */
  state?: string;
}

export interface ApplyResult {
  changed: boolean;
  files: Array<{ path: string; action: FileAction }>;
  /** Backup copies made, relative to the install directory. */
  backups: string[];
  /** Failures after the commit point: the configuration was written, this part was not. */
  warnings?: string[];
}
