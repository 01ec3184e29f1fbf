/** How a container or exec process ended (frame 9 and exit.json, same JSON). */
export interface ExitStatus {
  /** Exit code as Docker reports it: the process's code, or 128+N when killed by signal N. */
  exitCode: number;
  /** Name of the killing signal (`SIGKILL`), or null when the process exited. */
  signal: string | null;
  /** RFC3339Nano UTC time the shim saw the exit. */
  finishedAt: string;
}

/** Options of {@link spawnShim}; the names follow the shim's flags (native/shim/PROTOCOL.md). */
export interface SpawnShimOptions {
  /** crun's container id. */
  id: string;
  /** OCI bundle directory with config.json (container mode; ignored in exec mode). */
  bundle?: string;
  /** Path of crun. Default `/usr/bin/crun`. */
  runtime?: string;
  /** `crun --root` directory. */
  runtimeRoot: string;
  /** Where the shim keeps shim.pid, control.sock, exit.json, shim.log (created if missing). */
  stateDir: string;
  /** json-file log (container mode only). */
  logPath?: string;
  /** Rotate the log when it would grow past this many bytes; 0 or undefined = never. */
  logMaxSize?: number;
  /** Number of log files kept, >= 1 (FILE plus FILE.1 .. FILE.N-1). Default 1. */
  logMaxFiles?: number;
  /** Give the process a pty (crun --console-socket). */
  tty?: boolean;
  /** Give the process a stdin that attached clients write to (else /dev/null). */
  stdin?: boolean;
  /** Close the process's stdin when the first client that wrote to it detaches or half-closes. */
  stdinOnce?: boolean;
  /** Exec mode: path of the OCI process JSON for `crun exec --process`; the process runs on ShimClient.start(). */
  execProcess?: string;
  /** Milliseconds to wait for the handshake line (default 30 s). */
  timeoutMs?: number;
}

/** The handshake's answer. */
export interface SpawnShimResult {
  /** Container init pid (as seen from the host). 0 in exec mode: ShimClient.start() gives the exec's pid. */
  pid: number;
  /** Pid of the daemonised shim (also in state-dir/shim.pid). */
  shimPid: number;
}

/** Which streams an attached client wants (hello frame). A monitor asks for none. */
export interface HelloStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** One chunk of output from the process. With a tty everything is `stdout`. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}
