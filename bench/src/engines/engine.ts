// An engine with a Docker-like CLI (berth, docker, podman): how to call it, and what to measure
// about its own processes. The scenarios speak only this interface.
export interface Engine {
  /** Label in the table, e.g. "podman+crun". */
  name: string;
  image: string;
  /** Set when the engine cannot run here: the reason goes in every row instead of a number. */
  unavailable?: string;
  /** argv for one CLI call. */
  cli(args: string[]): string[];
  env: NodeJS.ProcessEnv;
  /** Extra `run` flags that pick the bridge network, or a reason it has none yet. */
  bridge: { flags: string[] } | { unavailable: string };
  /** Pids of the per-container monitor processes (monitor, conmon, containerd-shim). */
  monitorPids(): number[];
  /** Pids whose CPU time counts as "collecting stats" (the agent, dockerd+containerd, …). */
  daemonPids(): number[];
  stop(): Promise<void>;
}
