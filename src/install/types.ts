// What an install directory holds now, as src/install/read.ts reads it: the
// input of makePlan, the doctor and the wizard's summary of an existing install.
import type { Mode } from '../catalog.js';

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
    /** Why it cannot be used (binary, invalid UTF-8, a directory...), when it cannot. */
    problem: string | null;
    values: OwnedConf;
  };
  /** Compose files present, by file name, with whether kg-init generated them. */
  compose: Record<string, { text: string; generated: boolean; mode: Mode | null }>;
  /** ./operator.sh exists: the next command is `./operator.sh start`. */
  operatorScript: boolean;
  /** docker-compose.yml (the platform's base file) exists. */
  baseCompose: boolean;
}
