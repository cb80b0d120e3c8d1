// The tenant's client id is spliced into a raw request frame: new header prefix, same body bytes
// (a view, not a copy), for header v1 and v2 (flexible, with tagged fields after the client id).
import { describe, expect, test } from "bun:test";
import { decodeRequest, encodeRequest } from "../../src/protocol/codec.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { spliceTenantClientId, tenantClientId } from "../../src/vcluster/client-id.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { concatBytes } from "../support/bytes.ts";

type Obj = Record<string, unknown>;
const tenant = new Tenant("vc-alice", "vc-alice.");
const METADATA = 3;

function metadataFrame(version: number, clientId: string | null, unknownTags = false): Uint8Array {
  const header = {
    apiKey: METADATA,
    apiVersion: version,
    correlationId: 42,
    clientId,
    ...(unknownTags ? { _unknownTags: [{ tag: 7, data: new Uint8Array([1, 2, 3]) }] } : {}),
  };
  const body = { ...defaultMetadataRequest(), topics: [{ name: "orders", topicId: "0".repeat(32) }] };
  return concatBytes(encodeRequest(header, body));
}

describe("tenant client id", () => {
  test("names the vcluster before the client's own id", () => {
    expect(tenantClientId(tenant, "app-1")).toBe("vc-alice/app-1");
    expect(tenantClientId(tenant, null)).toBe("vc-alice/");
    // A client id that pretends to be another tenant's stays inside alice's.
    expect(tenantClientId(tenant, "vc-bob/app")).toBe("vc-alice/vc-bob/app");
  });

  for (const [version, headerVersion] of [[4, 1], [12, 2]] as const) {
    test(`a raw Metadata v${version} frame (header v${headerVersion}) decodes with the new id and the same body`, () => {
      for (const clientId of ["app-1", "", null, "ünï/cödé"]) {
        const frame = metadataFrame(version, clientId, headerVersion === 2);
        const spliced = spliceTenantClientId(frame, tenant);
        const original = decodeRequest<Obj>(frame);
        const after = decodeRequest<Obj>(concatBytes(spliced));
        expect(after.header.clientId).toBe(tenantClientId(tenant, clientId));
        expect(after.header.correlationId).toBe(42);
        expect(after.header._unknownTags).toEqual(original.header._unknownTags);
        expect(after.body).toEqual(original.body);
        // The body travels as a view of the frame that arrived.
        expect(spliced[1]!.buffer).toBe(frame.buffer);
      }
    });
  }

  test("an id too long for the int16 length is cut on a character boundary", () => {
    // 32761 bytes: fits the client's header, not once "vc-alice/" is added; the cut falls inside an "é".
    const long = `x${"é".repeat(16_380)}`;
    const frame = metadataFrame(12, long);
    const after = decodeRequest<Obj>(concatBytes(spliceTenantClientId(frame, tenant)));
    const id = after.header.clientId as string;
    expect(id.startsWith("vc-alice/xé")).toBe(true);
    expect(new TextEncoder().encode(id).length).toBe(0x7fff - 1);
    expect(id.includes("\ufffd")).toBe(false);
    expect(tenantClientId(tenant, long)).toBe(id);
  });
});
