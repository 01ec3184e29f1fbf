/** `docker inspect` and `docker ps` shapes from a record. Pure. */
import type { ContainerInspect, ContainerSummary } from '@shoal/common';
import type { ContainerRecord } from './container-record.js';

/** Docker's human "Up 5 minutes" / "Exited (0) 2 seconds ago". */
export function humanStatus(rec: ContainerRecord, nowMs: number): string {
  const s = rec.State;
  const since = (iso: string): string => humanDuration(nowMs - Date.parse(iso));
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  if (s.Running) {
    if (s.Paused) return `Up ${since(s.StartedAt)} (Paused)`;
    const h = s.Health?.Status;
    const health = h === undefined || h === 'none' ? '' : h === 'starting' ? ' (health: starting)' : ` (${h})`;
    return `Up ${since(s.StartedAt)}${health}`;
  }
  if (s.Status === 'created') return 'Created';
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Status === 'dead') return 'Dead';
  if (s.FinishedAt.startsWith('0001')) return '';
  return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
}

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec < 1) return 'Less than a second';
  if (sec === 1) return '1 second';
  if (sec < 60) return `${sec} seconds`;
  const min = Math.floor(sec / 60);
  if (min === 1) return 'About a minute';
  if (min < 60) return `${min} minutes`;
  const h = Math.round(ms / 3_600_000);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}

/** An item of GET /containers/json. */
export function summaryOf(rec: ContainerRecord, nowMs: number): ContainerSummary {
  const ports: ContainerSummary['Ports'] = [];
  const bound = new Set<string>();
  for (const [key, binds] of Object.entries(rec.NetworkSettings.Ports ?? {})) {
    const [p, proto = 'tcp'] = key.split('/');
    for (const b of binds ?? []) {
      bound.add(key);
      ports.push({ IP: b.HostIp === '' || b.HostIp === undefined ? '0.0.0.0' : b.HostIp, PrivatePort: Number(p), PublicPort: Number(b.HostPort), Type: proto });
    }
  }
  for (const key of rec.ExposedPorts) {
    if (bound.has(key)) continue;
    const [p, proto = 'tcp'] = key.split('/');
    ports.push({ PrivatePort: Number(p), Type: proto });
  }
  const cmd = [rec.Path, ...rec.Args].map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ');
  return {
    Id: rec.Id, Names: [rec.Name], Image: rec.Config.Image ?? rec.Image, ImageID: rec.Image, Command: cmd,
    Created: Math.floor(Date.parse(rec.Created) / 1000), Ports: ports, Labels: rec.Config.Labels ?? {},
    State: rec.State.Status, Status: humanStatus(rec, nowMs),
    HostConfig: { NetworkMode: rec.HostConfig.NetworkMode ?? 'bridge' },
    NetworkSettings: { Networks: rec.NetworkSettings.Networks ?? {} },
    Mounts: rec.Mounts,
  };
}

/** GET /containers/{id}/json */
export function inspectOf(rec: ContainerRecord, f: {
  logPath: string; hostsPath: string; hostnamePath: string; resolvConfPath: string;
  overlay: { upper: string; work: string; merged: string }; execIds: string[] | null;
}): ContainerInspect {
  return {
    Id: rec.Id, Created: rec.Created, Path: rec.Path, Args: rec.Args, State: { ...rec.State }, Image: rec.Image,
    ResolvConfPath: f.resolvConfPath, HostnamePath: f.hostnamePath, HostsPath: f.hostsPath, LogPath: f.logPath,
    Name: rec.Name, RestartCount: rec.RestartCount, Driver: 'overlay2', Platform: 'linux', MountLabel: '', ProcessLabel: '',
    AppArmorProfile: '', ExecIDs: f.execIds, HostConfig: rec.HostConfig,
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: f.overlay.upper, WorkDir: f.overlay.work, MergedDir: f.overlay.merged } },
    Mounts: rec.Mounts, Config: rec.Config, NetworkSettings: rec.NetworkSettings,
  };
}
