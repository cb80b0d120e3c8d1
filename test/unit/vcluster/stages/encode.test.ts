// The last step: a changed message is encoded again, an unchanged one goes out as it came (the
// request with only its client id spliced), and the Fetch cut-through decision.
import { describe, expect, test } from "bun:test";
import { decodeRequest, encodeRequest, encodeResponse } from "../../../../src/protocol/codec.ts";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultFetchRequest } from "../../../../src/protocol/messages/fetch-request.ts";
import { defaultMetadataResponse } from "../../../../src/protocol/messages/metadata-response.ts";
import { concatBytes } from "../../../../src/protocol/wire.ts";
import { encodeTenantRequest, encodeTenantResponse, responseNeedsNoRewrite } from "../../../../src/vcluster/stages/encode.ts";
import type { Obj, RequestExchange } from "../../../../src/vcluster/stages/exchange.ts";
import { fetchSessionTrack } from "../../../../src/vcluster/stages/fetch-session-track.ts";
import { requestExchange, responseExchange } from "../../../support/stage-exchange.ts";

function withFrame(x: RequestExchange): RequestExchange {
  const frame = concatBytes(encodeRequest(x.header, x.body));
  return { ...x, frame, header: decodeRequest(frame).header };
}

describe("encode", () => {
  test("an unchanged request keeps its body bytes; only the client id becomes the tenant's", () => {
    const x = withFrame(requestExchange(ApiKey.Fetch, 15, defaultFetchRequest()));
    const out = encodeTenantRequest(x);
    expect(Array.isArray(out)).toBe(true);
    const rest = (out as Uint8Array[]).at(-1)!;
    expect(rest.buffer).toBe(x.frame.buffer); // a view of the client's bytes, not a copy
    expect(decodeRequest(concatBytes(out as Uint8Array[])).header.clientId).toBe("vc-a/app");
  });

  test("a changed request is encoded from the body, with the tenant's client id", () => {
    const x = withFrame(requestExchange(ApiKey.Fetch, 15, defaultFetchRequest()));
    x.body.maxBytes = 99;
    x.changed = 1;
    const out = decodeRequest<Obj>(concatBytes(encodeTenantRequest(x) as Uint8Array[]));
    expect([out.header.clientId, out.body.maxBytes]).toEqual(["vc-a/app", 99]);
  });

  test("an unchanged response is the broker's frame itself", () => {
    const frame = concatBytes(encodeResponse(ApiKey.Metadata, 12, { correlationId: 7 }, defaultMetadataResponse()));
    const x = responseExchange(ApiKey.Metadata, 12, defaultMetadataResponse());
    expect(encodeTenantResponse(x, frame)).toBe(frame);
    x.changed = 1;
    expect(encodeTenantResponse(x, frame)).not.toBe(frame);
  });

  test("cut-through only for a clean Fetch v13-15 session with no response fix-ups", () => {
    const clean = (version: number) => {
      const x = requestExchange(ApiKey.Fetch, version, defaultFetchRequest());
      fetchSessionTrack(x);
      return x;
    };
    expect(responseNeedsNoRewrite(clean(13))).toBe(true);
    expect(responseNeedsNoRewrite(clean(15))).toBe(true);
    expect(responseNeedsNoRewrite(clean(12))).toBe(false);
    expect(responseNeedsNoRewrite(clean(16))).toBe(false);
    const fixed = clean(15);
    fixed.rule.responseFixups.push(() => {});
    expect(responseNeedsNoRewrite(fixed)).toBe(false);
  });

  test("a response no stage has work for passes undecoded, unless the request asked for fix-ups or swapped ids", () => {
    const heartbeat = () => requestExchange(ApiKey.Heartbeat, 4, { groupId: "vc-a.g", generationId: 1, memberId: "m", groupInstanceId: null });
    expect(responseNeedsNoRewrite(heartbeat())).toBe(true);
    const fixed = heartbeat();
    fixed.rule.responseFixups.push(() => {});
    expect(responseNeedsNoRewrite(fixed)).toBe(false);
    const swapped = heartbeat();
    swapped.fakes.set("f".repeat(32), "b".repeat(32));
    expect(responseNeedsNoRewrite(swapped)).toBe(false);
    expect(
      responseNeedsNoRewrite(
        requestExchange(ApiKey.Metadata, 12, {
          topics: null,
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        }),
      ),
    ).toBe(false);
  });
});
