/**
 * The cluster protocol's services as @grpc/grpc-js service definitions:
 * paths, streaming kinds and (de)serializers from the generated
 * descriptors (protobuf binary encoding), so that servers and clients use
 * grpc-js's plain `addService` and `makeGenericClientConstructor` without
 * a second code generator.
 */
import { fromBinary, toBinary, type DescMessage, type DescService, type MessageShape } from '@bufbuild/protobuf';

/** One method of a grpc-js ServiceDefinition (its structure; grpc-js needs no more). */
export interface GrpcMethodDefinition<I = unknown, O = unknown> {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: I): Buffer;
  requestDeserialize(bytes: Buffer): I;
  responseSerialize(value: O): Buffer;
  responseDeserialize(bytes: Buffer): O;
  originalName: string;
}

function codec<D extends DescMessage>(desc: D): { serialize(v: MessageShape<D>): Buffer; deserialize(b: Buffer): MessageShape<D> } {
  return {
    serialize: (v) => Buffer.from(toBinary(desc, v)),
    deserialize: (b) => fromBinary(desc, new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
  };
}

/** A grpc-js ServiceDefinition of `service`: keys are the method names in lowerCamelCase (`issueNodeCertificate`). */
export function grpcDefinition(service: DescService): Record<string, GrpcMethodDefinition> {
  const out: Record<string, GrpcMethodDefinition> = {};
  for (const m of service.methods) {
    const input = codec(m.input);
    const output = codec(m.output);
    out[m.localName] = {
      path: `/${service.typeName}/${m.name}`,
      requestStream: m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming',
      responseStream: m.methodKind === 'server_streaming' || m.methodKind === 'bidi_streaming',
      requestSerialize: input.serialize as (v: unknown) => Buffer,
      requestDeserialize: input.deserialize,
      responseSerialize: output.serialize as (v: unknown) => Buffer,
      responseDeserialize: output.deserialize,
      originalName: m.localName,
    };
  }
  return out;
}
