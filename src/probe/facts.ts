// Plain facts the probe gathers. Parsers produce them, gpus.ts merges them,
// and the assessment (src/assess) decides from them alone: no I/O past here.
import type { GpuVendor } from '../catalog.js';
import type { Identity, RunStatus } from '../host/types.js';

export interface PciDevice {
  address: string;
  vendorId: string;
  deviceId: string;
  /** 0x030000 etc. */
  classCode: string;
  vendor: GpuVendor;
  driver: string | null;
  vramBytes?: number;
  gttBytes?: number;
  /** amdgpu exposes mem_info_vram_vendor / board_info only for discrete boards. */
  hasVramVendor?: boolean;
  hasBoardInfo?: boolean;
  bootVga?: boolean;
  /** amdgpu's product_name (from the board's FRU EEPROM; server boards mostly). */
  productName?: string;
}

/** Names from the host's PCI ID database, for the vendors of the GPUs found. */
export interface PciIdNames {
  /** The pci.ids file read, or null when the host has none. */
  path: string | null;
  /** "10de" → "NVIDIA Corporation". */
  vendors: Record<string, string>;
  /** "10de:2684" → "AD102 [GeForce RTX 4090]". */
  devices: Record<string, string>;
}

export interface KfdNode {
  /** Topology node directory number. */
  node: number;
  /** Index among KFD GPU nodes: what ROCR_VISIBLE_DEVICES counts. */
  index: number;
  gfxTargetVersion: number;
  gfx: string;
  vendorId: number;
  deviceId: number;
  renderMinor: number | null;
  /** GPU-<16 hex> from unique_id; null when the node reports 0. */
  uuid: string | null;
  /** Joined through /sys/class/drm/renderD<minor>/device. */
  pciAddress: string | null;
}

export interface DevNodeFact {
  path: string;
  present: boolean;
  gid?: number;
  group?: string;
  userAccess?: boolean;
  /** renderD minor, for render nodes. */
  minor?: number;
}

export interface NvidiaSmiGpu {
  index?: number;
  name: string;
  uuid?: string;
  pciAddress?: string;
  driverVersion?: string;
  vramBytes?: number;
}

export interface ToolRun {
  command: string;
  args: string[];
  status: RunStatus;
  exitCode: number | null;
  ms: number;
}

export interface Facts {
  platform: string;
  arch: string;
  kernelRelease: string;
  identity: Identity;
  distro: { id?: string; name?: string; version?: string } | null;
  wsl: boolean;
  /** False when /sys/bus/pci/devices could not be listed (a container without /sys). */
  pciReadable: boolean;
  pci: PciDevice[];
  /** Absent in facts made by hand (tests): then no GPU is named from pci.ids. */
  pciIds?: PciIdNames;
  kfd: { topology: boolean; nodes: KfdNode[] };
  /** AMD GPU driver packages seen in the WSL driver store (no PCI bus there). */
  wslAmdDriver: boolean;
  devices: { kfd: DevNodeFact; render: DevNodeFact[] };
  rocm: { version: string | null; source: string | null; amdgpuModule: string | null };
  nvidia: {
    driverVersion: string | null;
    kernelModule: 'proprietary' | 'open' | null;
    smi: 'ok' | 'missing' | 'timeout' | 'error';
    smiPath: string | null;
    /** One line from nvidia-smi when it failed. */
    smiMessage: string | null;
    smiGpus: NvidiaSmiGpu[];
    /** Bus addresses under /proc/driver/nvidia/gpus. */
    procGpus: string[];
    /** The driver's model name per bus address (…/gpus/<addr>/information), known even when nvidia-smi hangs. */
    procModels?: Record<string, string>;
  };
  docker: {
    installed: boolean;
    running: boolean;
    version: string | null;
    runtimes: string[];
    nvidiaRuntime: boolean;
    cdiSpecs: string[];
    desktop: boolean;
    /** A rootless daemon (SecurityOptions name=rootless) or rootless Podman: containers get only the user's own device access. */
    rootless?: boolean;
    /** `docker` answers as Podman (its docker-compatible command). */
    podman?: boolean;
    timedOut: boolean;
  };
  mac: { appleSilicon: boolean; chip: string | null; version: string | null } | null;
  tools: ToolRun[];
  /** How long the probe took to gather these facts (absent for facts made by hand). */
  durationMs?: number;
}
