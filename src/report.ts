// The probe report: facts read from the host, and the assessment (each mode's
// status, the findings, the recommendation) made from them. This schema is
// public API: `kg-init probe --json` prints a Report, and `reportSchema` is
// exported for consumers (docs/probe-json.md documents it).
import * as z from 'zod/mini';
import './zod-setup.js';
import { GPU_VENDORS, MODES } from './catalog.js';

export const FINDING_CODES = [
  'GPU_NONE',
  'MODE_NOT_APPLICABLE',
  'NVIDIA_DRIVER_MISSING',
  'NVIDIA_TOOLKIT_MISSING',
  'KFD_MISSING',
  'KFD_NO_USER_ACCESS',
  'GFX_OVERRIDE',
  'GFX_UNSUPPORTED',
  'AMD_IGPU_PINNED',
  'ROCM_HOST_OLDER',
  'ROCM_USERSPACE_ABSENT',
  'ROCM_ARCH_UNSUPPORTED',
  'WSL_NO_ROCM',
  'INTEL_GPU_UNSUPPORTED',
  'MAC_NO_GPU_IN_CONTAINERS',
  'DOCKER_NOT_FOUND',
  'DOCKER_NOT_RUNNING',
  'PROBE_TIMEOUT',
  'DEPRECATED_GPU_MODE',
  'GPU_CHANGED',
  // Added by the probe (additive; README.md of the shared hosts lists the originals):
  'DOCKER_DESKTOP_NO_GPU',
  'RENDER_NODE_MISSING',
  'SYSFS_UNAVAILABLE',
  'FOREIGN_FILE_REPLACED',
  'IMAGE_TAG_MISMATCH',
  'ROOTLESS_NO_GPU_ACCESS',
  'PLATFORM_MISSING',
  'TRACKED_FILES_CHANGED',
  'ENV_VAR_MISSING',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export const severitySchema = z.enum(['info', 'warning', 'error']);
export type Severity = z.infer<typeof severitySchema>;

export const findingSchema = z.object({
  /** Stable code; new codes may be added, existing ones keep their meaning. */
  code: z.enum(FINDING_CODES),
  severity: severitySchema,
  /** One line: what is wrong or notable. */
  message: z.string(),
  /** One line: what to do about it (a command where there is one). */
  fix: z.optional(z.string()),
  /** The mode this finding is about, when it is about one. */
  mode: z.optional(z.enum(MODES)),
});
export type Finding = z.infer<typeof findingSchema>;

export const modeStatusSchema = z.enum(['ready', 'degraded', 'blocked']);
export type ModeStatus = z.infer<typeof modeStatusSchema>;

export const gpuSchema = z.object({
  vendor: z.enum(GPU_VENDORS),
  /**
   * The one name kg-init gives this GPU, the same in probe, the wizard and
   * doctor: from the host's PCI ID database (pci.ids) when it has the device,
   * else the driver's or tool's marketing name, else vendor, gfx target and
   * PCI id. Optional only so that reports of older versions still validate.
   */
  name: z.optional(z.string()),
  /** Where `name` came from: 'pci.ids', 'driver' (nvidia-smi, the NVIDIA kernel module, amdgpu's product_name, macOS) or 'ids' (made from vendor, gfx target and PCI id). */
  nameSource: z.optional(z.enum(['pci.ids', 'driver', 'ids'])),
  /** PCI address (0000:03:00.0); absent where there is no PCI bus (WSL2, macOS). */
  pciAddress: z.optional(z.string()),
  vendorId: z.optional(z.string()),
  deviceId: z.optional(z.string()),
  /** PCI class code, e.g. 0x030000 (VGA), 0x030200 (3D), 0x120000 (accelerator). */
  pciClass: z.optional(z.string()),
  /** Bound kernel driver ('amdgpu', 'nvidia', 'nouveau', 'i915', 'xe', 'vfio-pci'), null when none. */
  driver: z.optional(z.nullable(z.string())),
  integrated: z.optional(z.boolean()),
  vramBytes: z.optional(z.number()),
  /** AMD: decoded KFD gfx target (gfx1100). */
  gfxTarget: z.optional(z.string()),
  /** AMD: index among KFD GPU nodes (what ROCR_VISIBLE_DEVICES counts). */
  kfdIndex: z.optional(z.number()),
  /** AMD: GPU-<16 hex>; NVIDIA: GPU-<uuid>. */
  uuid: z.optional(z.string()),
  /** /dev/dri/renderD<minor> of this GPU, when known. */
  renderNode: z.optional(z.string()),
});
export type Gpu = z.infer<typeof gpuSchema>;

export const devNodeSchema = z.object({
  path: z.string(),
  present: z.boolean(),
  gid: z.optional(z.number()),
  /** Group name from /etc/group, when known. */
  group: z.optional(z.string()),
  /** Whether this user can open it read-write (decided from mode bits, owner, groups). */
  userAccess: z.optional(z.boolean()),
});
export type DevNode = z.infer<typeof devNodeSchema>;

export const toolRunSchema = z.object({
  command: z.string(),
  args: z.array(z.string()),
  status: z.enum(['ok', 'exit', 'missing', 'timeout', 'error']),
  exitCode: z.nullable(z.number()),
  ms: z.number(),
});

export const modeAssessmentSchema = z.object({
  mode: z.enum(MODES),
  status: modeStatusSchema,
  imageTag: z.string(),
  overlay: z.nullable(z.string()),
  /** One line: why this status (the first blocking reason, or what is verified). */
  reason: z.string(),
  findings: z.array(findingSchema),
  /** Requirements checked for this mode, for the wizard's details pane. */
  requirements: z.array(
    z.object({
      label: z.string(),
      state: z.enum(['met', 'missing', 'unverified']),
      detail: z.optional(z.string()),
      fix: z.optional(z.string()),
    }),
  ),
});
export type ModeAssessment = z.infer<typeof modeAssessmentSchema>;

/** What an amd-host overlay must carry on this host. */
export const amdOverlaySchema = z.object({
  /** Numeric gids owning /dev/kfd and the render nodes. */
  groupGids: z.array(z.number()),
  /** Set when a discrete GPU is pinned over an integrated one. */
  rocrVisibleDevices: z.nullable(z.string()),
  /** Set only when an override applies (an empty value breaks ROCm init). */
  hsaOverrideGfxVersion: z.nullable(z.string()),
});
export type AmdOverlay = z.infer<typeof amdOverlaySchema>;

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  kgInitVersion: z.string(),
  /** 'live' or the snapshot directory replayed. */
  source: z.string(),
  host: z.object({
    platform: z.string(),
    arch: z.string(),
    kernelRelease: z.string(),
    distro: z.nullable(z.object({ id: z.optional(z.string()), name: z.optional(z.string()), version: z.optional(z.string()) })),
    wsl: z.boolean(),
    user: z.string(),
  }),
  gpus: z.array(gpuSchema),
  devices: z.object({
    kfd: devNodeSchema,
    render: z.array(devNodeSchema),
  }),
  rocm: z.object({
    /** Host ROCm userspace version (never a kernel-driver version), null if none. */
    version: z.nullable(z.string()),
    source: z.nullable(z.string()),
    /** amdgpu kernel module version from /sys/module/amdgpu/version. */
    amdgpuModule: z.nullable(z.string()),
  }),
  nvidia: z.object({
    driverVersion: z.nullable(z.string()),
    kernelModule: z.nullable(z.enum(['proprietary', 'open'])),
    /** What nvidia-smi did: 'ok', 'missing', 'timeout', 'error' (no driver answer). */
    smi: z.enum(['ok', 'missing', 'timeout', 'error']),
    smiPath: z.nullable(z.string()),
  }),
  docker: z.object({
    installed: z.boolean(),
    running: z.boolean(),
    version: z.nullable(z.string()),
    runtimes: z.array(z.string()),
    nvidiaRuntime: z.boolean(),
    cdiSpecs: z.array(z.string()),
    desktop: z.boolean(),
    /** Containers run with the user's own permissions: a rootless Docker daemon (SecurityOptions name=rootless) or Podman. */
    rootless: z.optional(z.boolean()),
    /** `docker` is Podman's docker-compatible command. */
    podman: z.optional(z.boolean()),
  }),
  mac: z.nullable(z.object({ appleSilicon: z.boolean(), chip: z.nullable(z.string()), version: z.nullable(z.string()) })),
  tools: z.array(toolRunSchema),
  modes: z.array(modeAssessmentSchema),
  recommendation: z.object({
    mode: z.enum(MODES),
    imageTag: z.string(),
    reason: z.string(),
  }),
  /** What an amd-host overlay must carry on this host (null when no AMD GPU is visible to KFD). */
  amdOverlay: z.nullable(amdOverlaySchema),
  /** Every finding of the host and of every mode, deduplicated by code and message. */
  findings: z.array(findingSchema),
  durationMs: z.number(),
});
export type Report = z.infer<typeof reportSchema>;
