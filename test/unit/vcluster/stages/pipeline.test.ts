// The order of the stages is the data plane's contract: these are the orderings the code relies on.
import { describe, expect, test } from "bun:test";
import { REQUEST_STAGES, RESPONSE_STAGES, tenantRequest } from "../../../../src/vcluster/stages/pipeline.ts";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../../../src/protocol/codec.ts";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultFetchRequest } from "../../../../src/protocol/messages/fetch-request.ts";
import { defaultMetadataRequest } from "../../../../src/protocol/messages/metadata-request.ts";
import { defaultMetadataResponse, defaultMetadataResponseTopic } from "../../../../src/protocol/messages/metadata-response.ts";
import { concatBytes } from "../../../../src/protocol/wire.ts";
import { FetchSessions } from "../../../../src/vcluster/fetch-sessions.ts";
import { FOREIGN_ID, OWN_ID, stageDeps, tenant } from "../../../support/stage-exchange.ts";
import { acl } from "../../../../src/vcluster/stages/acl.ts";
import { fetchSessionGuard } from "../../../../src/vcluster/stages/fetch-session-guard.ts";
import { fetchSessionTrack } from "../../../../src/vcluster/stages/fetch-session-track.ts";
import { handRuleRequest, handRuleResponse } from "../../../../src/vcluster/stages/hand-rule.ts";
import { prefixNames } from "../../../../src/vcluster/stages/prefix-names.ts";
import { topicIdGuard } from "../../../../src/vcluster/stages/topic-id-guard.ts";
import { learnTopicIds } from "../../../../src/vcluster/stages/learn-topic-ids.ts";
import { restoreTopicIds } from "../../../../src/vcluster/stages/restore-topic-ids.ts";
import { dropForeignNames } from "../../../../src/vcluster/stages/drop-foreign.ts";
import { dropForeignIds } from "../../../../src/vcluster/stages/drop-foreign-ids.ts";
import { stripNames } from "../../../../src/vcluster/stages/strip-names.ts";
import { scrubLeaks } from "../../../../src/vcluster/stages/scrub-leaks.ts";
import { responseFixups } from "../../../../src/vcluster/stages/response-fixups.ts";

const before = (list: readonly unknown[], a: unknown, b: unknown) => {
  expect(list.indexOf(a)).toBeGreaterThanOrEqual(0);
  expect(list.indexOf(b)).toBeGreaterThanOrEqual(0);
  expect(list.indexOf(a)).toBeLessThan(list.indexOf(b));
};

describe("stage order", () => {
  test("each stage runs once", () => {
    expect(new Set(REQUEST_STAGES).size).toBe(REQUEST_STAGES.length);
    expect(new Set(RESPONSE_STAGES).size).toBe(RESPONSE_STAGES.length);
  });

  test("request: the session guard first, ACLs on the tenant's names, ids checked after the rules", () => {
    expect(REQUEST_STAGES[0]).toBe(fetchSessionGuard);
    before(REQUEST_STAGES, acl, prefixNames);
    before(REQUEST_STAGES, prefixNames, handRuleRequest);
    before(REQUEST_STAGES, handRuleRequest, topicIdGuard);
    before(REQUEST_STAGES, topicIdGuard, fetchSessionTrack);
  });

  test("response: ids learned from backing names first, foreign entries dropped before the prefix comes off, fix-ups last", () => {
    expect(RESPONSE_STAGES[0]).toBe(learnTopicIds);
    before(RESPONSE_STAGES, restoreTopicIds, dropForeignIds);
    before(RESPONSE_STAGES, handRuleResponse, stripNames);
    before(RESPONSE_STAGES, dropForeignNames, stripNames);
    before(RESPONSE_STAGES, dropForeignIds, stripNames);
    before(RESPONSE_STAGES, stripNames, scrubLeaks);
    expect(RESPONSE_STAGES.at(-1)).toBe(responseFixups);
  });
});

describe("tenantRequest runs the stages", () => {
  const frameOf = (apiKey: number, version: number, body: unknown) =>
    concatBytes(encodeRequest({ apiKey, apiVersion: version, correlationId: 9, clientId: "app" }, body));
  const run = (apiKey: number, version: number, body: unknown, acksZero = false) =>
    tenantRequest(frameOf(apiKey, version, body), { apiKey, apiVersion: version, correlationId: 9 }, tenant, stageDeps(), {
      fetchSessions: new FetchSessions(),
    }, acksZero);

  test("a stage's stop is the outcome: later stages do not run", async () => {
    const outcome = await run(ApiKey.Fetch, 12, { ...defaultFetchRequest(), sessionId: 42, sessionEpoch: 1 });
    expect(outcome.kind).toBe("answer");
  });

  test("the request reaches the broker rewritten, and its response goes through the response stages", async () => {
    const outcome = await run(ApiKey.Metadata, 12, { ...defaultMetadataRequest(), topics: [{ name: "orders", topicId: "0".repeat(32) }] });
    if (outcome.kind !== "forward") throw new Error(outcome.kind);
    expect(decodeRequest<{ topics: Array<{ name: string }> }>(concatBytes(outcome.frame as Uint8Array[])).body.topics[0]!.name).toBe("vc-a.orders");
    const response = {
      ...defaultMetadataResponse(),
      topics: [{ ...defaultMetadataResponseTopic(), name: "vc-a.orders", topicId: OWN_ID }, {
        ...defaultMetadataResponseTopic(),
        name: "vc-b.secret",
        topicId: FOREIGN_ID,
      }],
    };
    const out = await outcome.rewrite!(concatBytes(encodeResponse(ApiKey.Metadata, 12, { correlationId: 9 }, response)));
    const topics = decodeResponse<{ topics: Array<{ name: string }> }>(out instanceof Uint8Array ? out : concatBytes(out), ApiKey.Metadata, 12).body.topics;
    expect(topics.map((t) => t.name)).toEqual(["orders"]);
  });

  test("a Heartbeat's response is not rewritten (not even decoded): the plan has no work for it", async () => {
    const outcome = await run(ApiKey.Heartbeat, 4, { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null });
    expect(outcome).toMatchObject({ kind: "forward", expectResponse: true });
    expect((outcome as { rewrite?: unknown }).rewrite).toBeUndefined();
  });

  test("acks=0: forwarded without a response", async () => {
    const produce = {
      transactionalId: null,
      acks: 0,
      timeoutMs: 1000,
      topicData: [{ name: "orders", topicId: "0".repeat(32), partitionData: [{ index: 0, records: new Uint8Array(0) }] }],
    };
    const outcome = await run(ApiKey.Produce, 9, produce, true);
    expect(outcome).toMatchObject({ kind: "forward", expectResponse: false });
  });
});
