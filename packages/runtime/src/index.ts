export { createRuntime, type Runtime, type RuntimeOptions } from './runtime';
export { BerthError, isBerthError } from './errors';
export { readLogs, readLogBatches, type ReadLogsOptions } from './logs/log-reader';
export { recordText, recordTime, type LogRecord } from './logs/log-record';
