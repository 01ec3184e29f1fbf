import type { Command } from 'commander';
import { collect, intArg } from './flags.js';

/** The values of `run`/`create` flags as commander hands them over. */
export interface RunFlags {
  attach?: string[];
  addHost?: string[];
  capAdd?: string[];
  capDrop?: string[];
  cgroupParent?: string;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  cpus?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  detach?: boolean;
  detachKeys?: string;
  dns?: string[];
  dnsOption?: string[];
  dnsSearch?: string[];
  domainname?: string;
  entrypoint?: string;
  env?: string[];
  envFile?: string[];
  expose?: string[];
  groupAdd?: string[];
  healthCmd?: string;
  healthInterval?: string;
  healthRetries?: number;
  healthStartPeriod?: string;
  healthTimeout?: string;
  healthcheck?: boolean;
  hostname?: string;
  init?: boolean;
  interactive?: boolean;
  ipc?: string;
  label?: string[];
  labelFile?: string[];
  logDriver?: string;
  logOpt?: string[];
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  mount?: string[];
  name?: string;
  network?: string;
  net?: string;
  networkAlias?: string[];
  oomKillDisable?: boolean;
  oomScoreAdj?: number;
  pid?: string;
  pidsLimit?: number;
  platform?: string;
  privileged?: boolean;
  publish?: string[];
  pull?: string;
  publishAll?: boolean;
  readOnly?: boolean;
  restart?: string;
  rm?: boolean;
  securityOpt?: string[];
  shmSize?: string;
  sigProxy?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  sysctl?: string[];
  tmpfs?: string[];
  tty?: boolean;
  ulimit?: string[];
  user?: string;
  uts?: string;
  volume?: string[];
  volumesFrom?: string[];
  workdir?: string;
}

/** Declare the flags of `docker run` / `docker create` (names and short forms as the docker CLI). */
export function addRunFlags(cmd: Command, forRun: boolean): Command {
  cmd
    .option('-a, --attach <stream>', 'Attach to STDIN, STDOUT or STDERR', collect)
    .option('--add-host <host:ip>', 'Add a custom host-to-IP mapping', collect)
    .option('--cap-add <cap>', 'Add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'Drop Linux capabilities', collect)
    .option('--cgroup-parent <path>', 'Optional parent cgroup for the container')
    .option('--cpu-period <n>', 'Limit CPU CFS period', intArg('--cpu-period'))
    .option('--cpu-quota <n>', 'Limit CPU CFS quota', intArg('--cpu-quota'))
    .option('-c, --cpu-shares <n>', 'CPU shares (relative weight)', intArg('--cpu-shares'))
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <list>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .option('--dns <ip>', 'Set custom DNS servers', collect)
    .option('--dns-option <opt>', 'Set DNS options', collect)
    .option('--dns-search <domain>', 'Set custom DNS search domains', collect)
    .option('--domainname <name>', 'Container NIS domain name')
    .option('--entrypoint <cmd>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-e, --env <k=v>', 'Set environment variables', collect)
    .option('--env-file <file>', 'Read in a file of environment variables', collect)
    .option('--expose <port>', 'Expose a port or a range of ports', collect)
    .option('--group-add <group>', 'Add additional groups to join', collect)
    .option('--health-cmd <cmd>', 'Command to run to check health')
    .option('--health-interval <d>', 'Time between running the check (ms|s|m|h)')
    .option('--health-retries <n>', 'Consecutive failures needed to report unhealthy', intArg('--health-retries'))
    .option('--health-start-period <d>', 'Start period for the container to initialize')
    .option('--health-timeout <d>', 'Maximum time to allow one check to run')
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK')
    .option('-h, --hostname <name>', 'Container host name')
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--ipc <mode>', 'IPC mode to use')
    .option('-l, --label <k=v>', 'Set meta data on a container', collect)
    .option('--label-file <file>', 'Read in a line delimited file of labels', collect)
    .option('--log-driver <driver>', 'Logging driver for the container')
    .option('--log-opt <k=v>', 'Log driver options', collect)
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect)
    .option('--name <name>', 'Assign a name to the container')
    .option('--network <network>', 'Connect a container to a network')
    .option('--net <network>', 'Connect a container to a network (alias of --network)')
    .option('--network-alias <alias>', 'Add network-scoped alias for the container', collect)
    .option('--oom-kill-disable', 'Disable OOM Killer')
    .option('--oom-score-adj <n>', "Tune host's OOM preferences (-1000 to 1000)", intArg('--oom-score-adj'))
    .option('--pid <mode>', 'PID namespace to use')
    .option('--pids-limit <n>', 'Tune container pids limit (set -1 for unlimited)', intArg('--pids-limit'))
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .option('--privileged', 'Give extended privileges to this container')
    .option('--pull <policy>', 'Pull image before running ("always", "missing", "never"; shoal defaults to "never" until the daemon pulls)', 'never')
    .option('-p, --publish <spec>', "Publish a container's port(s) to the host", collect)
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--restart <policy>', 'Restart policy to apply when a container exits', 'no')
    .option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits')
    .option('--security-opt <opt>', 'Security Options', collect)
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--stop-signal <signal>', 'Signal to stop the container')
    .option('--stop-timeout <s>', 'Timeout (in seconds) to stop a container', intArg('--stop-timeout'))
    .option('--sysctl <k=v>', 'Sysctl options', collect)
    .option('--tmpfs <mount>', 'Mount a tmpfs directory', collect)
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--ulimit <ulimit>', 'Ulimit options', collect)
    .option('-u, --user <user>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--uts <mode>', 'UTS namespace to use')
    .option('-v, --volume <spec>', 'Bind mount a volume', collect)
    .option('--volumes-from <container>', 'Mount volumes from the specified container(s)', collect)
    .option('-w, --workdir <dir>', 'Working directory inside the container');
  if (forRun) {
    cmd
      .option('-d, --detach', 'Run container in background and print container ID')
      .option('--sig-proxy', 'Proxy received signals to the process (default true)')
      .option('--no-sig-proxy', 'Do not proxy received signals to the process');
  }
  return cmd;
}
