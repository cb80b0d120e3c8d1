// Produce requests and responses read without decoding them: Produce is the request sent most
// often, and a decode and re-encode cost microseconds each, more than the rest of its way
// through kgate. produceRequestTopics: the topics a request names (names up to v12, ids from
// v13), read past its records with the generated skippers. produceResponseIsPlain: whether a
// response holds nothing but ids, offsets and error codes.
import { requestHeaderVersion } from "./headers.ts";
import { skipPartitionProduceData } from "./messages/produce-request.ts";
import { Reader } from "./wire.ts";

const PRODUCE = 0;
const FLEXIBLE_FROM = 9;
const TOPIC_IDS_FROM = 13;

/** Names (v3-12) or topic ids (v13+) in request order; throws ProtocolError on a malformed frame. */
export function produceRequestTopics(frame: Uint8Array, version: number): string[] {
  return scanProduceRequest(frame, version).topics;
}

/** The transactional id (null for a producer outside transactions) and the topics, as above. */
export function scanProduceRequest(frame: Uint8Array, version: number): { transactionalId: string | null; topics: string[] } {
  const r = new Reader(frame, 4 + 8); // size, api key, version, correlation id
  const flexible = version >= FLEXIBLE_FROM;
  r.nullableString(); // client id (never compact)
  if (requestHeaderVersion(PRODUCE, version) >= 2) r.skipTaggedFields();
  const transactionalId = flexible ? r.compactNullableString() : r.nullableString();
  r.skip(2 + 4); // acks, timeout
  const topics: string[] = [];
  const n = r.arrayLength(flexible);
  for (let i = 0; i < n; i++) {
    topics.push(version >= TOPIC_IDS_FROM ? r.uuid() : flexible ? r.compactString() : r.string());
    const partitions = r.arrayLength(flexible);
    for (let p = 0; p < partitions; p++) skipPartitionProduceData(r, version);
    if (flexible) r.skipTaggedFields();
  }
  return { transactionalId, topics };
}

/**
 * True when a Produce response (v13+, topics by id) carries no error message (partition or
 * record) and no top-level tagged field (NodeEndpoints): nothing a virtual cluster rewrites,
 * once the request's topic ids were all the tenant's. Throws ProtocolError on a malformed frame.
 */
export function produceResponseIsPlain(frame: Uint8Array, version: number): boolean {
  if (version < TOPIC_IDS_FROM) return false;
  const r = new Reader(frame, 4 + 4); // size, correlation id
  r.skipTaggedFields(); // response header v1
  const topics = r.arrayLength(true);
  for (let t = 0; t < topics; t++) {
    r.skip(16); // topic id
    const partitions = r.arrayLength(true);
    for (let p = 0; p < partitions; p++) {
      r.skip(4 + 2 + 8 + 8 + 8); // index, error code, base offset, log append time, log start offset
      if (r.arrayLength(true) > 0) return false; // record errors (each has a message)
      if (r.compactNullableString() !== null) return false; // error message
      r.skipTaggedFields(); // current leader: ids and epochs only
    }
    r.skipTaggedFields();
  }
  r.skip(4); // throttle time
  return r.uvarint() === 0;
}
