// Shared by the ACL table's unit tests (test/unit/acl-table*.test.ts): the versions of an API a
// vcluster offers, and a response run through the ACL stage's fixups and the codec.
import { decodeResponse, encodeResponse } from "../../src/protocol/codec.ts";
import { apiSpec } from "../../src/protocol/registry.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { offeredVersions } from "../../src/vcluster/allowed-apis.ts";

type Obj = Record<string, unknown>;

/** Runs the stage's fixups on `response` and checks it survives an encode/decode at `version`. */
export function respond(apiKey: number, version: number, fixups: Array<(r: Obj) => void>, response: Obj = apiSpec(apiKey)!.response.create() as Obj): Obj {
  for (const f of fixups) f(response);
  const bytes = concatBytes(encodeResponse(apiKey, version, { correlationId: 1 }, response));
  return decodeResponse<Obj>(bytes, apiKey, version).body;
}

/** Every version of the API offered inside a vcluster. */
export function versions(apiKey: number): number[] {
  const v = offeredVersions(apiKey)!;
  return Array.from({ length: v.max - v.min + 1 }, (_, i) => v.min + i);
}
