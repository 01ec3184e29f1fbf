export { GrpcTransport, approxMessageBytes, commonNameIdentity, grpcServerOptions } from './grpc-transport.js';
export type { GrpcTransportOptions, GrpcTransportServeOptions, PeerAuth, PeerIdentity, PeerStats } from './grpc-transport.js';
export { systemTimers } from './transport.js';
export type { Transport, Timers, TimerHandle } from './transport.js';
export { Backoff } from './backoff.js';
export { encodeBatch, decodeBatch } from './message-codec.js';
