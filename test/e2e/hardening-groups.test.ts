// Classic consumer groups inside a virtual cluster: the member metadata of protocol type
// "consumer" (subscribed topics, owned partitions, assigned partitions) is Kafka's consumer
// protocol, which the broker decodes — to assign partitions to classic members of a KIP-848
// group and to convert a group between the two protocols. kgate must rewrite the names in it
// like any other: the broker sees the tenant's backing names, and a tenant cannot name another
// tenant's topic there.
//
// (1) kafkajs and kcat groups consume, and the broker holds their subscriptions with backing names;
// (2) a crafted JoinGroup subscription naming another tenant's backing topic gets none of it;
// (3) online migration: a classic Java consumer, then a KIP-848 one, in the same group, and back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import { runtime } from "../../src/runtime/index.ts";
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from "../../src/vcluster/consumer-protocol-codec.ts";
import { kafkaBootstrap, REPO_ROOT } from "../support/kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate, waitForLog, writeProperties } from "../support/kgate-process.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;

const API = { JoinGroup: 11, Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ConsumerGroupHeartbeat: 68, ConsumerGroupDescribe: 69 } as const;
const MEMBER_ID_REQUIRED = 79;
const REBALANCE_IN_PROGRESS = 27;
const GROUP_ID_NOT_FOUND = 69;
const INCONSISTENT_GROUP_PROTOCOL = 23;

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Tenant {
  name: string;
  prefix: string;
  token: string;
  kafka: Kafka;
  propertiesFile: string;
}

/** A Java CLI consumer left running; its printed records are collected. */
interface CliConsumer {
  child: ChildProcess;
  lines(): string[];
  stop(): Promise<void>;
}

function startConsole(k: KgateProcess, t: Tenant, args: string[]): CliConsumer {
  const child = spawn("bash", [
    join(REPO_ROOT, "scripts", "kafka.sh"),
    "cli",
    "kafka-console-consumer",
    "--bootstrap-server",
    k.bootstrap,
    "--command-config",
    t.propertiesFile,
    ...args,
  ], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", () => {});
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    child,
    lines: () => out.split("\n").filter(Boolean),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function groupsSuite(kgateRuntime: KgateRuntime): void {
  const run = Math.random().toString(36).slice(2, 8);
  let kgate: KgateProcess;
  let backing: KafkaConnection;
  let alice: Tenant;
  let bob: Tenant;
  const consoles: CliConsumer[] = [];

  async function tenant(user: string): Promise<Tenant> {
    const name = `vc-${user}-${run}`;
    await adminCall(kgate, "PUT", `/v1/vclusters/${name}`);
    const issued = await adminCall<{ token: string; clientProperties: string }>(kgate, "POST", `/v1/vclusters/${name}/tokens`, { username: user });
    const kafka = new Kafka({
      clientId: `groups-${user}`,
      brokers: [kgate.bootstrap],
      sasl: { mechanism: "plain", username: user, password: issued.token },
      logLevel: logLevel.NOTHING,
    });
    return { name, prefix: `${name}.`, token: issued.token, kafka, propertiesFile: writeProperties(kgate, `${name}.properties`, issued.clientProperties) };
  }

  async function createTopic(t: Tenant, topic: string, partitions: number, values: string[] = []): Promise<void> {
    const admin = t.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();
    if (values.length === 0) return;
    await produce(t, topic, values);
  }

  async function produce(t: Tenant, topic: string, values: string[]): Promise<void> {
    const producer = t.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
    await producer.disconnect();
  }

  function connectAs(t: Tenant, user: string): Promise<KafkaConnection> {
    return KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
      sasl: { mechanism: "PLAIN", username: user, password: t.token },
      clientId: `groups-raw-${user}`,
    });
  }

  /** The broker's own view of a group (straight from the backing cluster, not through kgate). */
  async function backingGroup(groupId: string): Promise<Msg> {
    const res: Msg = await backing.request(API.DescribeGroups, 5, { groups: [groupId], includeAuthorizedOperations: false });
    return res.groups[0];
  }

  async function backingConsumerGroup(groupId: string): Promise<Msg> {
    const res: Msg = await backing.request(API.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false });
    return res.groups[0];
  }

  beforeAll(async () => {
    const bootstrap = await kafkaBootstrap();
    // (startKgate takes another port block when other test files hold one of its ports)
    kgate = await startKgate({ runtime: kgateRuntime, backing: bootstrap });
    backing = await KafkaConnection.open(runtime, [parseHostPort(bootstrap)], { clientId: "groups-backing" });
    alice = await tenant("alice");
    bob = await tenant("bob");
    await createTopic(bob, "secret", 2, ["bob-secret-0", "bob-secret-1"]);
  });

  afterAll(async () => {
    for (const c of consoles) await c.stop();
    backing?.close();
    await kgate?.stop();
  });

  test("(1) a kafkajs consumer group consumes; the broker holds its subscription and assignment with backing names", async () => {
    const values = Array.from({ length: 6 }, (_, i) => `kjs-${i}`);
    await createTopic(alice, "orders", 2, values);
    const consumer = alice.kafka.consumer({ groupId: "kjs-group", sessionTimeout: 10_000, heartbeatInterval: 500 });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: "orders", fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          seen.push(message.value!.toString());
          return Promise.resolve();
        },
      });
      await waitFor("6 records", 30_000, () => (seen.length >= values.length ? true : undefined));
      expect(seen.sort()).toEqual(values);

      const group = await backingGroup(`${alice.prefix}kjs-group`);
      expect(group.groupState).toBe("Stable");
      expect(group.protocolType).toBe("consumer");
      expect(group.members.length).toBe(1);
      const [member] = group.members;
      expect(decodeSubscription(member.memberMetadata).body.topics).toEqual([`${alice.prefix}orders`]);
      const assigned = decodeAssignment(member.memberAssignment).body.assignedPartitions;
      expect(assigned.map((p) => [p.topic, [...p.partitions].sort()])).toEqual([[`${alice.prefix}orders`, [0, 1]]]);

      // alice's own DescribeGroups shows her names again
      const raw = await connectAs(alice, "alice");
      try {
        const described: Msg = await raw.request(API.DescribeGroups, 5, { groups: ["kjs-group"], includeAuthorizedOperations: false });
        const m = described.groups[0].members[0];
        expect(decodeSubscription(m.memberMetadata).body.topics).toEqual(["orders"]);
        expect(decodeAssignment(m.memberAssignment).body.assignedPartitions.map((p) => p.topic)).toEqual(["orders"]);
      } finally {
        raw.close();
      }
    } finally {
      await consumer.disconnect();
    }
  }, 60_000);

  test("(1b) a kcat (librdkafka) consumer group consumes; the broker holds its subscription and assignment with backing names", async () => {
    const values = ["rd-0", "rd-1", "rd-2", "rd-3"];
    await createTopic(alice, "rd-orders", 2, values);
    const kcat = spawn("kcat", [
      "-b",
      kgate.bootstrap,
      "-X",
      "security.protocol=SASL_PLAINTEXT",
      "-X",
      "sasl.mechanism=PLAIN",
      "-X",
      "sasl.username=alice",
      "-X",
      `sasl.password=${alice.token}`,
      "-G",
      "rd-group",
      "-o",
      "beginning",
      "-q",
      "-u",
      "rd-orders",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    kcat.stdout!.on("data", (d) => (out += d));
    kcat.stderr!.on("data", () => {});
    try {
      await waitFor("kcat's records", 30_000, () => (out.split("\n").filter(Boolean).length >= values.length ? true : undefined));
      expect(out.split("\n").filter(Boolean).sort()).toEqual(values);
      const group = await waitFor("a stable group", 10_000, async () => {
        const g = await backingGroup(`${alice.prefix}rd-group`);
        return g.groupState === "Stable" && g.members.length === 1 ? g : undefined;
      });
      const [member] = group.members;
      expect(decodeSubscription(member.memberMetadata).body.topics).toEqual([`${alice.prefix}rd-orders`]);
      const assigned = decodeAssignment(member.memberAssignment).body.assignedPartitions;
      expect(assigned.map((p) => [p.topic, [...p.partitions].sort()])).toEqual([[`${alice.prefix}rd-orders`, [0, 1]]]);
    } finally {
      kcat.kill("SIGTERM");
    }
  }, 60_000);

  test("(2) a JoinGroup subscription naming another tenant's backing topic gets none of its partitions", async () => {
    await createTopic(alice, "mixed-topic", 2);
    const bobTopicId = (await backingTopicIds([`${bob.prefix}secret`])).get(`${bob.prefix}secret`);
    expect(bobTopicId).toBeDefined();
    const raw = await connectAs(alice, "alice");
    // The KIP-848 member acknowledges every assignment at once (owns what it was last given),
    // so partitions move to the classic member without waiting for a rebalance timeout.
    const cg: { memberId: string; memberEpoch: number; owned: Msg[] } = { memberId: crypto.randomUUID(), memberEpoch: 0, owned: [] };
    const cgHeartbeat = async (subscribed: string[] | null): Promise<void> => {
      const hb: Msg = await raw.request(API.ConsumerGroupHeartbeat, 1, {
        groupId: "mixed",
        memberId: cg.memberId,
        memberEpoch: cg.memberEpoch,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: subscribed ? 30_000 : -1,
        subscribedTopicNames: subscribed,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: cg.owned,
      });
      expect(hb.errorCode).toBe(0);
      cg.memberEpoch = hb.memberEpoch;
      if (hb.assignment) cg.owned = hb.assignment.topicPartitions;
    };
    try {
      // A KIP-848 member makes "mixed" a consumer group: the broker assigns classic members too.
      await cgHeartbeat(["mixed-topic"]);

      // The attacker's classic member subscribes to its own topic and to bob's by its backing name.
      const crafted = encodeSubscription({
        version: 3,
        body: { topics: ["mixed-topic", `${bob.prefix}secret`], userData: null, ownedPartitions: [], generationId: -1, rackId: null },
      });
      const join = (memberId: string): Promise<Msg> =>
        raw.request(API.JoinGroup, 9, {
          groupId: "mixed",
          sessionTimeoutMs: 30_000,
          rebalanceTimeoutMs: 30_000,
          memberId,
          groupInstanceId: null,
          protocolType: "consumer",
          protocols: [{ name: "range", metadata: crafted }],
          reason: null,
        });
      const first = await join("");
      expect(first.errorCode).toBe(MEMBER_ID_REQUIRED);
      const member = { memberId: first.memberId as string, generationId: -1 };
      const joinAndSync = async (): Promise<Msg[]> => {
        const joined = await join(member.memberId);
        expect(joined.errorCode).toBe(0);
        member.generationId = joined.generationId;
        const synced: Msg = await raw.request(API.SyncGroup, 5, {
          groupId: "mixed",
          generationId: joined.generationId,
          memberId: member.memberId,
          groupInstanceId: null,
          protocolType: "consumer",
          protocolName: joined.protocolName,
          assignments: [],
        });
        expect(synced.errorCode).toBe(0);
        return synced.assignment.length === 0 ? [] : decodeAssignment(synced.assignment).body.assignedPartitions;
      };
      // The broker computes target assignments a moment later and asks a classic member to
      // rejoin (REBALANCE_IN_PROGRESS on its heartbeat) to hand it its partitions.
      let assigned = await joinAndSync();
      assigned = await waitFor("a broker-computed assignment for the classic member", 30_000, async () => {
        if (assigned.some((p) => p.partitions.length > 0)) return assigned;
        await cgHeartbeat(null);
        const hb: Msg = await raw.request(API.Heartbeat, 4, {
          groupId: "mixed",
          generationId: member.generationId,
          memberId: member.memberId,
          groupInstanceId: null,
        });
        if (hb.errorCode === REBALANCE_IN_PROGRESS) assigned = await joinAndSync();
        return undefined;
      });
      console.log(`[${kgateRuntime}] attacker's assignment: ${JSON.stringify(assigned)}`);
      expect(assigned.map((p) => p.topic)).toEqual(["mixed-topic"]);

      // The broker's view: the classic member's subscription stayed inside alice's prefix, and no
      // member of alice's group holds a partition of bob's topic.
      const group = await backingConsumerGroup(`${alice.prefix}mixed`);
      expect(group.errorCode).toBe(0);
      const classic = group.members.find((m: Msg) => m.memberId === member.memberId);
      expect(classic.subscribedTopicNames.sort()).toEqual([`${alice.prefix}mixed-topic`, `${alice.prefix}${bob.prefix}secret`].sort());
      const held = group.members.flatMap((m: Msg) => [...m.assignment.topicPartitions, ...m.targetAssignment.topicPartitions].map((tp: Msg) => tp.topicId));
      expect(held).not.toContain(bobTopicId);

      await raw.requestUntyped(API.LeaveGroup, 5, { groupId: "mixed", members: [{ memberId: member.memberId, groupInstanceId: null, reason: null }] });
      await raw.request(API.ConsumerGroupHeartbeat, 1, {
        groupId: "mixed",
        memberId: cg.memberId,
        memberEpoch: -1,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: null,
      });
    } finally {
      raw.close();
    }
  }, 60_000);

  test("(2b) a leader's SyncGroup assignment naming another tenant's backing topic is stored inside the tenant's prefix", async () => {
    const raw = await connectAs(alice, "alice");
    try {
      const subscription = encodeSubscription({
        version: 0,
        body: { topics: ["orders"], userData: null, ownedPartitions: [], generationId: -1, rackId: null },
      });
      const join = (memberId: string): Promise<Msg> =>
        raw.request(API.JoinGroup, 9, {
          groupId: "leader-group",
          sessionTimeoutMs: 30_000,
          rebalanceTimeoutMs: 30_000,
          memberId,
          groupInstanceId: null,
          protocolType: "consumer",
          protocols: [{ name: "range", metadata: subscription }],
          reason: null,
        });
      const joined = await join((await join("")).memberId);
      expect(joined.errorCode).toBe(0);
      const crafted = encodeAssignment({ version: 0, body: { assignedPartitions: [{ topic: `${bob.prefix}secret`, partitions: [0, 1] }], userData: null } });
      const sync = (protocolType: string | null, version = 5): Promise<Msg> =>
        raw.request(API.SyncGroup, version, {
          groupId: "leader-group",
          generationId: joined.generationId,
          memberId: joined.memberId,
          groupInstanceId: null,
          protocolType,
          protocolName: "range",
          assignments: [{ memberId: joined.memberId, assignment: crafted }],
        });
      // Claiming another protocol type to keep the bytes opaque: the broker refuses the mismatch.
      expect((await sync("connect")).errorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
      // SyncGroup v3 names no type: kgate knows it from this member's join.
      const synced = await sync(null, 3);
      expect(synced.errorCode).toBe(0);
      expect(decodeAssignment(synced.assignment).body.assignedPartitions.map((p) => p.topic)).toEqual([`${bob.prefix}secret`]);
      const group = await backingGroup(`${alice.prefix}leader-group`);
      const stored = decodeAssignment(group.members[0].memberAssignment).body.assignedPartitions;
      expect(stored.map((p) => p.topic)).toEqual([`${alice.prefix}${bob.prefix}secret`]);
      await raw.requestUntyped(API.LeaveGroup, 5, { groupId: "leader-group", members: [{ memberId: joined.memberId, groupInstanceId: null, reason: null }] });
    } finally {
      raw.close();
    }
  }, 30_000);

  test("(2c) undecodable consumer metadata is refused with INCONSISTENT_GROUP_PROTOCOL and a logged reason, never forwarded", async () => {
    const raw = await connectAs(alice, "alice");
    try {
      // A v0 subscription naming bob's backing topic, with a byte after it: lenient readers (the
      // broker's) would still find the name, so kgate does not pass it on unread.
      const valid = encodeSubscription({
        version: 0,
        body: { topics: [`${bob.prefix}secret`], userData: null, ownedPartitions: [], generationId: -1, rackId: null },
      });
      const joined: Msg = await raw.request(API.JoinGroup, 9, {
        groupId: "bad-metadata",
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 30_000,
        memberId: "",
        groupInstanceId: null,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array([...valid, 0]) }],
        reason: null,
      });
      expect(joined.errorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
      const logs = await waitForLog(kgate, "JoinGroup protocol range: malformed consumer protocol subscription v0: 1 bytes after the struct");
      expect(logs).toContain("JoinGroup protocol range: malformed consumer protocol subscription v0: 1 bytes after the struct");
      expect((await backingGroup(`${alice.prefix}bad-metadata`)).groupState).toBe("Dead");
    } finally {
      raw.close();
    }
  }, 30_000);

  async function backingTopicIds(names: string[]): Promise<Map<string, string>> {
    const md: Msg = await backing.requestUntyped(3, 12, {
      topics: names.map((name) => ({ topicId: "0".repeat(32), name })),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    return new Map(md.topics.map((t: Msg) => [t.name, t.topicId]));
  }

  test("(3) online migration: a classic Java consumer, then a KIP-848 one, share the group and keep consuming; and back to classic", async () => {
    const before = ["before-0", "before-1", "before-2", "before-3"];
    await createTopic(alice, "migrate", 2, before);
    const common = ["--topic", "migrate", "--group", "mig", "--from-beginning"];
    const classic = startConsole(kgate, alice, [...common, "--command-property", "group.protocol=classic"]);
    consoles.push(classic);
    await waitFor("the classic consumer's records", 45_000, () => (classic.lines().length >= before.length ? true : undefined));
    expect(classic.lines().sort()).toEqual(before);
    expect((await backingGroup(`${alice.prefix}mig`)).protocolType).toBe("consumer");

    const modern = startConsole(kgate, alice, [...common, "--command-property", "group.protocol=consumer"]);
    consoles.push(modern);
    // The broker converts the classic group; it reads the classic member's subscription and
    // assignment to do so, and gives each member one of the two partitions.
    const group = await waitFor("both members assigned in the converted group", 45_000, async () => {
      const g = await backingConsumerGroup(`${alice.prefix}mig`);
      if (g.errorCode !== 0 || g.members.length !== 2) return undefined;
      const owned = g.members.map((m: Msg) => m.assignment.topicPartitions.reduce((n: number, tp: Msg) => n + tp.partitions.length, 0));
      return owned.every((n: number) => n === 1) ? g : undefined;
    }).catch(async (e) => {
      console.log(
        `[${kgateRuntime}] group at timeout: ${
          JSON.stringify(await backingConsumerGroup(`${alice.prefix}mig`), (_k, v) => (typeof v === "bigint" ? String(v) : v))
        }`,
      );
      throw e;
    });
    expect(group.members.map((m: Msg) => m.subscribedTopicNames)).toEqual([[`${alice.prefix}migrate`], [`${alice.prefix}migrate`]]);
    expect(group.members.map((m: Msg) => m.memberType).sort()).toEqual([0, 1]); // one classic, one consumer

    const after = ["after-0", "after-1", "after-2", "after-3"];
    await produce(alice, "migrate", after);
    await waitFor("the records produced after the migration", 45_000, () => {
      const got = [...classic.lines(), ...modern.lines()].filter((l) => l.startsWith("after-"));
      return got.length >= after.length ? true : undefined;
    });
    const got = [...classic.lines(), ...modern.lines()].filter((l) => l.startsWith("after-"));
    expect([...new Set(got)].sort()).toEqual(after);
    console.log(
      `[${kgateRuntime}] after migration: classic consumed ${classic.lines().filter((l) => l.startsWith("after-")).length}, KIP-848 consumed ${
        modern.lines().filter((l) => l.startsWith("after-")).length
      }`,
    );

    // And back: once the KIP-848 member leaves, the broker turns the group classic again and the
    // classic member, now the leader, assigns from the subscriptions the broker hands it.
    await modern.stop();
    await waitFor("the group to be classic again", 45_000, async () => {
      const g = await backingConsumerGroup(`${alice.prefix}mig`);
      return g.errorCode === GROUP_ID_NOT_FOUND ? true : undefined;
    });
    const last = ["last-0", "last-1", "last-2", "last-3"];
    await produce(alice, "migrate", last);
    await waitFor(
      "the classic consumer to read all records after the downgrade",
      45_000,
      () => last.every((v) => classic.lines().includes(v)) ? true : undefined,
    );
    const downgraded = await backingGroup(`${alice.prefix}mig`);
    expect(downgraded.groupState).toBe("Stable");
    expect(downgraded.members.length).toBe(1);
    expect(decodeSubscription(downgraded.members[0].memberMetadata).body.topics).toEqual([`${alice.prefix}migrate`]);
    const held = decodeAssignment(downgraded.members[0].memberAssignment).body.assignedPartitions;
    expect(held.map((p) => [p.topic, [...p.partitions].sort()])).toEqual([[`${alice.prefix}migrate`, [0, 1]]]);
    const raw = await connectAs(alice, "alice");
    try {
      const described: Msg = await raw.request(API.DescribeGroups, 5, { groups: ["mig"], includeAuthorizedOperations: false });
      const [m] = described.groups[0].members;
      expect(decodeSubscription(m.memberMetadata).body.topics).toEqual(["migrate"]);
      expect(decodeAssignment(m.memberAssignment).body.assignedPartitions.map((p) => p.topic)).toEqual(["migrate"]);
    } finally {
      raw.close();
    }
    await classic.stop();
  }, 200_000);
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`classic group metadata rewritten (kgate on ${kgateRuntime})`, () => groupsSuite(kgateRuntime));
}
