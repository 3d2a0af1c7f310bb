// cgroups: the driver interface, its v1 and v2 implementations, and detection.
export type { CgroupDriver, CgroupFs, CgroupLimits, CgroupStats } from './driver';
export { BERTH_PARENT } from './driver';
export { CgroupV1, V1_CONTROLLERS, type CgroupV1Options, type V1Controller, type V1Mounts } from './v1/driver';
export { CgroupV2, type CgroupV2Options } from './v2/driver';
export { detectCgroups, parseCgroupMounts, type CgroupMount, type ReadControllers } from './detect';
export { validateId as validateCgroupId } from './files';
export { CPU_PERIOD_US, quotaFromNanoCpus, sharesToWeight, validateLimits } from './limits';
