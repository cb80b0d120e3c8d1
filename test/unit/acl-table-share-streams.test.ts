// The ACL table's share-group (KIP-932) and streams-group (KIP-1071) entries, as the broker's
// KafkaApis checks them: refused entries come back with the authorization error in a response
// that encodes at every offered version.
import { describe, expect, test } from "bun:test";
import { respond, versions } from "../support/acl-stage-checks.ts";
import { AclIndex } from "../../src/model/acl-matcher.ts";
import { type AclBinding, Op, Pattern, Permission, Res } from "../../src/model/acl-model.ts";
import { AclDecisions, aclStage } from "../../src/vcluster/acl/acl-stage.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import type { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";

type Obj = Record<string, unknown>;
const tenant = new Tenant("vc-a", "vc-a.");
const ORDERS_ID = "1".repeat(32);
const SECRET_ID = "2".repeat(32);
const BACKING = new Map([[ORDERS_ID, "vc-a.orders"], [SECRET_ID, "vc-a.secret"]]);
const ids = {
  resolve: async (wanted: Set<string>) => new Map([...wanted].map((id) => [id, BACKING.get(id)])),
  known: (id: string) => BACKING.get(id),
} as unknown as TopicIdDirectory;
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
const stage = (apiKey: number, apiVersion: number, body: Obj, acls: AclBinding[]) =>
  aclStage(body, { apiKey, apiVersion, correlationId: 1 }, tenant, new AclDecisions({ index: new AclIndex(acls), superUsers: new Set() }, bob), ids);

const readGroup = allow(Res.GROUP, "g", Op.READ);

describe("ACL table: share groups", () => {
  test("ShareGroupHeartbeat: READ on the group, DESCRIBE on each subscribed topic", async () => {
    const body = () => ({ groupId: "g", subscribedTopicNames: ["orders", "secret"] });
    expect(await stage(76, 1, body(), [])).toMatchObject({ kind: "refuse", refusal: { errorCode: 30 } });
    expect(await stage(76, 1, body(), [readGroup, allow(Res.TOPIC, "orders", Op.DESCRIBE)]))
      .toMatchObject({ kind: "refuse", refusal: { errorCode: 29, message: expect.stringContaining("secret") } });
    expect((await stage(76, 1, body(), [readGroup, allow(Res.TOPIC, "", Op.DESCRIBE, Pattern.PREFIXED)])).kind).toBe("pass");
  });

  test("ShareFetch and ShareAcknowledge: READ on the group; a topic id without READ is answered TOPIC_AUTHORIZATION_FAILED per partition", async () => {
    for (const apiKey of [78, 79]) {
      expect(await stage(apiKey, versions(apiKey)[0]!, { groupId: null, topics: [] }, [readGroup])).toMatchObject({
        kind: "refuse",
        refusal: { errorCode: 30 },
      });
      for (const v of versions(apiKey)) {
        const body: Obj = {
          groupId: "g",
          topics: [
            { topicId: ORDERS_ID, partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] },
            { topicId: SECRET_ID, partitions: [{ partitionIndex: 4, acknowledgementBatches: [] }] },
          ],
        };
        const r = await stage(apiKey, v, body, [readGroup, allow(Res.TOPIC, "orders", Op.READ)]);
        if (r.kind !== "pass") throw new Error("refused whole");
        expect((body.topics as Obj[]).map((t) => t.topicId)).toEqual([ORDERS_ID]);
        const res = respond(apiKey, v, r.fixups);
        expect(res.responses).toMatchObject([{ topicId: SECRET_ID, partitions: [{ partitionIndex: 4, errorCode: 29 }] }]);
      }
    }
  });

  test("ShareGroupDescribe and StreamsGroupDescribe: DESCRIBE on each group, the refused ones answered at every version", async () => {
    for (const apiKey of [77, 89]) {
      for (const v of versions(apiKey)) {
        const body: Obj = { groupIds: ["g", "h"], includeAuthorizedOperations: false, includeTopologyDescription: false };
        const r = await stage(apiKey, v, body, [allow(Res.GROUP, "g", Op.DESCRIBE)]);
        if (r.kind !== "pass") throw new Error("refused whole");
        expect(body.groupIds).toEqual(["g"]);
        expect(respond(apiKey, v, r.fixups).groups).toMatchObject([{ groupId: "h", errorCode: 30 }]);
      }
    }
  });

  test("DescribeShareGroupOffsets: DESCRIBE on each group and on each topic named; all topics: only the DESCRIBE-able", async () => {
    for (const v of versions(90)) {
      const body: Obj = {
        groups: [
          { groupId: "g", topics: [{ topicName: "orders", partitions: [0] }, { topicName: "secret", partitions: [1, 2] }] },
          { groupId: "h", topics: null },
          { groupId: "x", topics: null },
        ],
      };
      const r = await stage(90, v, body, [allow(Res.GROUP, "g", Op.DESCRIBE), allow(Res.GROUP, "h", Op.DESCRIBE), allow(Res.TOPIC, "orders", Op.DESCRIBE)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect((body.groups as Obj[]).map((g) => g.groupId)).toEqual(["g", "h"]);
      expect(((body.groups as Obj[])[0]!.topics as Obj[]).map((t) => t.topicName)).toEqual(["orders"]);
      const topic = (topicName: string) => ({ topicName, topicId: "0".repeat(32), partitions: [] });
      const res = respond(90, v, r.fixups, {
        throttleTimeMs: 0,
        groups: [
          { groupId: "g", topics: [topic("orders")], errorCode: 0, errorMessage: null },
          { groupId: "h", topics: [topic("orders"), topic("secret")], errorCode: 0, errorMessage: null },
        ],
      });
      const groups = res.groups as Obj[];
      expect((groups[0]!.topics as Obj[]).map((t) => t.topicName)).toEqual(["orders", "secret"]);
      expect((groups[0]!.topics as Obj[])[1]).toMatchObject({ partitions: [{ partitionIndex: 1, errorCode: 29 }, { partitionIndex: 2, errorCode: 29 }] });
      expect((groups[1]!.topics as Obj[]).map((t) => t.topicName)).toEqual(["orders"]);
      expect(groups[2]).toMatchObject({ groupId: "x", errorCode: 30 });
    }
  });

  test("AlterShareGroupOffsets: READ on the group and on each topic; DeleteShareGroupOffsets: DELETE on the group, READ on each topic", async () => {
    for (const v of versions(91)) {
      const body: Obj = {
        groupId: "g",
        topics: [{ topicName: "orders", partitions: [{ partitionIndex: 0, startOffset: 0n }] }, {
          topicName: "secret",
          partitions: [{ partitionIndex: 3, startOffset: 0n }],
        }],
      };
      expect(await stage(91, v, { ...body }, [allow(Res.GROUP, "g", Op.DESCRIBE)])).toMatchObject({ kind: "refuse", refusal: { errorCode: 30 } });
      const r = await stage(91, v, body, [readGroup, allow(Res.TOPIC, "orders", Op.READ)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect((body.topics as Obj[]).map((t) => t.topicName)).toEqual(["orders"]);
      expect(respond(91, v, r.fixups).responses).toMatchObject([{ topicName: "secret", partitions: [{ partitionIndex: 3, errorCode: 29 }] }]);
    }
    for (const v of versions(92)) {
      const body: Obj = { groupId: "g", topics: [{ topicName: "orders" }, { topicName: "secret" }] };
      expect(await stage(92, v, { ...body }, [readGroup])).toMatchObject({ kind: "refuse", refusal: { errorCode: 30 } });
      const r = await stage(92, v, body, [allow(Res.GROUP, "g", Op.DELETE), allow(Res.TOPIC, "orders", Op.READ)]);
      if (r.kind !== "pass") throw new Error("refused whole");
      expect((body.topics as Obj[]).map((t) => t.topicName)).toEqual(["orders"]);
      expect(respond(92, v, r.fixups).responses).toMatchObject([{ topicName: "secret", errorCode: 29 }]);
    }
  });
});

describe("ACL table: streams groups", () => {
  const topology = () => ({
    epoch: 1,
    subtopologies: [{
      subtopologyId: "0",
      sourceTopics: ["input"],
      sourceTopicRegex: [],
      repartitionSinkTopics: [],
      stateChangelogTopics: [{ name: "app-store-changelog", partitions: 0, replicationFactor: 0, topicConfigs: [] }],
      repartitionSourceTopics: [],
      copartitionGroups: [],
    }],
  });
  const describeAll = allow(Res.TOPIC, "", Op.DESCRIBE, Pattern.PREFIXED);

  test("StreamsGroupHeartbeat: READ on the group; DESCRIBE on every topic of the topology", async () => {
    expect(await stage(88, 0, { groupId: "g", topology: null }, [])).toMatchObject({ kind: "refuse", refusal: { errorCode: 30 } });
    expect((await stage(88, 0, { groupId: "g", topology: null }, [readGroup])).kind).toBe("pass");
    expect(
      await stage(88, 0, { groupId: "g", topology: topology() }, [
        readGroup,
        allow(Res.TOPIC, "input", Op.DESCRIBE),
        allow(Res.TOPIC, "", Op.CREATE, Pattern.PREFIXED),
      ]),
    )
      .toMatchObject({ kind: "refuse", refusal: { errorCode: 29, message: expect.stringContaining("app-store-changelog") } });
  });

  test("StreamsGroupHeartbeat: internal topics need CREATE on the cluster or on the topic (the broker would create them as kgate)", async () => {
    expect(await stage(88, 0, { groupId: "g", topology: topology() }, [readGroup, describeAll]))
      .toMatchObject({ kind: "refuse", refusal: { errorCode: 29, message: expect.stringContaining("CREATE") } });
    expect((await stage(88, 0, { groupId: "g", topology: topology() }, [readGroup, describeAll, allow(Res.TOPIC, "app-", Op.CREATE, Pattern.PREFIXED)])).kind)
      .toBe("pass");
    expect((await stage(88, 0, { groupId: "g", topology: topology() }, [readGroup, describeAll, allow(Res.CLUSTER, "kafka-cluster", Op.CREATE)])).kind).toBe(
      "pass",
    );
  });

  test("StreamsGroupTopologyDescriptionUpdate: READ on the group", async () => {
    expect(await stage(93, 0, { groupId: "g" }, [allow(Res.GROUP, "g", Op.DESCRIBE)])).toMatchObject({ kind: "refuse", refusal: { errorCode: 30 } });
    expect((await stage(93, 0, { groupId: "g" }, [readGroup])).kind).toBe("pass");
  });
});

describe("ACL table: group descriptions hide groups using topics the principal may not DESCRIBE (Kafka 4.x)", () => {
  const topicAllowed = allow(Res.TOPIC, "orders", Op.DESCRIBE);
  const describeGroups = allow(Res.GROUP, "", Op.DESCRIBE, Pattern.PREFIXED);

  test("ConsumerGroupDescribe and ShareGroupDescribe: by the members' assigned topics", async () => {
    const consumer = await import("../../src/protocol/messages/consumer-group-describe-response.ts");
    const share = await import("../../src/protocol/messages/share-group-describe-response.ts");
    const assignment = (topicName: string) => ({ topicPartitions: [{ topicId: ORDERS_ID, topicName, partitions: [0] }] });
    const cases = [
      {
        apiKey: 69,
        group: consumer.defaultDescribedGroup,
        member: (t: string) => ({ ...consumer.defaultMember(), assignment: assignment("orders"), targetAssignment: assignment(t) }),
      },
      { apiKey: 77, group: share.defaultDescribedGroup, member: (t: string) => ({ ...share.defaultMember(), assignment: assignment(t) }) },
    ];
    for (const { apiKey, group, member } of cases) {
      for (const v of versions(apiKey)) {
        const r = await stage(apiKey, v, { groupIds: ["g", "h"], includeAuthorizedOperations: false }, [describeGroups, topicAllowed]);
        if (r.kind !== "pass") throw new Error("refused whole");
        const res = respond(apiKey, v, r.fixups, {
          throttleTimeMs: 0,
          groups: [
            { ...group(), groupId: "g", groupState: "Stable", members: [member("orders")] },
            { ...group(), groupId: "h", groupState: "Stable", members: [member("secret")] },
          ],
        });
        const groups = res.groups as Obj[];
        expect(groups[0]).toMatchObject({ groupId: "g", errorCode: 0, members: [{}] });
        expect(groups[1]).toMatchObject({ groupId: "h", errorCode: 29, members: [] });
      }
    }
  });

  test("StreamsGroupDescribe: by the topology's topics", async () => {
    const streams = await import("../../src/protocol/messages/streams-group-describe-response.ts");
    const topology = (changelog: string) => ({
      epoch: 0,
      subtopologies: [{
        subtopologyId: "0",
        sourceTopics: ["orders"],
        repartitionSinkTopics: [],
        repartitionSourceTopics: [],
        stateChangelogTopics: [{ name: changelog, partitions: 1, replicationFactor: 1, topicConfigs: [] }],
      }],
    });
    for (const v of versions(89)) {
      const r = await stage(89, v, { groupIds: ["g", "h"], includeAuthorizedOperations: false, includeTopologyDescription: false }, [
        describeGroups,
        topicAllowed,
        allow(Res.TOPIC, "g-", Op.DESCRIBE, Pattern.PREFIXED),
      ]);
      if (r.kind !== "pass") throw new Error("refused whole");
      const res = respond(89, v, r.fixups, {
        throttleTimeMs: 0,
        groups: [
          { ...streams.defaultDescribedGroup(), groupId: "g", groupState: "Stable", topology: topology("g-store-changelog") },
          { ...streams.defaultDescribedGroup(), groupId: "h", groupState: "Stable", topology: topology("secret") },
        ],
      });
      const groups = res.groups as Obj[];
      expect(groups[0]).toMatchObject({ groupId: "g", errorCode: 0, topology: { epoch: 0 } });
      expect(groups[1]).toMatchObject({ groupId: "h", errorCode: 29, topology: null });
    }
  });
});
