// The classic consumer protocol's member metadata as bytes: an int16 version, then the
// ConsumerProtocolSubscription (JoinGroup) or ConsumerProtocolAssignment (SyncGroup) struct at
// that version — Kafka's MessageUtil.toVersionPrefixedBytes. The struct codecs are generated.
import * as assignmentSpec from "../protocol/messages/consumer-protocol-assignment.ts";
import * as subscriptionSpec from "../protocol/messages/consumer-protocol-subscription.ts";
import { ProtocolError, Reader, Writer } from "../protocol/wire.ts";

export type Subscription = subscriptionSpec.ConsumerProtocolSubscription;
export type Assignment = assignmentSpec.ConsumerProtocolAssignment;

export class ConsumerProtocolError extends Error {
  override name = "ConsumerProtocolError";
}

/** A decoded struct and the version it is to be written back as. */
export interface Versioned<T> {
  version: number;
  body: T;
}

interface DataCodec<T> {
  what: string;
  versions: { readonly min: number; readonly max: number };
  decode(r: Reader, version: number): T;
  encode(w: Writer, version: number, body: T): void;
}

const SUBSCRIPTION: DataCodec<Subscription> = {
  what: "consumer protocol subscription",
  versions: subscriptionSpec.ConsumerProtocolSubscriptionVersions,
  decode: subscriptionSpec.decodeConsumerProtocolSubscription,
  encode: subscriptionSpec.encodeConsumerProtocolSubscription,
};

const ASSIGNMENT: DataCodec<Assignment> = {
  what: "consumer protocol assignment",
  versions: assignmentSpec.ConsumerProtocolAssignmentVersions,
  decode: assignmentSpec.decodeConsumerProtocolAssignment,
  encode: assignmentSpec.encodeConsumerProtocolAssignment,
};

/** Array elements one metadata blob may hold: a fixed ceiling on what it makes kgate allocate (invariant 4). */
export const MAX_METADATA_ITEMS = 200_000;

class CountingReader extends Reader {
  private items = 0;

  override arrayLength(compact: boolean): number {
    const n = super.arrayLength(compact);
    if (n > 0 && (this.items += n) > MAX_METADATA_ITEMS) throw new ProtocolError(`more than ${MAX_METADATA_ITEMS} array elements`);
    return n;
  }
}

/**
 * Kafka's specs for these structs promise that later versions only append fields, and Java
 * clients read a newer version with the newest layout they know. kgate does the same but also
 * writes such bytes back as the newest version it knows: the appended fields, which kgate could
 * not check for names, are dropped rather than forwarded unread (invariant 1). At a known version
 * the bytes must end with the struct: trailing bytes could hide names from kgate that a lenient
 * reader (the broker's) might still find.
 */
function decodeVersioned<T>(codec: DataCodec<T>, bytes: Uint8Array): Versioned<T> {
  if (bytes.length < 2) throw new ConsumerProtocolError(`malformed ${codec.what}: ${bytes.length} bytes, no version`);
  const r = new CountingReader(bytes);
  const sent = r.int16();
  if (sent < codec.versions.min) throw new ConsumerProtocolError(`malformed ${codec.what}: version ${sent}`);
  const version = Math.min(sent, codec.versions.max);
  let body: T;
  try {
    body = codec.decode(r, version);
  } catch (e) {
    if (e instanceof ProtocolError) throw new ConsumerProtocolError(`malformed ${codec.what} v${sent}: ${e.message}`);
    throw e;
  }
  if (r.remaining > 0 && sent <= codec.versions.max) {
    throw new ConsumerProtocolError(`malformed ${codec.what} v${sent}: ${r.remaining} bytes after the struct`);
  }
  return { version, body };
}

function encodeVersioned<T>(codec: DataCodec<T>, v: Versioned<T>): Uint8Array {
  const w = new Writer();
  w.int16(v.version);
  codec.encode(w, v.version, v.body);
  return w.toBytes();
}

export function decodeSubscription(bytes: Uint8Array): Versioned<Subscription> {
  return decodeVersioned(SUBSCRIPTION, bytes);
}

export function encodeSubscription(v: Versioned<Subscription>): Uint8Array {
  return encodeVersioned(SUBSCRIPTION, v);
}

export function decodeAssignment(bytes: Uint8Array): Versioned<Assignment> {
  return decodeVersioned(ASSIGNMENT, bytes);
}

export function encodeAssignment(v: Versioned<Assignment>): Uint8Array {
  return encodeVersioned(ASSIGNMENT, v);
}
