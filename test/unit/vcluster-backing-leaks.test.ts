// Backing details taken out of responses: error messages (Produce included), log-dir paths and
// volume sizes, broker-level config sources and synonyms.
import { describe, expect, test } from "bun:test";
import { backingLeak, scrubBackingLeaks, scrubMessage, WITHHELD_MESSAGE } from "../../src/vcluster/backing-leaks.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";

type Obj = Record<string, unknown>;
const tenant = new Tenant("vc-alice", "vc-alice.", () => ["vc-bob.", "team-c_"]);
const PRODUCE = 0;
const CREATE_TOPICS = 19;
const DESCRIBE_CONFIGS = 32;
const DESCRIBE_LOG_DIRS = 35;

describe("backing error messages", () => {
  test("the tenant's prefix comes out; the rest of an ordinary message stays", () => {
    expect(scrubMessage("Topic 'vc-alice.orders' already exists.", tenant)).toBe("Topic 'orders' already exists.");
    expect(scrubMessage("Compacted topic cannot accept message without key in topic partition vc-alice.logs-0", tenant))
      .toBe("Compacted topic cannot accept message without key in topic partition logs-0");
    expect(scrubMessage("Invalid value 1/2 for configuration retention.ms: Not a number of type LONG", tenant)).toContain("1/2");
    expect(scrubMessage("", tenant)).toBe("");
  });

  test("a message naming anything outside the tenant's cluster is withheld whole", () => {
    const leaks: Array<[string, string]> = [
      ["Topic 'vc-alice.x' collides with existing topic: vc-alice_x", "collides"],
      ["Topic 'vc-alice.x' collides with existing topic: vc-bob.x", "another virtual cluster"],
      ["The group team-c_g is rebalancing", "another virtual cluster"],
      ["Error while writing to __consumer_offsets-12", "internal topic"],
      ["Error in _kgate_state", "internal topic"],
      ["Log directory /var/lib/kafka/data-0 is offline", "file path"],
      ["Cannot write to 'C:\\kafka\\logs'", "file path"],
      ["Connection to node 1 (10.1.2.3) could not be established", "network address"],
      ["Connection to broker-7.internal:9092 failed", "network address"],
      ["Listener at [::1]:9093 refused", "network address"],
    ];
    for (const [message, why] of leaks) {
      expect([message, backingLeak(message, tenant)]).toEqual([message, expect.stringContaining(why.split(" ")[0]!)]);
      expect(scrubMessage(message, tenant)).toBe(WITHHELD_MESSAGE);
    }
  });

  test("the checks stay linear on long messages that echo tenant input", () => {
    const long = `Invalid value ${"a1.".repeat(200_000)}: for configuration x`;
    const start = performance.now();
    expect(scrubMessage(long, tenant)).toBe(long);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  test("Produce: partition and record-error messages are scrubbed too", () => {
    const body: Obj = {
      responses: [{
        name: "orders",
        partitionResponses: [{
          errorCode: 87,
          errorMessage: "rejected: [RecordError(batchIndex=0, message='no key in vc-alice.orders-0')]",
          recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: "no key in vc-alice.orders-0" }, { batchIndex: 1, batchIndexErrorMessage: null }],
        }],
      }],
    };
    expect(scrubBackingLeaks(PRODUCE, body, tenant)).toBe(2);
    const p = ((body.responses as Obj[])[0]!.partitionResponses as Obj[])[0]!;
    expect(p.errorMessage).toBe("rejected: [RecordError(batchIndex=0, message='no key in orders-0')]");
    expect((p.recordErrors as Obj[]).map((e) => e.batchIndexErrorMessage)).toEqual(["no key in orders-0", null]);
  });

  test("a response without messages counts as unchanged", () => {
    const body: Obj = { responses: [{ partitionResponses: [{ errorCode: 0, errorMessage: null, recordErrors: [] }] }] };
    expect(scrubBackingLeaks(PRODUCE, body, tenant)).toBe(0);
  });
});

describe("log dirs and configs", () => {
  test("DescribeLogDirs: neutral names, unknown volume sizes, topics kept", () => {
    const body: Obj = {
      errorCode: 0,
      results: [
        { errorCode: 0, logDir: "/data/kafka-0", topics: [{ name: "orders", partitions: [] }], totalBytes: 270553174016n, usableBytes: 85159596032n },
        { errorCode: 0, logDir: "/data/kafka-1", topics: [], totalBytes: 1n, usableBytes: 1n },
      ],
    };
    expect(scrubBackingLeaks(DESCRIBE_LOG_DIRS, body, tenant)).toBe(2);
    expect((body.results as Obj[]).map((r) => [r.logDir, r.totalBytes, r.usableBytes])).toEqual([["log-dir-0", -1n, -1n], ["log-dir-1", -1n, -1n]]);
    expect(((body.results as Obj[])[0]!.topics as Obj[])[0]!.name).toBe("orders");
  });

  test("DescribeConfigs: broker-level sources read as DEFAULT_CONFIG, broker-level synonyms go", () => {
    const body: Obj = {
      results: [{
        errorCode: 0,
        errorMessage: "",
        resourceType: 2,
        resourceName: "orders",
        configs: [
          {
            name: "segment.bytes",
            value: "67108864",
            configSource: 4,
            synonyms: [{ name: "log.segment.bytes", value: "67108864", source: 4 }, { name: "log.segment.bytes", value: "1073741824", source: 5 }],
          },
          { name: "min.insync.replicas", value: "1", configSource: 3, synonyms: [{ name: "min.insync.replicas", value: "1", source: 3 }] },
          {
            name: "cleanup.policy",
            value: "compact",
            configSource: 1,
            synonyms: [{ name: "cleanup.policy", value: "compact", source: 1 }, { name: "log.cleanup.policy", value: "delete", source: 5 }],
          },
          { name: "retention.ms", value: "604800000", configSource: 5, synonyms: [] },
        ],
      }],
    };
    expect(scrubBackingLeaks(DESCRIBE_CONFIGS, body, tenant)).toBeGreaterThan(0);
    const configs = (body.results as Obj[])[0]!.configs as Obj[];
    expect(configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
      ["segment.bytes", "67108864", 5],
      ["min.insync.replicas", "1", 5],
      ["cleanup.policy", "compact", 1],
      ["retention.ms", "604800000", 5],
    ]);
    expect(configs.map((c) => (c.synonyms as Obj[]).map((s) => s.source))).toEqual([[], [], [1], []]);
  });

  test("CreateTopics: the new topic's config sources say nothing of broker settings", () => {
    const body: Obj = {
      topics: [{
        name: "orders",
        errorCode: 0,
        errorMessage: null,
        configs: [{ name: "segment.bytes", value: "1", configSource: 4 }, { name: "x", value: "y", configSource: 1 }],
      }],
    };
    expect(scrubBackingLeaks(CREATE_TOPICS, body, tenant)).toBe(1);
    expect(((body.topics as Obj[])[0]!.configs as Obj[]).map((c) => c.configSource)).toEqual([5, 1]);
  });
});
