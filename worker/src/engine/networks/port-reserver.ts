/**
 * Host port reservation with real sockets held by shoald: a TCP listener or
 * a bound UDP socket per published port, kept open until detach. A port
 * another process holds fails to bind (that is how "port already allocated"
 * is detected), and while we hold it nobody else can take it.
 */
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { hasCode } from '@shoal/common';
import { networkErrors } from './network-errors.js';
import type { PortProto } from './port-spec.js';

/** A reserved host port; `release()` closes the socket (idempotent). */
export interface HeldPort {
  proto: PortProto;
  hostIp: string;
  hostPort: number;
  release(): Promise<void>;
}

function bindTcp(hostIp: string, port: number): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((sock) => sock.destroy());
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ host: hostIp, port, exclusive: true, backlog: 1 }, () => {
      server.off('error', onError);
      server.on('error', () => undefined);
      server.unref();
      const addr = server.address();
      const hostPort = typeof addr === 'object' && addr !== null ? addr.port : port;
      let closed: Promise<void> | null = null;
      resolve({
        proto: 'tcp',
        hostIp,
        hostPort,
        release: () => (closed ??= new Promise<void>((res) => server.close(() => res()))),
      });
    });
  });
}

function bindUdp(hostIp: string, port: number): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const sock: Socket = createSocket({ type: 'udp4' });
    const onError = (e: Error) => {
      sock.close();
      reject(e);
    };
    sock.once('error', onError);
    sock.bind({ address: hostIp, port, exclusive: true }, () => {
      sock.off('error', onError);
      sock.on('error', () => undefined);
      sock.on('message', () => undefined);
      sock.unref();
      const hostPort = sock.address().port;
      let closed: Promise<void> | null = null;
      resolve({
        proto: 'udp',
        hostIp,
        hostPort,
        release: () => (closed ??= new Promise<void>((res) => sock.close(() => res()))),
      });
    });
  });
}

function bindOne(proto: PortProto, hostIp: string, port: number): Promise<HeldPort> {
  return proto === 'tcp' ? bindTcp(hostIp, port) : bindUdp(hostIp, port);
}

function inUse(hostIp: string, ports: string, proto: PortProto, cause: unknown): Error {
  return networkErrors.make('PORT_IN_USE', `Bind for ${hostIp}:${ports} failed: port is already allocated`, {
    cause,
    details: { hostIp, ports, proto },
  });
}

/**
 * Reserve a host port: ephemeral when min = max = 0 (the kernel picks from
 * ip_local_port_range, Docker's range), that port when min = max, else the
 * first free one of [min, max]. Throws ENGINE_NETWORK_PORT_IN_USE (message
 * `Bind for IP:PORT failed: port is already allocated`), or
 * ENGINE_NETWORK_SETUP_FAILED when the address cannot be bound at all.
 */
export async function reservePort(proto: PortProto, hostIp: string, min: number, max: number): Promise<HeldPort> {
  let lastErr: unknown = null;
  for (let port = min; port <= max; port++) {
    try {
      return await bindOne(proto, hostIp, port);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') {
        throw networkErrors.make('SETUP_FAILED', `cannot bind ${proto} ${hostIp}:${port}: ${(e as Error).message}`, { cause: e });
      }
      lastErr = e;
    }
  }
  throw inUse(hostIp, min === max ? String(min) : `${min}-${max}`, proto, lastErr);
}

/**
 * {@link reservePort} for one port request of endpoint `endpointId` of
 * container `name`: "port is already allocated" becomes Docker's full
 * "driver failed programming external connectivity on endpoint ..." message.
 */
export async function reserveEndpointPort(
  r: { proto: PortProto; hostIp: string; hostPortMin: number; hostPortMax: number },
  name: string,
  endpointId: string,
): Promise<HeldPort> {
  try {
    return await reservePort(r.proto, r.hostIp, r.hostPortMin, r.hostPortMax);
  } catch (e) {
    if (hasCode(e, networkErrors.codes.PORT_IN_USE)) {
      throw networkErrors.make('PORT_IN_USE', `driver failed programming external connectivity on endpoint ${name} (${endpointId}): ${e.message}`, {
        cause: e, details: { ...e.details },
      });
    }
    throw e;
  }
}
