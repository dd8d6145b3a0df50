// The cgroups module's public face: detect the host's driver, then
// create/open cgroups through the one interface in types.ts.
export * from './types';
export { detectCgroups, detect } from './detect';
export type { DetectOptions, Detection } from './detect';
export { normalizeRel, resolveCgroupsPath } from './paths';
export { validateResources } from './validate';
export { sharesToWeight, weightToShares } from './v2';
export {
  parseBytes, formatBytes, cpusToQuota, quotaToCpus, parseCpuList, formatCpuList, validateCpuset,
  parsePidsLimit, limitsToResources, resourcesToLimits, hostCpus, hostMems, DEFAULT_CFS_PERIOD, MIN_MEMORY,
} from './units';
export type { UserLimits, DisplayLimits, HostInfo } from './units';
