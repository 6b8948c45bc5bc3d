// What the wizard's probe and configure steps use (launch.ts realDeps), in one
// module: the ES module build then loads them as one chunk after the first
// frame is painted, instead of a chunk per module and per module they share.
export { hostReport } from '../commands/report-source.js';
export { openHost } from '../host/index.js';
export { probeReport } from '../assess/report.js';
export { readInstall } from '../install/read.js';
export { makePlan } from '../plan/make.js';
export { unifiedDiff } from '../plan/diff.js';
export { applyPlan } from '../apply/apply.js';
export * as memory from '../state/memory.js';
export * as platform from '../platform/install.js';
