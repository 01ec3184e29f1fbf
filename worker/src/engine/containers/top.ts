import { readFile } from 'node:fs/promises';
import type { ContainerTop } from '@shoal/common';
import { readCgroupPids, type CgroupLayout } from '../runtime/index.js';

/** One process as read from /proc. */
export interface ProcInfo { pid: number; ppid: number; uid: number; user: string; state: string; utime: number; stime: number; startTicks: number; vszKb: number; rssKb: number; tty: number; cmd: string; comm: string }

const CLK_TCK = 100;

/** Parse /proc/<pid>/stat (comm may contain spaces and parens). Pure. */
export function parseStat(text: string): { comm: string; state: string; ppid: number; tty: number; utime: number; stime: number; start: number; vsize: number; rss: number } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const comm = text.slice(open + 1, close);
  const f = text.slice(close + 2).split(' ');
  const n = (i: number): number => Number(f[i] ?? 0);
  return { comm, state: f[0] ?? '?', ppid: n(1), tty: n(4), utime: n(11), stime: n(12), start: n(19), vsize: n(20), rss: n(21) };
}

const fmtTime = (ticks: number): string => {
  const s = Math.floor(ticks / CLK_TCK);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * Format processes as `ps` would for `psArgs` (Docker's default `-ef`;
 * `aux` style when the args contain `u`). Pure given the inputs.
 */
export function formatTop(procs: ProcInfo[], psArgs: string | undefined, bootTimeS: number, nowS: number, memTotalKb: number): ContainerTop {
  const args = (psArgs ?? '-ef').trim();
  const stime = (p: ProcInfo): string => {
    const startS = bootTimeS + p.startTicks / CLK_TCK;
    const d = new Date(startS * 1000);
    return nowS - startS < 86400 ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : d.toISOString().slice(5, 10);
  };
  const tty = (p: ProcInfo): string => (p.tty === 0 ? '?' : `pts/${p.tty & 0xff}`);
  if (/^-?[a-z]*u[a-z]*$/.test(args) && !args.startsWith('-')) {
    return {
      Titles: ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'],
      Processes: procs.map((p) => {
        const elapsed = Math.max(1, nowS - (bootTimeS + p.startTicks / CLK_TCK));
        const cpu = ((p.utime + p.stime) / CLK_TCK / elapsed) * 100;
        return [p.user, String(p.pid), cpu.toFixed(1), memTotalKb > 0 ? ((p.rssKb / memTotalKb) * 100).toFixed(1) : '0.0',
          String(p.vszKb), String(p.rssKb), tty(p), p.state, stime(p), fmtTime(p.utime + p.stime), p.cmd];
      }),
    };
  }
  return {
    Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    Processes: procs.map((p) => [p.user, String(p.pid), String(p.ppid), '0', stime(p), tty(p), fmtTime(p.utime + p.stime), p.cmd]),
  };
}

async function readProc(pid: number, users: Map<number, string>): Promise<ProcInfo | null> {
  try {
    const [stat, status, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    const s = parseStat(stat);
    const uid = Number(/^Uid:\s+([0-9]+)/m.exec(status)?.[1] ?? 0);
    const cmd = cmdline.split('\0').filter((x) => x !== '').join(' ');
    return {
      pid, ppid: s.ppid, uid, user: users.get(uid) ?? String(uid), state: s.state, utime: s.utime, stime: s.stime, startTicks: s.start,
      vszKb: Math.floor(s.vsize / 1024), rssKb: s.rss * 4, tty: s.tty, cmd: cmd === '' ? `[${s.comm}]` : cmd, comm: s.comm,
    };
  } catch {
    return null;
  }
}

/** `docker top`: the processes of the container's cgroup, as host pids. */
export async function topOf(layout: CgroupLayout, cgroupPath: string, psArgs?: string): Promise<ContainerTop> {
  const pids = await readCgroupPids(layout, cgroupPath);
  const users = new Map<number, string>();
  try {
    for (const line of (await readFile('/etc/passwd', 'utf8')).split('\n')) {
      const f = line.split(':');
      if (f[0] !== undefined && f[2] !== undefined) users.set(Number(f[2]), f[0]);
    }
  } catch { /* numeric uids */ }
  const procs = (await Promise.all(pids.map((p) => readProc(p, users)))).filter((p): p is ProcInfo => p !== null).sort((a, b) => a.pid - b.pid);
  const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
  const btime = Number(/^btime\s+([0-9]+)/m.exec(stat)?.[1] ?? 0);
  const memTotal = Number(/^MemTotal:\s+([0-9]+)/m.exec(meminfo)?.[1] ?? 0);
  return formatTop(procs, psArgs, btime, Date.now() / 1000, memTotal);
}
