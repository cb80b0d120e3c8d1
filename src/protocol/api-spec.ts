// The shape of one API in the generated registry (src/protocol/messages/index.ts).
import type { EntityField } from "./entity-field.ts";
import type { Reader, Writer } from "./wire.ts";

export interface MessageCodec<T> {
  decode(r: Reader, version: number): T;
  encode(w: Writer, version: number, message: T): void;
  /** A message with every field at its default. */
  create(): T;
  entities: readonly EntityField[];
  /** Moves the reader past the message's regular fields, to its top-level tag section. */
  skipToTags(r: Reader, version: number): void;
  /** Properties of its top-level tagged fields (e.g. "nodeEndpoints"). */
  topLevelTagged: readonly string[];
}

export interface ApiSpec<Req, Res> {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  /** First flexible version (compact encodings, tagged fields), Infinity if none. */
  flexibleMin: number;
  latestVersionUnstable: boolean;
  request: MessageCodec<Req>;
  response: MessageCodec<Res>;
}
