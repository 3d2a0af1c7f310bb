// The only TypeScript that runs berth-helper.
export { helperPath } from './helper-path';
export { runHelper, parseLogLines, helperError, type HelperLogLine, type HelperResult } from './run-helper';
export { unpackLayer } from './unpack';
export { startContainer } from './start';
export { spawnExec, type ExecProcess } from './exec';
export { attach, AttachClient, type AttachChunk, type ExitInfo } from './attach';
export { archiveStat, archiveList, archiveOut, archiveIn, type ArchiveRoot, type PathStat, type DirEntry } from './archive';
