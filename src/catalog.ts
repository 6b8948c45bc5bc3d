// The one source of truth: GPU modes, the kg-api image variant each selects,
// the overlay file each renders, and what each variant needs from the host.
// Every path (probe assessment, plan, render, doctor, wizard, help, docs)
// reads from here. The data is static, so it is validated once by a test
// (test/catalog.test.ts parses it with catalogSchema from
// src/catalog-schema.ts) rather than at every start: a bad edit fails the
// tests instead of shipping, and no run pays for loading zod to check it.
export const MODES = ['nvidia', 'amd-host', 'mac', 'cpu'] as const;
export type Mode = (typeof MODES)[number];

/** GPU vendors as the probe names them (PCI vendor ids map onto the first three; Apple Silicon is `apple`). */
export const GPU_VENDORS = ['nvidia', 'amd', 'intel', 'apple', 'other'] as const;
export type GpuVendor = (typeof GPU_VENDORS)[number];

/** Accepted on the command line and in `.operator.conf`; read as the target. */
export const MODE_ALIASES: Readonly<Record<string, Mode>> = { amd: 'amd-host' };

export const DEFAULT_REGISTRY = 'ghcr.io/aaronsb/knowledge-graph-system';

/** Files kg-init renders into an install directory. */
export const GHCR_COMPOSE_FILE = 'docker-compose.ghcr.yml';
export const BASE_COMPOSE_FILE = 'docker-compose.yml';
export const OPERATOR_CONF_FILE = '.operator.conf';
export const STATE_DIR = '.kg-init';

/** A kg-api image variant (catalogSchema in src/catalog-schema.ts checks the data). */
export interface Variant {
  /** kg-api tag for an unpinned install. */
  tag: string;
  /** Appended to a release version for pinned installs ('' → the bare version). */
  releaseSuffix: string;
  description: string;
  /** Node `process.arch` values the image is published for. */
  arches: Array<'x64' | 'arm64'>;
  /** ROCm runtime inside the image, for ROCm variants. */
  rocm?: {
    version: string;
    gfxTargets: string[];
    /** gfx targets not built into the image that run with an HSA override. */
    overrides: Record<string, string>;
  };
}

export interface ModeSpec {
  label: string;
  summary: string;
  variant: string;
  /** GPU overlay rendered for this mode, or null (cpu needs none). */
  overlay: string | null;
  /** `process.platform` values the mode applies to. */
  platforms: Array<'linux' | 'darwin' | 'win32'>;
  /** GPU vendor the mode drives, if any. */
  gpuVendor: Extract<GpuVendor, 'nvidia' | 'amd'> | null;
  /**
   * How a repository clone builds this mode's kg-api image itself
   * (IMAGE_SOURCE=local), relative to the clone's docker/ folder; absent when
   * the base file's build (api/Dockerfile) is the mode's image.
   */
  localBuild?: { context: string; dockerfile: string };
}

export interface Catalog {
  variants: Record<string, Variant>;
  modes: Record<Mode, ModeSpec>;
}

export const catalog: Catalog = {
  variants: {
    default: {
      tag: 'latest',
      releaseSuffix: '',
      description: 'PyPI torch with the CUDA runtime bundled: runs on NVIDIA GPUs and on the CPU',
      arches: ['x64', 'arm64'],
    },
    'rocm72-host': {
      tag: 'rocm72-host',
      releaseSuffix: '-rocm72-host',
      description: 'built on the ROCm 7.2 rocm/pytorch image: AMD GPUs through /dev/kfd',
      arches: ['x64'],
      rocm: {
        version: '7.2',
        // The architectures the image's PyTorch is built for. Pinned by
        // test/catalog.test.ts to src/catalog-targets.json, the recorded output
        // of scripts/catalog-targets.mjs; sources in docs/gpu-modes.md.
        gfxTargets: [
          'gfx900', 'gfx906', 'gfx908', 'gfx90a', 'gfx942', 'gfx950',
          'gfx1030', 'gfx1100', 'gfx1101', 'gfx1102',
          'gfx1150', 'gfx1151', 'gfx1200', 'gfx1201',
        ],
        overrides: {
          gfx1031: '10.3.0', gfx1032: '10.3.0', gfx1033: '10.3.0',
          gfx1034: '10.3.0', gfx1035: '10.3.0', gfx1036: '10.3.0',
          gfx1103: '11.0.0',
        },
      },
    },
  },
  modes: {
    nvidia: {
      label: 'NVIDIA GPU (CUDA)',
      summary: 'embeddings on an NVIDIA GPU through the NVIDIA Container Toolkit',
      variant: 'default',
      overlay: 'docker-compose.gpu-nvidia.yml',
      platforms: ['linux'],
      gpuVendor: 'nvidia',
    },
    'amd-host': {
      label: 'AMD GPU (ROCm 7.2)',
      summary: 'embeddings on an AMD GPU through /dev/kfd with the ROCm 7.2 image',
      variant: 'rocm72-host',
      overlay: 'docker-compose.gpu-amd-host.yml',
      platforms: ['linux'],
      gpuVendor: 'amd',
      localBuild: { context: '..', dockerfile: 'api/Dockerfile.rocm-host' },
    },
    mac: {
      label: 'macOS (Docker Desktop)',
      summary: 'macOS: containers run in a Linux VM, embeddings on the CPU',
      variant: 'default',
      overlay: 'docker-compose.override.mac.yml',
      platforms: ['darwin'],
      gpuVendor: null,
    },
    cpu: {
      label: 'CPU only',
      summary: 'embeddings on the CPU; works everywhere, slower',
      variant: 'default',
      overlay: null,
      platforms: ['linux', 'darwin', 'win32'],
      gpuVendor: null,
    },
  },
};

export function modeSpec(mode: Mode): ModeSpec {
  return catalog.modes[mode];
}

export function variantOf(mode: Mode): Variant {
  const v = catalog.variants[catalog.modes[mode].variant];
  if (!v) throw new Error(`catalog: mode ${mode} names unknown variant`);
  return v;
}

export function isMode(value: string): value is Mode {
  return (MODES as readonly string[]).includes(value);
}

/** Resolves a user-supplied mode name; `deprecated` is true for an alias. */
export function resolveMode(value: string): { mode: Mode; deprecated: boolean } | null {
  const v = value.trim().toLowerCase();
  if (isMode(v)) return { mode: v, deprecated: false };
  const alias = MODE_ALIASES[v];
  return alias ? { mode: alias, deprecated: true } : null;
}

/** The kg-api tag a mode selects, optionally pinned to a release. */
export function imageTagFor(mode: Mode, release?: string): string {
  const v = variantOf(mode);
  return release ? `${release}${v.releaseSuffix}` : v.tag;
}

/** Every overlay file kg-init can render (to find stale ones of other modes). */
export function allOverlayFiles(): string[] {
  return MODES.map((m) => catalog.modes[m].overlay).filter((f): f is string => f !== null);
}

/** The mode whose overlay has this file name, if any. */
export function modeOfOverlay(file: string): Mode | null {
  return MODES.find((m) => catalog.modes[m].overlay === file) ?? null;
}

/**
 * The HSA override a gfx target needs with this variant: `null` when the
 * target is built into the image, a version string when a known override
 * applies, `undefined` when the target is unsupported.
 */
export function gfxSupport(variant: Variant, gfx: string): { built: true } | { override: string } | null {
  if (!variant.rocm) return null;
  if (variant.rocm.gfxTargets.includes(gfx)) return { built: true };
  const o = variant.rocm.overrides[gfx];
  return o ? { override: o } : null;
}

/**
 * AMD GPU families the ROCm 7 images do not support, by PCI device id (known
 * even when the kernel exposes no KFD topology and so no gfx target).
 */
export const PRE_ROCM7_AMD_FAMILIES: ReadonlyArray<{ name: string; gfx: string; deviceIds: ReadonlyArray<readonly [number, number]> }> = [
  // Polaris 10/11/12/20/21/22: RX 460-590, WX 2100-7100, Vega M.
  { name: 'Polaris', gfx: 'gfx803', deviceIds: [[0x67c0, 0x67ff], [0x6980, 0x699f], [0x694c, 0x694f], [0x6fdf, 0x6fdf]] },
  // Fiji and Tonga (R9 Fury/Nano, R9 285/380).
  { name: 'Fiji/Tonga', gfx: 'gfx802', deviceIds: [[0x7300, 0x730f], [0x6920, 0x693f]] },
];

/** The unsupported family of an AMD GPU (by its gfx target, else its PCI id), if it is one. */
export function preRocm7Family(g: { vendor: string; deviceId?: string | undefined; gfxTarget?: string | undefined }): { name: string; gfx: string } | null {
  if (g.vendor !== 'amd') return null;
  if (g.gfxTarget) return PRE_ROCM7_AMD_FAMILIES.find((f) => f.gfx === g.gfxTarget) ?? (/^gfx[678]\d\d$/.test(g.gfxTarget) ? { name: 'GCN', gfx: g.gfxTarget } : null);
  const id = parseInt((g.deviceId ?? '').replace(/^0x/i, ''), 16);
  if (Number.isNaN(id)) return null;
  return PRE_ROCM7_AMD_FAMILIES.find((f) => f.deviceIds.some(([lo, hi]) => id >= lo && id <= hi)) ?? null;
}
