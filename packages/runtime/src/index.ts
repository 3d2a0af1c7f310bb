export { createRuntime, type Runtime, type RuntimeOptions } from './runtime';
export { BerthError, isBerthError } from './errors';
export { readLogs } from './logs/log-reader';
