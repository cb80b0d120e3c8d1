// The response stages one by one, on decoded broker responses: what the tenant reads back.
import { describe, expect, test } from "bun:test";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultFetchResponse, defaultPartitionData } from "../../../../src/protocol/messages/fetch-response.ts";
import { defaultMetadataResponse, defaultMetadataResponseTopic } from "../../../../src/protocol/messages/metadata-response.ts";
import { defaultDescribeLogDirsResponse, defaultDescribeLogDirsResult } from "../../../../src/protocol/messages/describe-log-dirs-response.ts";
import { WITHHELD_MESSAGE } from "../../../../src/vcluster/backing-leaks.ts";
import { brokerAddresses } from "../../../../src/vcluster/stages/broker-addresses.ts";
import { dropForeignIds } from "../../../../src/vcluster/stages/drop-foreign-ids.ts";
import { dropForeignNames, keepName } from "../../../../src/vcluster/stages/drop-foreign.ts";
import { handRuleResponse } from "../../../../src/vcluster/stages/hand-rule.ts";
import { learnTopicIds } from "../../../../src/vcluster/stages/learn-topic-ids.ts";
import { responseFixups } from "../../../../src/vcluster/stages/response-fixups.ts";
import { restoreTopicIds } from "../../../../src/vcluster/stages/restore-topic-ids.ts";
import { scrubLeaks } from "../../../../src/vcluster/stages/scrub-leaks.ts";
import { stripNames } from "../../../../src/vcluster/stages/strip-names.ts";
import { FOREIGN_ID, OWN_ID, responseExchange, stageDeps, tenant, UNKNOWN_ID } from "../../../support/stage-exchange.ts";

type Named = { name: string | null; topicId: string };
const metadata = (topics: Named[]) => ({
  ...defaultMetadataResponse(),
  brokers: [{ nodeId: 0, host: "10.0.0.1", port: 9092, rack: null }],
  topics: topics.map((t) => ({ ...defaultMetadataResponseTopic(), ...t })),
});
const fetchById = (ids: string[]) => ({
  ...defaultFetchResponse(),
  responses: ids.map((topicId) => ({ topic: "", topicId, partitions: [defaultPartitionData()] })),
});
const topicsOf = (body: unknown) => (body as { topics: Named[] }).topics.map((t) => t.name);

describe("learnTopicIds", () => {
  test("Metadata v12: every id-name pair is learned under the backing name", () => {
    const deps = stageDeps();
    const newId = "d".repeat(32);
    learnTopicIds(responseExchange(ApiKey.Metadata, 12, metadata([{ name: "vc-a.new", topicId: newId }]), { deps }));
    expect(deps.topicIds.known(newId)).toBe("vc-a.new");
  });

  test("Fetch v15 pairs no id with a name: nothing learned", () => {
    const deps = stageDeps();
    learnTopicIds(responseExchange(ApiKey.Fetch, 15, fetchById(["d".repeat(32)]), { deps }));
    expect(deps.topicIds.known("d".repeat(32))).toBeUndefined();
  });
});

describe("restoreTopicIds", () => {
  test("a fake id goes back to the id the tenant sent", () => {
    const fake = "f".repeat(32);
    const x = responseExchange(ApiKey.Fetch, 15, fetchById([fake, OWN_ID]), { fakes: new Map([[fake, UNKNOWN_ID]]) });
    restoreTopicIds(x);
    expect((x.body.responses as Array<{ topicId: string }>).map((r) => r.topicId)).toEqual([UNKNOWN_ID, OWN_ID]);
    expect(x.changed).toBe(1);
  });
});

describe("handRuleResponse", () => {
  test("FindCoordinator: the key loses the prefix; a foreign key becomes empty", () => {
    const coordinators = [{ key: "vc-a.g1", nodeId: 1, host: "h", port: 1, errorCode: 0, errorMessage: null }, {
      key: "vc-b.g2",
      nodeId: 1,
      host: "h",
      port: 1,
      errorCode: 0,
      errorMessage: null,
    }];
    const x = responseExchange(ApiKey.FindCoordinator, 4, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: "", port: 0, coordinators });
    handRuleResponse(x);
    expect((x.body.coordinators as Array<{ key: string }>).map((c) => c.key)).toEqual(["g1", ""]);
    expect(x.changed).toBe(1);
  });
});

describe("dropForeignNames", () => {
  test("another tenant's topic leaves; an entry without a name (asked for by id) stays", () => {
    const x = responseExchange(
      ApiKey.Metadata,
      12,
      metadata([{ name: "vc-a.orders", topicId: OWN_ID }, { name: "vc-b.secret", topicId: FOREIGN_ID }, { name: "", topicId: UNKNOWN_ID }]),
    );
    dropForeignNames(x);
    expect(topicsOf(x.body)).toEqual(["vc-a.orders", ""]);
    expect(x.changed).toBe(1);
  });

  test("keepName: the empty name is kept only for topics", () => {
    expect(keepName(tenant, "topicName", "")).toBe(true);
    expect(keepName(tenant, "groupId", "")).toBe(false);
    expect(keepName(tenant, "groupId", "vc-a.g")).toBe(true);
  });

  test("ListGroups: groups of others leave", () => {
    const groups = ["vc-a.g1", "vc-b.g2"].map((groupId) => ({ groupId, protocolType: "consumer", groupState: "Stable", groupType: "classic" }));
    const x = responseExchange(ApiKey.ListGroups, 5, { throttleTimeMs: 0, errorCode: 0, groups });
    dropForeignNames(x);
    expect((x.body.groups as Array<{ groupId: string }>).map((g) => g.groupId)).toEqual(["vc-a.g1"]);
  });
});

describe("dropForeignIds", () => {
  test("Fetch v15: a partition of another tenant's topic id leaves, a restored fake stays", async () => {
    const x = responseExchange(ApiKey.Fetch, 15, fetchById([OWN_ID, FOREIGN_ID, UNKNOWN_ID]), { fakes: new Map([["f".repeat(32), UNKNOWN_ID]]) });
    await dropForeignIds(x);
    expect((x.body.responses as Array<{ topicId: string }>).map((r) => r.topicId)).toEqual([OWN_ID, UNKNOWN_ID]);
    expect(x.changed).toBe(1);
  });

  test("a version without topic ids is skipped", () => {
    const x = responseExchange(ApiKey.Metadata, 9, metadata([{ name: "vc-b.secret", topicId: FOREIGN_ID }]));
    expect(dropForeignIds(x)).toBeUndefined();
    expect(x.changed).toBe(0);
  });
});

describe("stripNames", () => {
  test("the prefix comes off; a foreign name left over becomes empty", () => {
    const x = responseExchange(ApiKey.Metadata, 12, metadata([{ name: "vc-a.orders", topicId: OWN_ID }, { name: "vc-b.secret", topicId: FOREIGN_ID }]));
    stripNames(x);
    expect(topicsOf(x.body)).toEqual(["orders", ""]);
    expect(x.changed).toBe(2);
  });
});

describe("scrubLeaks", () => {
  test("a message naming another tenant is withheld; log dirs are neutral", () => {
    const x = responseExchange(ApiKey.DescribeLogDirs, 4, {
      ...defaultDescribeLogDirsResponse(),
      results: [{ ...defaultDescribeLogDirsResult(), logDir: "/var/lib/kafka", totalBytes: 100n, usableBytes: 50n }],
    });
    scrubLeaks(x);
    const r = (x.body.results as Array<{ logDir: string; totalBytes: bigint }>)[0]!;
    expect([r.logDir, r.totalBytes]).toEqual(["log-dir-0", -1n]);
    const partition = {
      index: 0,
      errorCode: 0,
      baseOffset: 0n,
      logAppendTimeMs: -1n,
      logStartOffset: 0n,
      recordErrors: [],
      errorMessage: "topic vc-b.secret is busy",
    };
    const y = responseExchange(ApiKey.Produce, 9, {
      throttleTimeMs: 0,
      responses: [{ name: "vc-a.orders", topicId: "0".repeat(32), partitionResponses: [partition] }],
    });
    scrubLeaks(y);
    expect(partition.errorMessage).toBe(WITHHELD_MESSAGE);
    expect(y.changed).toBe(1);
  });

  test("a response the specs give no message field is not walked (the plan skips it)", () => {
    const x = responseExchange(ApiKey.Metadata, 12, { ...metadata([]), errorMessage: "vc-b.secret" } as never);
    scrubLeaks(x);
    expect(x.changed).toBe(0);
  });
});

describe("brokerAddresses", () => {
  test("Metadata: the broker's address becomes kgate's port for it", async () => {
    const x = responseExchange(ApiKey.Metadata, 12, metadata([]));
    await brokerAddresses(x);
    expect((x.body.brokers as Array<{ host: string; port: number }>)[0]).toMatchObject({ host: "127.0.0.1", port: 7000 });
    expect(x.changed).toBe(1);
  });

  test("Fetch v15 has no broker endpoints: skipped", () => {
    expect(brokerAddresses(responseExchange(ApiKey.Fetch, 15, fetchById([OWN_ID])))).toBeUndefined();
  });
});

describe("responseFixups", () => {
  test("each fix-up runs on the finished body and counts as a change", () => {
    const x = responseExchange(ApiKey.Metadata, 12, metadata([]), {
      fixups: [(r) => (r.topics as Named[]).push({ name: null, topicId: FOREIGN_ID })],
    });
    responseFixups(x);
    expect(topicsOf(x.body)).toEqual([null]);
    expect(x.changed).toBe(1);
  });
});
