// The one door through which kg-init reads a host. Probes and doctor never
// touch `fs`, `os` or `child_process` directly: they get a Host, which is the
// live machine or a recorded snapshot (KG_INIT_HOST_SNAPSHOT).

export interface Identity {
  user: string;
  uid: number;
  gid: number;
  /** Every numeric group id of the user, primary included. */
  groups: number[];
}

/** Metadata of a device node (or any file) as the kernel sees it. */
export interface NodeInfo {
  type: 'char' | 'block' | 'file' | 'dir' | 'other';
  /** Permission bits, e.g. 0o660. */
  mode: number;
  uid: number;
  gid: number;
}

export type RunStatus = 'ok' | 'exit' | 'missing' | 'timeout' | 'error';

export interface RunResult {
  /** 'ok': exit 0; 'exit': ran, non-zero exit; 'missing': no such command;
   *  'timeout': killed at its time bound; 'error': could not be started. */
  status: RunStatus;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
  /** The command as it was resolved and run (for messages and snapshots). */
  command: string;
  args: string[];
  /** Set when a stream passed maxBytes: the command was stopped there, its answer is incomplete. */
  truncated?: boolean;
}

export interface RunOptions {
  /** Hard bound; the process group is killed when it passes. Default 2000 ms. */
  timeoutMs?: number;
  /** Output beyond this many bytes per stream is dropped (default 1 MiB). */
  maxBytes?: number;
  /** Aborting kills the process group at once (status 'error', stderr 'aborted'). */
  signal?: AbortSignal;
  /** Lets timeoutMs pass the probe's 2 s ceiling (doctor --runtime: a docker exec of torch, an image pull). */
  long?: boolean;
  /** Extra environment variables for the command (on top of this process's). */
  env?: Record<string, string>;
  /** Called with each chunk of output as it arrives (progress of a pull). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface Host {
  /** 'live' for this machine, or the snapshot directory being replayed. */
  readonly source: 'live' | { snapshot: string };
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  readonly kernelRelease: string;
  readonly identity: Identity;

  /** Reads a host path as UTF-8 text; null when absent or unreadable. */
  readText(path: string): Promise<string | null>;
  /**
   * The sections of an ID database in the pci.ids format whose top-level id is
   * in `keys` (lower-case hex), as text of the same format ('' when none
   * matches); null when the file is absent or unreadable. The file is large:
   * only those sections are read into memory and recorded in snapshots.
   */
  readIdSections(path: string, keys: string[]): Promise<string | null>;
  /** Lists a host directory; null when absent or unreadable. */
  list(path: string): Promise<string[] | null>;
  /** The target of a symlink at a host path (as written, relative or absolute); null if none. */
  readLink(path: string): Promise<string | null>;
  /** Node metadata of a host path (device nodes included); null when absent. */
  stat(path: string): Promise<NodeInfo | null>;
  /** Runs an external command (a bare name looked up on PATH, or an absolute host path). */
  run(command: string, args: string[], opts?: RunOptions): Promise<RunResult>;
}
