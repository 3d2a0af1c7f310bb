// The stored shape of a container: what was asked (spec), what it resolved to (config), and its
// last known state. Persisted as JSON in the metadata DB; the monitor's files are the truth for
// running containers and are folded in by the service.
import type { RunSpecParsed } from '@berth/shared';
import type { UsernsRemap } from '../oci/userns';
import type { ResolvedMount } from '../volumes/volume-service';

export interface ResolvedConfig {
  entrypoint: string[] | null;
  cmd: string[];
  args: string[];
  env: string[];
  workingDir: string;
  user: string;
  hostname: string;
  stopSignal: string;
  tty: boolean;
  openStdin: boolean;
  /** the healthcheck in effect: the image's merged with --health-* (absent: none, or disabled) */
  healthcheck?: ResolvedHealthcheck;
}

export interface ResolvedHealthcheck {
  /** ["CMD", ...] or ["CMD-SHELL", "..."] */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

export interface ContainerStateRecord {
  status: 'created' | 'running' | 'exited' | 'dead';
  pid: number | null;
  monitorPid: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  restartCount: number;
  error: string | null;
  /** frozen by `pause` (status stays running) */
  paused?: boolean;
  /** stopped or killed by a user: restart policies leave it down (cleared by start) */
  manuallyStopped?: boolean;
}

export interface ContainerRecord {
  id: string;
  name: string;
  image: string; // as the user named it
  imageId: string;
  chainIds: string[];
  spec: RunSpecParsed;
  config: ResolvedConfig;
  createdAt: string;
  state: ContainerStateRecord;
  /** volumes, binds and tmpfs resolved at create (absent on records from before volumes) */
  mounts?: ResolvedMount[];
  /** the image's exposed ports, for -P */
  exposedPorts?: string[];
  /** --userns=remap: the maps read from /etc/subuid and /etc/subgid at create */
  userns?: UsernsRemap;
}

export function initialState(): ContainerStateRecord {
  return {
    status: 'created',
    pid: null,
    monitorPid: null,
    startedAt: null,
    finishedAt: null,
    exitCode: null,
    oomKilled: false,
    restartCount: 0,
    error: null,
  };
}
