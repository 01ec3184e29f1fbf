/**
 * GrpcTransport: Raft messages over gRPC (@grpc/grpc-js), one long-lived
 * client-streaming call per peer (`/raftts.Raft/Stream`). Each stream frame
 * is a batch of messages in the compact binary codec of message-codec.ts
 * (no .proto: grpc-js takes our serializers directly). A node dials every
 * peer; answers come back over the peer's own stream to us.
 *
 * Snapshots travel as the core's SnapshotMessage chunks on the same stream
 * (the core sends the next chunk when the previous one is acknowledged, so a
 * snapshot never holds more than one chunk in a queue).
 *
 * Per peer: a queue bounded in bytes while the stream is backpressured
 * (full: drop, Raft retries); on a stream failure the peer is reported
 * unreachable, its queue dropped, and sends to it are dropped (and reported)
 * until a backoff timer allows a new stream.
 *
 * A peer that vanishes without a reset (power loss, a partition that drops
 * packets) is found two ways: HTTP/2 keepalive pings on both sides close a
 * connection whose pings go unanswered (`keepaliveMs` + `keepaliveTimeoutMs`,
 * even while idle), and a watchdog cancels a stream that has not drained
 * within `watchdogMs` of blocking. Either way the peer is reported
 * unreachable at once instead of when TCP gives up.
 */
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import type { Message, NodeId } from '../core/types.js';
import { Backoff } from './backoff.js';
import { decodeBatch, encodeBatch } from './message-codec.js';
import { systemTimers } from './transport.js';
import type { TimerHandle, Timers, Transport } from './transport.js';

const STREAM_PATH = '/raftts.Raft/Stream';
const META_ID = 'raft-id';
const META_ADDRESS = 'raft-address';
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const identity = (b: Buffer): Buffer => b;

/** The service definition, with our own (de)serializers. */
const raftService: grpc.ServiceDefinition = {
  stream: {
    path: STREAM_PATH,
    requestStream: true,
    responseStream: false,
    requestSerialize: toBuffer,
    requestDeserialize: identity,
    responseSerialize: toBuffer,
    responseDeserialize: identity,
  },
};

/** Options of {@link GrpcTransport.listen}. */
export interface GrpcTransportOptions {
  /** This node's id: messages to other ids that arrive here are dropped. */
  readonly id: NodeId;
  /** host:port to listen on; port 0 picks a free port. Default 127.0.0.1:0. */
  readonly listen?: string;
  /** Default: insecure (tests, bench). Production passes ServerCredentials.createSsl(...) with client certs required. */
  readonly serverCredentials?: grpc.ServerCredentials;
  /** Default: insecure. Production passes credentials.createSsl(ca, key, cert). */
  readonly channelCredentials?: grpc.ChannelCredentials;
  /** Extra channel options (e.g. grpc.ssl_target_name_override). */
  readonly channelOptions?: grpc.ChannelOptions;
  /**
   * The address peers reach this node at, sent with every stream so a peer
   * that does not know this node yet (a member that just joined) can answer.
   * Default: the listen address with the bound port, unless it is a wildcard.
   */
  readonly advertise?: string;
  /** Bytes of messages (approximate, {@link approxMessageBytes}) buffered per peer while its stream is backpressured. Default 16 MiB. */
  readonly queueLimitBytes?: number;
  /** Interval of HTTP/2 keepalive pings, both directions. Default 1000 ms. */
  readonly keepaliveMs?: number;
  /** A connection whose ping is not answered within this is closed. Default 1000 ms. */
  readonly keepaliveTimeoutMs?: number;
  /** A stream blocked (not drained) for this long is cancelled and the peer reported unreachable. Default 1000 ms, about an election timeout. */
  readonly watchdogMs?: number;
  /** Reconnect backoff. Default 50 ms doubling to 1 s. */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  readonly timers?: Timers;
  /**
   * Who is at the other end of an incoming stream, from its TLS client
   * certificate ({@link commonNameIdentity} for certificates whose subject
   * CN is the node id, as the swarm's are). When given, a stream without an
   * identity, or whose `raft-id` names another node, is refused
   * (PERMISSION_DENIED), and every message whose `from` is not the identity
   * is dropped and counted ({@link GrpcTransport.refused}): without it anyone
   * who reaches the port can forge messages (a forged append-resp commits
   * entries that were never replicated). Unset: no check (tests, benches).
   */
  readonly peerIdentity?: PeerIdentity;
}

/** What an incoming stream's peer presented. */
export interface PeerAuth {
  /** The client certificate under TLS, undefined without TLS or without a certificate. */
  readonly certificate: PeerCertificate | undefined;
}

/** Maps an incoming stream's peer to its node id, or undefined when it has none. */
export type PeerIdentity = (peer: PeerAuth) => NodeId | undefined;

/** The client certificate's subject CN as the node id. */
export const commonNameIdentity: PeerIdentity = ({ certificate }) => {
  const cn = certificate?.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
};

/** Options of {@link GrpcTransport.serve}: the caller owns, binds and shuts down the server. */
export type GrpcTransportServeOptions = Omit<GrpcTransportOptions, 'listen' | 'serverCredentials' | 'advertise'> & {
  /** The address peers reach this node at (the caller's bound address). */
  readonly advertise: string;
};

/** HTTP/2 keepalive, the same on servers and channels. */
function keepaliveOptions(o: Pick<GrpcTransportOptions, 'keepaliveMs' | 'keepaliveTimeoutMs'>): grpc.ChannelOptions {
  return {
    'grpc.keepalive_time_ms': o.keepaliveMs ?? 1000,
    'grpc.keepalive_timeout_ms': o.keepaliveTimeoutMs ?? 1000,
    'grpc.keepalive_permit_without_calls': 1,
  };
}

/** Server options a caller's server needs for {@link GrpcTransport.serve}: frame size and keepalive. */
export function grpcServerOptions(o: Pick<GrpcTransportOptions, 'keepaliveMs' | 'keepaliveTimeoutMs'> = {}): grpc.ServerOptions {
  return { 'grpc.max_receive_message_length': MAX_FRAME_BYTES, ...keepaliveOptions(o) };
}

type PeerOpts = Required<Pick<GrpcTransportOptions, 'queueLimitBytes' | 'watchdogMs' | 'backoffInitialMs' | 'backoffMaxMs' | 'timers'>> & {
  id: NodeId;
  advertise: string | undefined;
  channelCredentials: grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
};

/** Counters for status and tests. */
export interface PeerStats {
  readonly sent: number;
  readonly dropped: number;
  readonly failures: number;
}

/** The gRPC implementation of {@link Transport}. */
export class GrpcTransport implements Transport {
  readonly #id: NodeId;
  readonly #server: grpc.Server;
  /** Whether close() shuts the server down (listen) or only removes the Raft service (serve). */
  readonly #ownsServer: boolean;
  readonly #port: number;
  readonly #opts: PeerOpts;
  readonly #identity: PeerIdentity | undefined;
  readonly #peers = new Map<NodeId, PeerStream>();
  /** Peers removed explicitly: never re-learned from their own announcements. */
  readonly #removed = new Set<NodeId>();
  #onMessage: (m: Message) => void = () => undefined;
  #onUnreachable: (peer: NodeId) => void = () => undefined;
  #closed = false;
  #refused = 0;

  private constructor(server: grpc.Server, ownsServer: boolean, port: number, options: GrpcTransportOptions, advertise: string | undefined) {
    this.#id = options.id;
    this.#server = server;
    this.#ownsServer = ownsServer;
    this.#port = port;
    this.#identity = options.peerIdentity;
    this.#opts = {
      id: options.id,
      advertise,
      queueLimitBytes: options.queueLimitBytes ?? 16 * 1024 * 1024,
      watchdogMs: options.watchdogMs ?? 1000,
      backoffInitialMs: options.backoffInitialMs ?? 50,
      backoffMaxMs: options.backoffMaxMs ?? 1000,
      timers: options.timers ?? systemTimers,
      channelCredentials: options.channelCredentials ?? grpc.credentials.createInsecure(),
      channelOptions: {
        'grpc.max_send_message_length': MAX_FRAME_BYTES,
        // grpc-js's own reconnect backoff defaults to 1 s .. 120 s: far too slow for Raft.
        'grpc.initial_reconnect_backoff_ms': options.backoffInitialMs ?? 50,
        'grpc.max_reconnect_backoff_ms': options.backoffMaxMs ?? 1000,
        ...keepaliveOptions(options),
        ...options.channelOptions,
      },
    };
    server.addService(raftService, { stream: this.#handleStream });
  }

  /** Starts a server of its own and returns a transport ready to add peers (tests, benches, a lone Raft). */
  static async listen(options: GrpcTransportOptions): Promise<GrpcTransport> {
    const server = new grpc.Server(grpcServerOptions(options));
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(options.listen ?? '127.0.0.1:0', options.serverCredentials ?? grpc.ServerCredentials.createInsecure(), (err, p) =>
        err === null ? resolve(p) : reject(err),
      );
    });
    const listenHost = (options.listen ?? '127.0.0.1:0').replace(/:\d+$/, '');
    const wildcard = ['0.0.0.0', '[::]', '::', ''].includes(listenHost);
    const advertise = options.advertise ?? (wildcard ? undefined : `${listenHost}:${port}`);
    return new GrpcTransport(server, true, port, options, advertise);
  }

  /**
   * Registers the Raft service on a server the caller owns (a manager serves
   * Raft, the dispatcher and the control API on one cluster port). Call
   * before the caller binds the server; make it with {@link grpcServerOptions}.
   * close() removes the service and leaves the server running.
   */
  static serve(server: grpc.Server, options: GrpcTransportServeOptions): GrpcTransport {
    const port = Number(/:(\d+)$/.exec(options.advertise)?.[1] ?? 0);
    return new GrpcTransport(server, false, port, options, options.advertise);
  }

  /** Incoming stream from a peer: identity check, peer learning, delivery. */
  readonly #handleStream = (call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Uint8Array>): void => {
    const [from] = call.metadata.get(META_ID);
    const [address] = call.metadata.get(META_ADDRESS);
    let identity: NodeId | undefined;
    if (this.#identity !== undefined) {
      identity = this.#identity({ certificate: call.getAuthContext()?.sslPeerCertificate });
      if (identity === undefined || (typeof from === 'string' && from !== identity)) {
        this.#refused++;
        callback({ code: grpc.status.PERMISSION_DENIED, details: identity === undefined ? 'no peer identity' : `raft-id ${String(from)} is not ${identity}` });
        return;
      }
    }
    if (typeof from === 'string' && typeof address === 'string') this.learnPeer(from, address);
    call.on('data', (frame: Buffer) => {
      let messages: Message[];
      try {
        messages = decodeBatch(frame);
      } catch (err) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `bad raft frame: ${(err as Error).message}` });
        return;
      }
      if (identity !== undefined) {
        const own = messages.filter((m) => m.from === identity);
        this.#refused += messages.length - own.length;
        messages = own;
      }
      this.deliver(messages);
    });
    call.on('end', () => callback(null, new Uint8Array(0)));
    call.on('error', () => undefined);
  };

  /** Incoming streams and messages refused by the peer-identity check so far. */
  get refused(): number {
    return this.#refused;
  }

  /** The port the server listens on. */
  get port(): number {
    return this.#port;
  }

  /** Delivers decoded messages to the handler (internal, called by the server). */
  deliver(messages: readonly Message[]): void {
    if (this.#closed) return;
    for (const m of messages) if (m.to === this.#id) this.#onMessage(m);
  }

  send(messages: readonly Message[]): void {
    if (this.#closed) return;
    const touched = new Set<PeerStream>();
    for (const m of messages) {
      const peer = this.#peers.get(m.to);
      if (peer === undefined) {
        this.#onUnreachable(m.to);
        continue;
      }
      peer.enqueue(m);
      touched.add(peer);
    }
    for (const p of touched) p.flush();
  }

  onMessage(handler: (message: Message) => void): void {
    this.#onMessage = handler;
  }

  onUnreachable(handler: (peer: NodeId) => void): void {
    this.#onUnreachable = handler;
  }

  addPeer(id: NodeId, address: string): void {
    this.#removed.delete(id);
    const existing = this.#peers.get(id);
    if (existing !== undefined) {
      if (existing.address === address) return;
      existing.close();
    }
    this.#peers.set(id, new PeerStream(id, address, this.#opts, (p) => this.#onUnreachable(p)));
  }

  removePeer(id: NodeId): void {
    this.#peers.get(id)?.close();
    this.#peers.delete(id);
    this.#removed.add(id);
  }

  /**
   * Adds a peer that announced itself on an incoming stream, unless it is
   * known already or was removed (internal, called by the server).
   */
  learnPeer(id: NodeId, address: string): void {
    if (this.#closed || id === this.#id || this.#peers.has(id) || this.#removed.has(id)) return;
    this.#peers.set(id, new PeerStream(id, address, this.#opts, (p) => this.#onUnreachable(p)));
  }

  /** Per-peer counters. */
  stats(): Record<NodeId, PeerStats> {
    return Object.fromEntries([...this.#peers].map(([id, p]) => [id, p.stats()]));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#peers.values()) p.close();
    this.#peers.clear();
    if (!this.#ownsServer) {
      this.#server.removeService(raftService);
      return;
    }
    await new Promise<void>((resolve) => {
      // A connection from a peer that vanished never finishes a graceful shutdown (and then
      // tryShutdown's callback never comes): force it after 500 ms and be done.
      const force = this.#opts.timers.setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 500);
      this.#server.tryShutdown(() => {
        force.cancel();
        resolve();
      });
    });
  }
}


/**
 * What a message weighs in a peer's queue: its payload bytes (entry data,
 * snapshot chunk, read context) plus a fixed allowance for the rest.
 */
export function approxMessageBytes(m: Message): number {
  let n = 64;
  if (m.type === 'append') for (const e of m.entries) n += e.data.length + 24;
  else if (m.type === 'snapshot') n += m.data.length;
  if ('context' in m && m.context !== undefined) n += m.context.length;
  return n;
}

/** One frame per flush (the messages of one Ready), split only to stay under the frame limit. */
function frames(batch: readonly Message[]): Uint8Array[] {
  const frame = encodeBatch(batch);
  if (frame.length <= MAX_FRAME_BYTES / 2 || batch.length === 1) return [frame];
  const half = Math.ceil(batch.length / 2);
  return [...frames(batch.slice(0, half)), ...frames(batch.slice(half))];
}

/** One peer: its channel, current stream, queue and backoff. */
class PeerStream {
  readonly id: NodeId;
  readonly address: string;
  readonly #opts: PeerOpts;
  readonly #reportUnreachable: (peer: NodeId) => void;
  readonly #client: grpc.Client;
  readonly #backoff: Backoff;
  #call: grpc.ClientWritableStream<Uint8Array> | undefined;
  #queue: Message[] = [];
  #queueBytes = 0;
  #blocked = false;
  /** Cancels the stream if it stays blocked for watchdogMs. */
  #watchdog: TimerHandle | undefined;
  #waiting: TimerHandle | undefined;
  #reported = false;
  #closed = false;
  #sent = 0;
  #dropped = 0;
  #failures = 0;

  constructor(id: NodeId, address: string, opts: PeerOpts, reportUnreachable: (peer: NodeId) => void) {
    this.id = id;
    this.address = address;
    this.#opts = opts;
    this.#reportUnreachable = reportUnreachable;
    this.#client = new grpc.Client(address, opts.channelCredentials, opts.channelOptions);
    this.#backoff = new Backoff(opts.backoffInitialMs, opts.backoffMaxMs);
  }

  enqueue(m: Message): void {
    if (this.#waiting !== undefined) {
      // In backoff after a failure: drop, and tell the core once per backoff window.
      this.#dropped++;
      if (!this.#reported) {
        this.#reported = true;
        this.#reportUnreachable(this.id);
      }
      return;
    }
    const bytes = approxMessageBytes(m);
    // At least one message always fits, however large (a snapshot chunk bigger than the limit).
    if (this.#queue.length > 0 && this.#queueBytes + bytes > this.#opts.queueLimitBytes) {
      this.#dropped++;
      return;
    }
    this.#queue.push(m);
    this.#queueBytes += bytes;
  }

  flush(): void {
    if (this.#closed || this.#waiting !== undefined || this.#blocked || this.#queue.length === 0) return;
    const call = this.#call ?? this.#open();
    const batch = this.#queue;
    this.#queue = [];
    this.#queueBytes = 0;
    this.#sent += batch.length;
    if (this.#client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY) this.#backoff.reset();
    let ok = true;
    for (const frame of frames(batch)) ok = call.write(frame);
    if (!ok) {
      this.#blocked = true;
      // A peer that stopped reading without a reset would block the stream until TCP gives up
      // (minutes): cancel it after watchdogMs; the failure reports the peer unreachable.
      this.#watchdog = this.#opts.timers.setTimeout(() => {
        this.#watchdog = undefined;
        if (this.#call === call) call.cancel();
      }, this.#opts.watchdogMs);
      call.once('drain', () => {
        this.#watchdog?.cancel();
        this.#watchdog = undefined;
        this.#blocked = false;
        this.flush();
      });
    }
  }

  #open(): grpc.ClientWritableStream<Uint8Array> {
    const md = new grpc.Metadata();
    md.set(META_ID, this.#opts.id);
    if (this.#opts.advertise !== undefined) md.set(META_ADDRESS, this.#opts.advertise);
    const call = this.#client.makeClientStreamRequest<Uint8Array, Buffer>(STREAM_PATH, toBuffer, identity, md, (err) => {
      if (this.#call === call) this.#fail(err);
    });
    this.#call = call;
    return call;
  }

  #fail(err: grpc.ServiceError | null): void {
    this.#call = undefined;
    this.#blocked = false;
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
    if (this.#closed) return;
    this.#failures++;
    this.#dropped += this.#queue.length;
    this.#queue = [];
    this.#queueBytes = 0;
    // A stream that ended cleanly (peer restarted its server) reconnects at once.
    if (err === null) return;
    this.#reported = true;
    this.#reportUnreachable(this.id);
    this.#waiting = this.#opts.timers.setTimeout(() => {
      this.#waiting = undefined;
      this.#reported = false;
    }, this.#backoff.next());
  }

  stats(): PeerStats {
    return { sent: this.#sent, dropped: this.#dropped, failures: this.#failures };
  }

  close(): void {
    this.#closed = true;
    this.#waiting?.cancel();
    this.#waiting = undefined;
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
    const call = this.#call;
    this.#call = undefined;
    call?.end();
    call?.cancel();
    this.#client.close();
  }
}
