// What an install directory holds now, as src/install/read.ts reads it: the
// input of makePlan, the doctor and the wizard's summary of an existing install.
import type { Mode } from '../catalog.js';
import type { PlatformLayout, SelectionValues } from '../platform/layout.js';

/** Owned keys of .operator.conf as read from an existing file. */
interface OwnedConf {
  GPU_MODE?: string;
  KG_API_IMAGE_TAG?: string;
  IMAGE_SOURCE?: string;
  INITIALIZED_AT?: string;
}

/** What an install directory holds now (read, never sourced or evaluated). */
export interface InstallState {
  /** Absolute install directory. */
  dir: string;
  dirExists: boolean;
  conf: {
    /** Absolute path of .operator.conf (the link itself when it is a symlink). */
    path: string;
    exists: boolean;
    /** Raw bytes as text (BOM and line endings preserved), when readable text. */
    text: string | null;
    /** The bytes `text` was decoded from: apply checks the file is still these before it writes. */
    bytes?: Uint8Array;
    /** Why it cannot be used (binary, invalid UTF-8, a directory...), when it cannot. */
    problem: string | null;
    values: OwnedConf;
  };
  /** Other .operator.conf keys the platform's compose selection reads (DEV_MODE, ROUTER_MODE...). */
  confExtra?: SelectionValues;
  /** Compose files kg-init renders, present in the layout's compose folder, by file name, with whether kg-init generated them. */
  compose: Record<string, { text: string; generated: boolean; mode: Mode | null }>;
  /** ./operator.sh exists: the next command is `./operator.sh start`. */
  operatorScript: boolean;
  /** docker-compose.yml (the platform's base file) exists in the compose folder. */
  baseCompose: boolean;
  /** How the platform is laid out here (standalone, repository clone, none). */
  platform: PlatformLayout;
  /** ${VAR}s the platform's compose files in this directory require (without a default). */
  requiredVars?: string[];
  /** The kg-api tag kg-init recorded in .kg-init/state.json on its last write here, if any. */
  lastWrittenTag?: string;
  /**
   * Files this run adds that the directory lacks (the platform's own on a first
   * install, a new `.env`), fetched and generated before the plan; the layout
   * above already counts them (src/platform/install.ts: withPlatform).
   */
  incoming?: { files: NewFile[]; source: string | null };
}

/** A file a run creates, with the mode it gets (0755 operator.sh, 0600 .env). */
export interface NewFile {
  path: string;
  text: string;
  mode: number;
}

