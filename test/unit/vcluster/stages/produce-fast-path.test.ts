// The Produce-by-id fast path: taken only when no stage has work, and then indistinguishable from
// the full way through the stages (the same bytes reach the broker and the client).
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Frame } from "../../../../src/gateway/session-policy.ts";
import { AclIndex } from "../../../../src/model/acl-matcher.ts";
import { ANONYMOUS_PRINCIPAL } from "../../../../src/model/acl-model.ts";
import { encodeRequest, encodeResponse } from "../../../../src/protocol/codec.ts";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import type { ProduceRequest } from "../../../../src/protocol/messages/produce-request.ts";
import type { ProduceResponse } from "../../../../src/protocol/messages/produce-response.ts";
import { concatBytes } from "../../../../src/protocol/wire.ts";
import { AclDecisions } from "../../../../src/vcluster/acl/acl-stage.ts";
import { FetchSessions } from "../../../../src/vcluster/fetch-sessions.ts";
import type { ConnectionState } from "../../../../src/vcluster/stages/exchange.ts";
import { tenantRequest } from "../../../../src/vcluster/stages/pipeline.ts";
import { produceFastPath } from "../../../../src/vcluster/stages/produce-fast-path.ts";
import { loadSpecs, messageArbitrary } from "../../../support/spec-arbitraries.ts";
import { FOREIGN_ID, OWN_ID, stageDeps, tenant } from "../../../support/stage-exchange.ts";

const head = (version: number) => ({ apiKey: ApiKey.Produce, apiVersion: version, correlationId: 9 });
const bytes = (f: Frame) => (f instanceof Uint8Array ? f : concatBytes(f));

function produce(version: number, fields: Partial<ProduceRequest> = {}): Uint8Array {
  return concatBytes(encodeRequest({ ...head(version), clientId: "app" }, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: "", topicId: OWN_ID, partitionData: [{ index: 0, records: new Uint8Array([1, 2, 3]) }] }],
    ...fields,
  }));
}

const connection = (): ConnectionState => ({ fetchSessions: new FetchSessions() });
/** ACLs on with the client a super user: nothing is refused, but the fast path steps aside. */
const withAcls = (): ConnectionState => ({
  fetchSessions: new FetchSessions(),
  acl: () => new AclDecisions({ index: new AclIndex([]), superUsers: new Set([ANONYMOUS_PRINCIPAL]) }, { principal: ANONYMOUS_PRINCIPAL, host: "" }),
});
const notCalled = () => Promise.reject(new Error("slow response path taken"));

describe("produceFastPath", () => {
  test("a Produce v13 of the tenant's own ids goes as its bytes behind the tenant's client id; a plain response as the broker's bytes", async () => {
    const frame = produce(13);
    const fast = await produceFastPath(frame, head(13), tenant, stageDeps(), connection(), false, notCalled);
    expect(fast?.kind).toBe("forward");
    if (fast?.kind !== "forward") return;
    const full = await tenantRequest(frame, head(13), tenant, stageDeps(), withAcls(), false);
    if (full.kind !== "forward") throw new Error("the full path did not forward");
    expect(bytes(fast.frame)).toEqual(bytes(full.frame));
    const ack = concatBytes(encodeResponse(ApiKey.Produce, 13, { correlationId: 9 }, {
      responses: [{
        name: "",
        topicId: OWN_ID,
        partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 7n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }],
      }],
      throttleTimeMs: 0,
    }));
    expect(await fast.rewrite!(ack)).toBe(ack);
  });

  test("steps aside where a stage has work: a transactional id, a foreign or unknown id, ACLs on, names (v12)", async () => {
    const deps = stageDeps();
    expect(await produceFastPath(produce(13, { transactionalId: "tx" }), head(13), tenant, deps, connection(), false, notCalled)).toBeNull();
    const foreign = produce(13, { topicData: [{ name: "", topicId: FOREIGN_ID, partitionData: [] }] });
    expect(await produceFastPath(foreign, head(13), tenant, deps, connection(), false, notCalled)).toBeNull();
    expect(await produceFastPath(produce(13), head(13), tenant, deps, withAcls(), false, notCalled)).toBeNull();
    const byName = produce(12, { topicData: [{ name: "orders", topicId: OWN_ID, partitionData: [] }] });
    expect(await produceFastPath(byName, head(12), tenant, deps, connection(), false, notCalled)).toBeNull();
  });

  test("acks=0: forwarded with no response expected", async () => {
    const fast = await produceFastPath(produce(13, { acks: 0 }), head(13), tenant, stageDeps(), connection(), true, notCalled);
    expect(fast).toMatchObject({ kind: "forward", expectResponse: false });
  });

  test("any broker response: the client gets what the full stages make of it", async () => {
    const spec = loadSpecs().get("ProduceResponse")!;
    const frame = produce(13);
    // The fast path's slow path is the full stages' rewrite: compare against it directly.
    const full = await tenantRequest(frame, head(13), tenant, stageDeps(), withAcls(), false);
    if (full.kind !== "forward") throw new Error("not forwarded");
    const fastWithStages = await produceFastPath(frame, head(13), tenant, stageDeps(), connection(), false, (r) => Promise.resolve(full.rewrite!(r)));
    if (fastWithStages?.kind !== "forward") throw new Error("not forwarded");
    await fc.assert(
      fc.asyncProperty(messageArbitrary(spec, 13), async (body) => {
        const b = body as unknown as ProduceResponse;
        for (const t of b.responses) t.topicId = OWN_ID; // the broker answers the ids asked for
        const response = concatBytes(encodeResponse(ApiKey.Produce, 13, { correlationId: 9 }, b));
        expect(bytes(await fastWithStages.rewrite!(response))).toEqual(bytes(await full.rewrite!(response)));
      }),
      { numRuns: 100 },
    );
  });
});
