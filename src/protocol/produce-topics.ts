// The topics a Produce request names (names up to v12, ids from v13), read past its records
// with the generated skippers instead of decoding it: a passthrough Produce is checked against
// kgate's internal topics on every request, and a decode costs microseconds per request.
import { requestHeaderVersion } from "./headers.ts";
import { skipPartitionProduceData } from "./messages/produce-request.ts";
import { Reader } from "./wire.ts";

const PRODUCE = 0;
const FLEXIBLE_FROM = 9;
const TOPIC_IDS_FROM = 13;

/** Names (v3-12) or topic ids (v13+) in request order; throws ProtocolError on a malformed frame. */
export function produceRequestTopics(frame: Uint8Array, version: number): string[] {
  const r = new Reader(frame, 4 + 8); // size, api key, version, correlation id
  const flexible = version >= FLEXIBLE_FROM;
  r.nullableString(); // client id (never compact)
  if (requestHeaderVersion(PRODUCE, version) >= 2) r.skipTaggedFields();
  r.skipString(flexible); // transactional id (nullable: a null length skips nothing)
  r.skip(2 + 4); // acks, timeout
  const topics: string[] = [];
  const n = r.arrayLength(flexible);
  for (let i = 0; i < n; i++) {
    topics.push(version >= TOPIC_IDS_FROM ? r.uuid() : flexible ? r.compactString() : r.string());
    const partitions = r.arrayLength(flexible);
    for (let p = 0; p < partitions; p++) skipPartitionProduceData(r, version);
    if (flexible) r.skipTaggedFields();
  }
  return topics;
}
