// The request stages one by one, on decoded requests: what each changes, what it skips, when it
// stops the request.
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../../../../src/protocol/messages/fetch-request.ts";
import { defaultMetadataRequest } from "../../../../src/protocol/messages/metadata-request.ts";
import { defaultFindCoordinatorRequest } from "../../../../src/protocol/messages/find-coordinator-request.ts";
import { decodeResponse } from "../../../../src/protocol/codec.ts";
import { concatBytes } from "../../../../src/protocol/wire.ts";
import { AclDecisions } from "../../../../src/vcluster/acl/acl-stage.ts";
import { AclIndex } from "../../../../src/model/acl-matcher.ts";
import { acl } from "../../../../src/vcluster/stages/acl.ts";
import { fetchQuota } from "../../../../src/vcluster/stages/fetch-quota.ts";
import { fetchSessionGuard } from "../../../../src/vcluster/stages/fetch-session-guard.ts";
import { fetchSessionTrack } from "../../../../src/vcluster/stages/fetch-session-track.ts";
import { handRuleRequest } from "../../../../src/vcluster/stages/hand-rule.ts";
import { prefixNames } from "../../../../src/vcluster/stages/prefix-names.ts";
import { replicaGuard } from "../../../../src/vcluster/stages/replica-guard.ts";
import { topicIdGuard } from "../../../../src/vcluster/stages/topic-id-guard.ts";
import type { Frame } from "../../../../src/gateway/session-policy.ts";
import { FOREIGN_ID, OWN_ID, requestExchange, UNKNOWN_ID } from "../../../support/stage-exchange.ts";

const fetchBy = (topics: Array<{ topic: string; topicId: string }>) => ({
  ...defaultFetchRequest(),
  topics: topics.map((t) => ({ ...t, partitions: [defaultFetchPartition()] })),
});
const bytes = (f: Frame) => (f instanceof Uint8Array ? f : concatBytes(f));

describe("fetchSessionGuard", () => {
  test("a session id not opened on this connection is answered FETCH_SESSION_ID_NOT_FOUND", () => {
    const x = requestExchange(ApiKey.Fetch, 12, { ...fetchBy([]), sessionId: 42, sessionEpoch: 1 });
    const stop = fetchSessionGuard(x);
    expect(stop?.kind).toBe("answer");
    const answer = decodeResponse<{ errorCode: number }>(bytes((stop as { frame: Frame }).frame), ApiKey.Fetch, 12);
    expect(answer.body.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  test("no session (0) goes on; other APIs are not looked at", () => {
    expect(fetchSessionGuard(requestExchange(ApiKey.Fetch, 12, fetchBy([])))).toBeUndefined();
    expect(fetchSessionGuard(requestExchange(ApiKey.Metadata, 12, defaultMetadataRequest()))).toBeUndefined();
  });
});

describe("acl", () => {
  test("ACLs off: nothing checked, nothing changed", () => {
    const x = requestExchange(ApiKey.Metadata, 12, { ...defaultMetadataRequest(), topics: [{ name: "orders", topicId: "0".repeat(32) }] });
    expect(acl(x)).toBeUndefined();
    expect(x.changed).toBe(0);
  });

  test("ACLs on, nothing granted: an acks=0 produce closes the connection; with acks=1 the entry is refused in the response", async () => {
    const decisions = new AclDecisions({ index: new AclIndex([]), superUsers: new Set() }, { principal: "User:alice", host: "127.0.0.1" });
    const produce = () => ({
      transactionalId: null,
      acks: 0,
      timeoutMs: 1000,
      topicData: [{ name: "orders", topicId: "0".repeat(32), partitionData: [{ index: 0, records: new Uint8Array(0) }] }],
    });
    const zero = requestExchange(ApiKey.Produce, 9, produce(), { conn: { acl: () => decisions }, acksZero: true });
    expect((await acl(zero))?.kind).toBe("close");
    const one = requestExchange(ApiKey.Produce, 9, { ...produce(), acks: 1 }, { conn: { acl: () => decisions } });
    expect(await acl(one)).toBeUndefined();
    expect(one.rule.responseFixups.length).toBeGreaterThan(0);
    expect(one.changed).toBe(one.rule.responseFixups.length);
  });
});

describe("prefixNames", () => {
  test("Fetch v12 names topics: each gets the prefix and counts as a change", () => {
    const x = requestExchange(ApiKey.Fetch, 12, fetchBy([{ topic: "orders", topicId: "0".repeat(32) }, { topic: "audit", topicId: "0".repeat(32) }]));
    prefixNames(x);
    expect((x.body.topics as Array<{ topic: string }>).map((t) => t.topic)).toEqual(["vc-a.orders", "vc-a.audit"]);
    expect(x.changed).toBe(2);
  });

  test("Fetch v15 names no topic: the body is untouched", () => {
    const x = requestExchange(ApiKey.Fetch, 15, fetchBy([{ topic: "", topicId: OWN_ID }]));
    prefixNames(x);
    expect(x.changed).toBe(0);
    expect((x.body.topics as Array<{ topic: string }>)[0]!.topic).toBe("");
  });
});

describe("replicaGuard", () => {
  test("a follower's replica id becomes the consumer's; a consumer's request stays unchanged", () => {
    const follower = requestExchange(ApiKey.Fetch, 12, { ...fetchBy([]), replicaId: 3 });
    replicaGuard(follower);
    expect(follower.body.replicaId).toBe(-1);
    expect(follower.changed).toBe(1);
    const consumer = requestExchange(ApiKey.Fetch, 12, fetchBy([]));
    replicaGuard(consumer);
    expect(consumer.changed).toBe(0);
  });

  test("APIs without replica fields are skipped by the plan", () => {
    const x = requestExchange(ApiKey.OffsetForLeaderEpoch, 2, { replicaId: 5, topics: [] });
    replicaGuard(x);
    expect(x.body.replicaId).toBe(5);
    expect(x.changed).toBe(0);
  });
});

describe("fetchQuota", () => {
  test("maxBytes above the quota's window is lowered to it; below it is left", () => {
    const over = requestExchange(ApiKey.Fetch, 12, { ...fetchBy([]), maxBytes: 10_000 }, { conn: { fetchMaxBytes: 4096 } });
    fetchQuota(over);
    expect(over.body.maxBytes).toBe(4096);
    expect(over.changed).toBe(1);
    const under = requestExchange(ApiKey.Fetch, 12, { ...fetchBy([]), maxBytes: 1000 }, { conn: { fetchMaxBytes: 4096 } });
    fetchQuota(under);
    expect(under.changed).toBe(0);
    const none = requestExchange(ApiKey.Fetch, 12, { ...fetchBy([]), maxBytes: 10_000 });
    fetchQuota(none);
    expect(none.body.maxBytes).toBe(10_000);
  });
});

describe("handRuleRequest", () => {
  test("FindCoordinator: the unannotated key gets the prefix; the request counts as changed", async () => {
    const x = requestExchange(ApiKey.FindCoordinator, 4, { ...defaultFindCoordinatorRequest(), keyType: 0, coordinatorKeys: ["g1"] });
    expect(await handRuleRequest(x)).toBeUndefined();
    expect(x.body.coordinatorKeys).toEqual(["vc-a.g1"]);
    expect(x.changed).toBe(1);
  });

  test("APIs without a rule: skipped, nothing changed", () => {
    const x = requestExchange(ApiKey.Fetch, 12, fetchBy([]));
    expect(handRuleRequest(x)).toBeUndefined();
    expect(x.changed).toBe(0);
  });
});

describe("topicIdGuard", () => {
  test("Fetch v15: a foreign and an unknown id are swapped for fresh fakes, the tenant's id stays", async () => {
    const x = requestExchange(ApiKey.Fetch, 15, fetchBy([OWN_ID, FOREIGN_ID, UNKNOWN_ID].map((topicId) => ({ topic: "", topicId }))));
    await topicIdGuard(x);
    const sent = (x.body.topics as Array<{ topicId: string }>).map((t) => t.topicId);
    expect(sent[0]).toBe(OWN_ID);
    expect(sent.slice(1)).not.toContain(FOREIGN_ID);
    expect(sent.slice(1)).not.toContain(UNKNOWN_ID);
    expect([...x.fakes.values()].sort()).toEqual([FOREIGN_ID, UNKNOWN_ID]);
    expect(x.fakes.get(sent[1]!)).toBe(FOREIGN_ID);
    expect(x.changed).toBe(1);
  });

  test("Metadata v12: an unowned id never reaches the broker; kgate answers it in the response", async () => {
    const x = requestExchange(ApiKey.Metadata, 12, {
      ...defaultMetadataRequest(),
      topics: [{ name: null, topicId: FOREIGN_ID }, { name: null, topicId: OWN_ID }],
    });
    await topicIdGuard(x);
    expect(x.body.topics).toEqual([{ name: null, topicId: OWN_ID }]);
    const response = { topics: [] as Array<{ topicId: string; errorCode: number }> };
    for (const fix of x.rule.responseFixups) fix(response);
    expect(response.topics.map((t) => [t.topicId, t.errorCode])).toEqual([[FOREIGN_ID, ErrorCode.UNKNOWN_TOPIC_ID]]);
  });

  test("only the tenant's ids, or none at all: no change, no lookup", async () => {
    const own = requestExchange(ApiKey.Fetch, 15, fetchBy([{ topic: "", topicId: OWN_ID }]));
    await topicIdGuard(own);
    expect(own.changed).toBe(0);
    expect(own.fakes.size).toBe(0);
    expect(topicIdGuard(requestExchange(ApiKey.Fetch, 12, fetchBy([{ topic: "orders", topicId: FOREIGN_ID }])))).toBeUndefined();
  });
});

describe("fetchSessionTrack", () => {
  test("a Fetch v15 that swapped no id may stream its response; one that swapped must be checked", () => {
    const clean = requestExchange(ApiKey.Fetch, 15, fetchBy([]));
    fetchSessionTrack(clean);
    expect(clean.fetchExchange?.responseNeedsCheck).toBe(false);
    const swapped = requestExchange(ApiKey.Fetch, 15, fetchBy([]));
    swapped.fakes.set("f".repeat(32), FOREIGN_ID);
    fetchSessionTrack(swapped);
    expect(swapped.fetchExchange?.responseNeedsCheck).toBe(true);
    const other = requestExchange(ApiKey.Metadata, 12, defaultMetadataRequest());
    fetchSessionTrack(other);
    expect(other.fetchExchange).toBeUndefined();
  });
});
