// The per-API ACL table: every API a vcluster offers has an entry (fail closed), refused entries
// leave the request and come back with the API's authorization error in a response that
// encodes at every version, and list answers keep only what the principal may DESCRIBE.
import { describe, expect, test } from "bun:test";
import { apiSpec } from "../../src/protocol/registry.ts";
import { respond, versions } from "../support/acl-stage-checks.ts";
import { offeredApiKeys, offeredVersions } from "../../src/vcluster/allowed-apis.ts";
import { AclIndex } from "../../src/model/acl-matcher.ts";
import { type AclBinding, Op, Pattern, Permission, Res } from "../../src/model/acl-model.ts";
import { AclDecisions, aclStage } from "../../src/vcluster/acl/acl-stage.ts";
import { API_ACLS } from "../../src/vcluster/acl/acl-table.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import type { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";

type Obj = Record<string, unknown>;
const tenant = new Tenant("vc-a", "vc-a.");
const KNOWN_ID = "7".repeat(32);
const noIds = { resolve: async () => new Map(), known: (id: string) => (id === KNOWN_ID ? "vc-a.secret" : undefined) } as unknown as TopicIdDirectory;
const bob = { principal: "User:bob", host: "127.0.0.1" };
const allow = (resourceType: number, resourceName: string, operation: number, patternType: number = Pattern.LITERAL): AclBinding => ({
  resourceType,
  resourceName,
  patternType,
  principal: "User:bob",
  host: "*",
  operation,
  permissionType: Permission.ALLOW,
});
const decisions = (acls: AclBinding[], superUsers: string[] = []) => new AclDecisions({ index: new AclIndex(acls), superUsers: new Set(superUsers) }, bob);

async function stage(apiKey: number, apiVersion: number, body: Obj, acls: AclBinding[]) {
  return aclStage(body, { apiKey, apiVersion, correlationId: 1 }, tenant, decisions(acls), noIds);
}

describe("ACL table", () => {
  test("every API offered in a vcluster has an entry (an API without one is refused)", () => {
    const missing = offeredApiKeys().filter((k) => !API_ACLS.has(k) && offeredVersions(k) !== null);
    expect(missing).toEqual([]);
  });

  test("an API missing from the table is refused for everyone but super users", async () => {
    const refused = await aclStage({}, { apiKey: 9999, apiVersion: 0, correlationId: 1 }, tenant, decisions([]), noIds);
    expect(refused).toMatchObject({ kind: "refuse", refusal: { errorCode: 31 } });
    const superUser = await aclStage({}, { apiKey: 9999, apiVersion: 0, correlationId: 1 }, tenant, decisions([], ["User:bob"]), noIds);
    expect(superUser.kind).toBe("pass");
  });

  test("Produce: a topic without WRITE leaves the request and comes back TOPIC_AUTHORIZATION_FAILED per partition, at every version", async () => {
    for (const v of versions(0)) {
      const body: Obj = {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [
          { name: "orders", topicId: "0".repeat(32), partitionData: [{ index: 0, records: null }] },
          { name: "secret", topicId: "0".repeat(32), partitionData: [{ index: 0, records: null }, { index: 3, records: null }] },
        ],
      };
      const r = await stage(0, v, body, [allow(Res.TOPIC, "ord", Op.WRITE, Pattern.PREFIXED)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect((body.topicData as Obj[]).map((t) => t.name)).toEqual(["orders"]);
      const res = respond(0, v, r.fixups);
      const topic = (res.responses as Obj[])[0]!;
      if (v < 13) expect(topic.name).toBe("secret");
      expect((topic.partitionResponses as Obj[]).map((p) => [p.index, p.errorCode])).toEqual([[0, 29], [3, 29]]);
    }
  });

  test("Produce with a transactional id without WRITE on it: every partition TRANSACTIONAL_ID_AUTHORIZATION_FAILED", async () => {
    const body: Obj = {
      transactionalId: "tx",
      acks: -1,
      timeoutMs: 1,
      topicData: [{ name: "orders", topicId: "0".repeat(32), partitionData: [{ index: 0, records: null }] }],
    };
    const r = await stage(0, 9, body, [allow(Res.TOPIC, "orders", Op.WRITE)]);
    if (r.kind !== "pass") throw new Error("refused whole");
    expect((respond(0, 9, r.fixups).responses as Obj[])[0]!.partitionResponses).toMatchObject([{ errorCode: 53 }]);
  });

  test("Fetch: READ per topic, the refused partitions answered at every version", async () => {
    for (const v of versions(1)) {
      const body: Obj = { topics: [{ topic: "secret", topicId: "0".repeat(32), partitions: [{ partition: 1 }] }], forgottenTopicsData: [] };
      const r = await stage(1, v, body, [allow(Res.TOPIC, "orders", Op.READ)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect(body.topics).toEqual([]);
      const parts = (respond(1, v, r.fixups).responses as Obj[])[0]!.partitions as Obj[];
      expect(parts.map((p) => [p.partitionIndex, p.errorCode])).toEqual([[1, 29]]);
    }
  });

  test("Fetch in a session: a topic the session holds whose READ is gone gets an error, not records (by name or by id)", async () => {
    for (const v of [12, 13]) {
      const r = await stage(1, v, { topics: [], forgottenTopicsData: [], sessionId: 5, sessionEpoch: 3 }, [allow(Res.TOPIC, "orders", Op.READ)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      const records = new Uint8Array([1, 2, 3]);
      const part = (i: number) => ({
        ...(apiSpec(1)!.response.create() as unknown as Obj),
        partitionIndex: i,
        errorCode: 0,
        highWatermark: 10n,
        lastStableOffset: 10n,
        logStartOffset: 0n,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records,
      });
      const response = {
        ...(apiSpec(1)!.response.create() as unknown as Obj),
        responses: [
          { topic: v < 13 ? "orders" : "", topicId: v < 13 ? "0".repeat(32) : "1".repeat(32), partitions: [part(0)] },
          { topic: v < 13 ? "secret" : "", topicId: v < 13 ? "0".repeat(32) : KNOWN_ID, partitions: [part(1)] },
        ],
      };
      const out = respond(1, v, r.fixups, response).responses as Obj[];
      const [kept, denied] = out.map((t) => (t.partitions as Obj[])[0]!);
      expect([kept!.errorCode, denied!.errorCode]).toEqual([0, 29]);
      expect((denied!.records as Uint8Array | null)?.length ?? 0).toBe(0);
      expect((kept!.records as Uint8Array).length).toBe(3);
    }
  });

  test("Metadata for all topics lists only DESCRIBE-able ones; named ones are refused with TOPIC_AUTHORIZATION_FAILED", async () => {
    const all = await stage(3, 12, { topics: null, allowAutoTopicCreation: false }, [allow(Res.TOPIC, "orders", Op.WRITE)]);
    if (all.kind !== "pass") throw new Error("refused whole");
    const listed = {
      ...apiSpec(3)!.response.create() as unknown as Obj,
      topics: ["orders", "secret"].map((name) => ({
        ...(apiSpec(3)!.response.create() as unknown as Obj),
        errorCode: 0,
        name,
        topicId: "1".repeat(32),
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: 0,
      })),
    };
    expect((respond(3, 12, all.fixups, listed).topics as Obj[]).map((t) => t.name)).toEqual(["orders"]);
    for (const v of versions(3).filter((x) => x > 0)) {
      const body: Obj = { topics: [{ name: "secret", topicId: "0".repeat(32) }], allowAutoTopicCreation: true };
      const named = await stage(3, v, body, []);
      if (named.kind !== "pass") throw new Error("refused whole");
      expect(body.topics).toEqual([]);
      expect(respond(3, v, named.fixups).topics).toMatchObject([{ name: "secret", errorCode: 29 }]);
    }
  });

  test("group APIs: READ on the group, else GROUP_AUTHORIZATION_FAILED; DescribeGroups per group at every version", async () => {
    expect(await stage(11, 5, { groupId: "g" }, [])).toMatchObject({ kind: "refuse", refusal: { errorCode: 30 } });
    expect((await stage(11, 5, { groupId: "g" }, [allow(Res.GROUP, "g", Op.READ)])).kind).toBe("pass");
    for (const v of versions(15)) {
      const body: Obj = { groups: ["g", "h"], includeAuthorizedOperations: false };
      const r = await stage(15, v, body, [allow(Res.GROUP, "g", Op.DESCRIBE)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect(body.groups).toEqual(["g"]);
      expect(respond(15, v, r.fixups).groups).toMatchObject([{ groupId: "h", errorCode: 30 }]);
    }
  });

  test("OffsetCommit without READ on the group: every partition GROUP_AUTHORIZATION_FAILED", async () => {
    for (const v of versions(8)) {
      const body: Obj = { groupId: "g", topics: [{ name: "orders", topicId: "0".repeat(32), partitions: [{ partitionIndex: 2 }] }] };
      const r = await stage(8, v, body, [allow(Res.TOPIC, "orders", Op.READ)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect((respond(8, v, r.fixups).topics as Obj[])[0]!.partitions as Obj[]).toMatchObject([{ partitionIndex: 2, errorCode: 30 }]);
    }
  });

  test("CreateTopics: CREATE on the cluster or the topic; refused topics answered at every version", async () => {
    const cluster = await stage(19, 7, { topics: [{ name: "x" }] }, [allow(Res.CLUSTER, "kafka-cluster", Op.CREATE)]);
    expect(cluster.kind === "pass" && cluster.fixups.length).toBe(1); // only the DESCRIBE_CONFIGS check
    for (const v of versions(19)) {
      const body: Obj = { topics: [{ name: "x" }, { name: "y" }] };
      const r = await stage(19, v, body, [allow(Res.TOPIC, "x", Op.CREATE)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect((body.topics as Obj[]).map((t) => t.name)).toEqual(["x"]);
      expect(respond(19, v, r.fixups).topics).toMatchObject([{ name: "y", errorCode: 29 }]);
    }
  });

  test("InitProducerId: idempotence needs IDEMPOTENT_WRITE on the cluster or WRITE on any topic; a transactional id WRITE on it", async () => {
    expect(await stage(22, 4, { transactionalId: null }, [])).toMatchObject({ kind: "refuse", refusal: { errorCode: 31 } });
    expect((await stage(22, 4, { transactionalId: null }, [allow(Res.TOPIC, "any", Op.WRITE, Pattern.PREFIXED)])).kind).toBe("pass");
    expect((await stage(22, 4, { transactionalId: null }, [allow(Res.CLUSTER, "kafka-cluster", Op.IDEMPOTENT_WRITE)])).kind).toBe("pass");
    expect(await stage(22, 4, { transactionalId: "tx" }, [allow(Res.TOPIC, "t", Op.WRITE)])).toMatchObject({ refusal: { errorCode: 53 } });
  });

  test("ListGroups and ListTransactions keep only DESCRIBE-able entries (all groups with DESCRIBE on the cluster)", async () => {
    const groups = {
      ...(apiSpec(16)!.response.create() as unknown as Obj),
      groups: [{ groupId: "g", protocolType: "", groupState: "", groupType: "" }, { groupId: "h", protocolType: "", groupState: "", groupType: "" }],
    };
    const r = await stage(16, 4, {}, [allow(Res.GROUP, "g", Op.READ)]);
    if (r.kind !== "pass") throw new Error("refused whole");
    expect((respond(16, 4, r.fixups, groups).groups as Obj[]).map((g) => g.groupId)).toEqual(["g"]);
    const withCluster = await stage(16, 4, {}, [allow(Res.CLUSTER, "kafka-cluster", Op.DESCRIBE)]);
    expect(withCluster.kind === "pass" && withCluster.fixups.length).toBe(0);
  });

  test("every entry says what it checks (the README table)", () => {
    for (const [key, entry] of API_ACLS) expect(entry.checks.length, `api ${key}`).toBeGreaterThan(5);
  });
});
