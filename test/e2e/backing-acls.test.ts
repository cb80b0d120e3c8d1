// Defence in depth on the backing cluster, on a private broker whose authorizer denies what no
// ACL allows (the shared broker allows everyone where no ACL exists, so it could not show this):
// a vcluster with backing ACLs gets its own SCRAM principal with ACLs on its prefix only; kgate
// connects upstream as that principal for the vcluster's clients; that principal, used directly
// (as a rewrite hole would use it), is refused every other tenant's topic by the broker itself;
// deleting the vcluster removes its ACLs and its credential.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from "kafkajs";
import { TenantCredentials } from "../../src/backing/tenant-credentials.ts";
import { kafkaCli, saslClientConfig } from "../support/kafka.ts";
import { type KafkaCluster, startKafkaCluster, STRICT_SUPER_USERS } from "../support/kafka-cluster.ts";
import { adminCall, binaryAvailable, type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";
import { createTenant, kgateCli, tenantKafka, type TenantLogin } from "../support/vcluster-fixture.ts";

const CREDENTIAL_SECRET = `backing-credential-secret-${crypto.randomUUID()}`;

let cluster: KafkaCluster;
/** The strict broker as a super user (ANONYMOUS on PLAINTEXT): the test's view of the truth. */
let superKafka: Kafka;

beforeAll(async () => {
  cluster = await startKafkaCluster({ brokers: 1, strictAcls: true });
  superKafka = new Kafka({ clientId: "e2e-backing-super", brokers: cluster.brokers, logLevel: logLevel.NOTHING });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
}, 60_000);

interface VclusterJson {
  name: string;
  prefix: string;
  createdAt: string;
  backing?: { username: string; principal?: string };
}

/** The password kgate derives for a vcluster's backing principal, derived here the same way. */
async function backingPassword(v: VclusterJson): Promise<string> {
  const creds = await new TenantCredentials(CREDENTIAL_SECRET).credentialsFor(v)!;
  return creds.password;
}

/** A client straight to the strict broker's SASL listener as a vcluster's backing principal. */
function directAs(username: string, password: string): Kafka {
  return new Kafka({
    clientId: "e2e-backing-direct",
    brokers: cluster.saslBrokers,
    sasl: { mechanism: "scram-sha-512", username, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 100 },
  });
}

async function aclsOf(principal: string) {
  const admin = superKafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    return resources.flatMap((r) =>
      r.acls.map((a) => ({ type: r.resourceType, name: r.resourceName, pattern: r.resourcePatternType, op: a.operation, permission: a.permissionType }))
    );
  } finally {
    await admin.disconnect();
  }
}

async function produceOne(kafka: Kafka, topic: string, value: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1, initialRetryTime: 100 } });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
}

async function consumeValues(kafka: Kafka, topic: string, groupId: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, retry: { retries: 2 } });
  const seen: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.length} of ${count} within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** The Kafka error type a kafkajs call failed with (through its retries), or "ok". */
async function failure(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return "ok";
  } catch (e) {
    const err = e as { type?: string; originalError?: { type?: string }; errors?: { type?: string }[]; message: string };
    const type = err.type ?? err.originalError?.type ?? err.errors?.find((x) => x.type)?.type;
    if (type) return type;
    // kafkajs words a Metadata answer's TOPIC_AUTHORIZATION_FAILED this way, without the code.
    return err.message.startsWith("Not authorized to access topics") ? "TOPIC_AUTHORIZATION_FAILED" : err.message;
  }
}

// The binary too where it is built (CI builds it first).
for (const runtime of ["bun", "deno", ...(binaryAvailable() ? (["binary"] as const) : [])] as KgateRuntime[]) {
  describe(`backing ACLs on a strict-ACL broker (${runtime})`, () => {
    let kgate: KgateProcess;
    const stamp = `${runtime}-${Date.now().toString(36)}`;
    const nameA = `ba-a-${stamp}`;
    const nameB = `ba-b-${stamp}`;
    let vcA: VclusterJson;
    let vcB: VclusterJson;
    let loginA: TenantLogin;
    let loginB: TenantLogin;

    beforeAll(async () => {
      kgate = await startKgate({
        runtime,
        backing: cluster.saslBrokers[0]!,
        config: {
          backing: {
            bootstrapServers: cluster.saslBrokers,
            sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password: STRICT_SUPER_USERS.gateway },
            credentialSecret: CREDENTIAL_SECRET,
          },
        },
      });
      // A through the CLI, as the README shows; B through the admin API.
      const created = await kgateCli(kgate, ["vcluster", "create", nameA, "--backing-acls", "--json"]);
      expect(created.code).toBe(0);
      vcA = JSON.parse(created.out) as VclusterJson;
      vcB = await adminCall<VclusterJson>(kgate, "PUT", `/v1/vclusters/${nameB}`, { backingAcls: true });
      loginA = await createTenant(kgate, nameA, "alice");
      loginB = await createTenant(kgate, nameB, "bob");
    }, 90_000);
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("each vcluster has its own principal, with prefixed ACLs on its prefix only", async () => {
      expect(vcA.backing).toEqual({ username: `kgate-vc-${nameA}`, principal: `User:kgate-vc-${nameA}` });
      expect(vcB.backing?.username).toBe(`kgate-vc-${nameB}`);
      const acls = await aclsOf(`User:kgate-vc-${nameA}`);
      const byResource = (type: number) => acls.filter((a) => a.type === type);
      const ops = (type: number) => byResource(type).map((a) => a.op).sort((x, y) => x - y);
      expect(byResource(AclResourceTypes.TOPIC).every((a) => a.name === vcA.prefix && a.pattern === ResourcePatternTypes.PREFIXED)).toBe(true);
      expect(ops(AclResourceTypes.TOPIC)).toEqual([
        AclOperationTypes.READ,
        AclOperationTypes.WRITE,
        AclOperationTypes.CREATE,
        AclOperationTypes.DELETE,
        AclOperationTypes.ALTER,
        AclOperationTypes.DESCRIBE,
        AclOperationTypes.DESCRIBE_CONFIGS,
        AclOperationTypes.ALTER_CONFIGS,
      ]);
      expect(ops(AclResourceTypes.GROUP)).toEqual([AclOperationTypes.READ, AclOperationTypes.DELETE, AclOperationTypes.DESCRIBE]);
      expect(ops(AclResourceTypes.TRANSACTIONAL_ID)).toEqual([AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE]);
      // On the cluster: idempotent writes only.
      expect(byResource(AclResourceTypes.CLUSTER).map((a) => a.op)).toEqual([AclOperationTypes.IDEMPOTENT_WRITE]);
      expect(acls.every((a) => a.permission === AclPermissionTypes.ALLOW)).toBe(true);
      expect(acls).toHaveLength(14);
      // kgate's own view, read live from the broker: the layout, nothing missing, nothing more.
      const live = await adminCall<{ acls: unknown[]; missing: unknown[]; unexpected: unknown[]; principal: string }>(
        kgate,
        "GET",
        `/v1/vclusters/${nameA}/backing-acls`,
      );
      expect(live).toMatchObject({ principal: `User:kgate-vc-${nameA}`, missing: [], unexpected: [] });
      expect(live.acls).toHaveLength(14);
    });

    test("tenants produce and consume through kgate as usual", async () => {
      for (const [login, value] of [[loginA, "from-a"], [loginB, "from-b"]] as const) {
        const kafka = tenantKafka(kgate, login);
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 1 }], waitForLeaders: true });
        await admin.disconnect();
        await produceOne(kafka, "orders", value);
        expect(await consumeValues(kafka, "orders", "readers", 1)).toEqual([value]);
      }
    }, 90_000);

    test("idempotent and transactional producers, with offsets in the transaction, work within the ACLs", async () => {
      const kafka = tenantKafka(kgate, loginA);
      const producer = kafka.producer({ idempotent: true, transactionalId: "tx-1", maxInFlightRequests: 1 });
      await producer.connect();
      try {
        const tx = await producer.transaction();
        await tx.send({ topic: "orders", messages: [{ value: "in-tx" }] });
        await tx.sendOffsets({ consumerGroupId: "tx-readers", topics: [{ topic: "orders", partitions: [{ partition: 0, offset: "1" }] }] });
        await tx.commit();
      } finally {
        await producer.disconnect();
      }
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({ groupId: "tx-readers", topics: ["orders"] });
        expect(offsets!.partitions[0]!.offset).toBe("1");
        // Cluster-level requests are the broker's to refuse: the principal has no cluster DESCRIBE.
        expect(await failure(() => admin.describeConfigs({ resources: [{ type: 4, /* BROKER */ name: "0" }], includeSynonyms: false })))
          .toBe("CLUSTER_AUTHORIZATION_FAILED");
      } finally {
        await admin.disconnect();
      }
    }, 90_000);

    test("kgate's upstream for a vcluster is its own principal: without its ACLs, its clients are refused", async () => {
      // Take A's topic ACLs away on the broker itself: kgate's own principal is a super user, so
      // only an upstream logged in as A's principal can be refused now.
      const admin = superKafka.admin();
      await admin.connect();
      await admin.deleteAcls({
        filters: [{
          resourceType: AclResourceTypes.TOPIC,
          resourceName: vcA.prefix,
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          principal: `User:kgate-vc-${nameA}`,
          host: "*",
          operation: AclOperationTypes.WRITE,
          permissionType: AclPermissionTypes.ALLOW,
        }],
      });
      await admin.disconnect();
      expect(await failure(() => produceOne(tenantKafka(kgate, loginA), "orders", "refused"))).toBe("TOPIC_AUTHORIZATION_FAILED");
      const drift = await adminCall<{ missing: unknown[] }>(kgate, "GET", `/v1/vclusters/${nameA}/backing-acls`);
      expect(drift.missing).toEqual([{
        resourceType: "TOPIC",
        resourceName: vcA.prefix,
        patternType: "PREFIXED",
        operation: "WRITE",
        permission: "ALLOW",
        host: "*",
      }]);
      // B is untouched.
      await produceOne(tenantKafka(kgate, loginB), "orders", "still-fine");
      // PUT with backingAcls again repairs the layout (every step is idempotent).
      const repaired = await adminCall<VclusterJson>(kgate, "PUT", `/v1/vclusters/${nameA}`, { backingAcls: true });
      expect(repaired.createdAt).toBe(vcA.createdAt);
      expect(await aclsOf(`User:kgate-vc-${nameA}`)).toHaveLength(14);
      expect((await adminCall<{ missing: unknown[] }>(kgate, "GET", `/v1/vclusters/${nameA}/backing-acls`)).missing).toEqual([]);
      await produceOne(tenantKafka(kgate, loginA), "orders", "again");
    }, 90_000);

    test("a forged request naming another tenant's backing topic is refused by the broker itself", async () => {
      // What a rewrite hole would send: A's principal naming B's prefixed topic, straight to the broker.
      const direct = directAs(`kgate-vc-${nameA}`, await backingPassword(vcA));
      const foreign = `${vcB.prefix}orders`;
      expect(await failure(() => produceOne(direct, foreign, "forged"))).toBe("TOPIC_AUTHORIZATION_FAILED");
      expect(await failure(() => consumeValues(direct, foreign, `${vcA.prefix}thief`, 1))).toBe("TOPIC_AUTHORIZATION_FAILED");
      const admin = direct.admin();
      await admin.connect();
      try {
        // A cluster-wide operation is refused too.
        const listed = await admin.listTopics();
        expect(listed).toContain(`${vcA.prefix}orders`);
        expect(listed.some((t) => !t.startsWith(vcA.prefix))).toBe(false);
        expect(
          await failure(() =>
            admin.createAcls({
              acl: [{
                resourceType: AclResourceTypes.TOPIC,
                resourceName: vcB.prefix,
                resourcePatternType: ResourcePatternTypes.PREFIXED,
                principal: `User:kgate-vc-${nameA}`,
                host: "*",
                operation: AclOperationTypes.ALL,
                permissionType: AclPermissionTypes.ALLOW,
              }],
            })
          ),
        ).toBe("CLUSTER_AUTHORIZATION_FAILED");
        expect(await failure(() => admin.createTopics({ topics: [{ topic: `${vcB.prefix}planted` }] }))).not.toBe("ok");
      } finally {
        await admin.disconnect();
      }
      // B's group, with its committed offsets, is refused as well (the Java tool; kafkajs drops
      // FindCoordinator's error code), while A's own group describes fine.
      const props = saslClientConfig("SCRAM-SHA-512", `kgate-vc-${nameA}`, await backingPassword(vcA));
      const describeGroup = (group: string) =>
        kafkaCli("kafka-consumer-groups", ["--bootstrap-server", cluster.saslBrokers[0]!, "--command-config", props, "--describe", "--group", group]);
      const foreignGroup = await describeGroup(`${vcB.prefix}readers`);
      expect(foreignGroup.stdout + foreignGroup.stderr).toContain("GroupAuthorizationException");
      const ownGroup = await describeGroup(`${vcA.prefix}readers`);
      expect(ownGroup.stderr).not.toContain("Exception");
      expect(ownGroup.stdout).toContain(`${vcA.prefix}orders`);
      // The same principal on its own prefix works: the refusals above are about the prefix.
      await produceOne(direct, `${vcA.prefix}orders`, "direct-own");
      // Nothing reached B's topic.
      const values = await consumeValues(tenantKafka(kgate, loginB), "orders", "audit", 2);
      expect(values.sort()).toEqual(["from-b", "still-fine"]);
    }, 90_000);

    test("backing ACLs are fixed at creation", async () => {
      const res = await fetch(`${kgate.adminUrl}/v1/vclusters/${nameA}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${kgate.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ backingAcls: false }),
      });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: string }).error).toContain("fixed at creation");
    });

    test("deleting the vcluster removes its ACLs and its credential", async () => {
      const password = await backingPassword(vcA);
      await adminCall(kgate, "DELETE", `/v1/vclusters/${nameA}`);
      expect(await aclsOf(`User:kgate-vc-${nameA}`)).toEqual([]);
      expect(
        await failure(async () => {
          const admin = directAs(`kgate-vc-${nameA}`, password).admin();
          await admin.connect();
          await admin.disconnect();
        }),
      ).toContain("SASL SCRAM SHA512 authentication failed");
      // B keeps its principal.
      expect(await aclsOf(`User:kgate-vc-${nameB}`)).toHaveLength(14);
      // Deleting again: 404, nothing left behind on the backing cluster either way.
      const again = await fetch(`${kgate.adminUrl}/v1/vclusters/${nameA}`, { method: "DELETE", headers: { authorization: `Bearer ${kgate.adminToken}` } });
      expect(again.status).toBe(404);
    }, 60_000);
  });
}

describe("two kgate nodes sharing a Kafka store, with no credentialSecret (auth.tokenSecret)", () => {
  test("a vcluster created on one node is served on the other as its own principal", async () => {
    const shared = {
      backing: {
        bootstrapServers: cluster.saslBrokers,
        sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password: STRICT_SUPER_USERS.gateway },
      },
      store: { type: "kafka", topic: `_kgate_state_ba_${Date.now().toString(36)}` },
      auth: { tokenSecret: `token-secret-${crypto.randomUUID()}` },
    };
    const one = await startKgate({ runtime: "bun", backing: cluster.saslBrokers[0]!, config: shared });
    const two = await startKgate({ runtime: "deno", backing: cluster.saslBrokers[0]!, config: shared });
    try {
      const name = `ba-nodes-${Date.now().toString(36)}`;
      const v = await adminCall<VclusterJson>(one, "PUT", `/v1/vclusters/${name}`, { backingAcls: true });
      for (const end = Date.now() + 10_000;;) {
        const res = await fetch(`${two.adminUrl}/v1/vclusters/${name}`, { headers: { authorization: `Bearer ${two.adminToken}` } });
        if (res.ok) break;
        if (Date.now() > end) throw new Error("node two never saw the vcluster");
        await new Promise((r) => setTimeout(r, 100));
      }
      const login = await createTenant(two, name, "carol");
      const kafka = tenantKafka(two, login);
      const tenantAdmin = kafka.admin();
      await tenantAdmin.connect();
      await tenantAdmin.createTopics({ topics: [{ topic: "events" }], waitForLeaders: true });
      await tenantAdmin.disconnect();
      await produceOne(kafka, "events", "via-node-two");
      expect(await consumeValues(tenantKafka(one, login), "events", "readers", 1)).toEqual(["via-node-two"]);
      // Node two's upstream is the vcluster's principal, with the password node one set: without
      // the principal's WRITE ACL, node two's client is refused.
      const admin = superKafka.admin();
      await admin.connect();
      await admin.deleteAcls({
        filters: [{
          resourceType: AclResourceTypes.TOPIC,
          resourceName: v.prefix,
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          principal: `User:kgate-vc-${name}`,
          host: "*",
          operation: AclOperationTypes.WRITE,
          permissionType: AclPermissionTypes.ALLOW,
        }],
      });
      await admin.disconnect();
      expect(await failure(() => produceOne(kafka, "events", "refused"))).toBe("TOPIC_AUTHORIZATION_FAILED");
      await adminCall(two, "DELETE", `/v1/vclusters/${name}`);
      expect(await aclsOf(`User:kgate-vc-${name}`)).toEqual([]);
    } finally {
      await two.stop();
      await one.stop();
    }
  }, 120_000);
});

describe("backing ACLs refused where they cannot work", () => {
  test("without backing.sasl: 409 with the reason, and no vcluster", async () => {
    const kgate = await startKgate({ backing: cluster.brokers[0]! });
    try {
      const name = `ba-nosasl-${Date.now().toString(36)}`;
      const res = await fetch(`${kgate.adminUrl}/v1/vclusters/${name}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${kgate.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ backingAcls: true }),
      });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: string }).error).toContain("backing.sasl");
      const get = await fetch(`${kgate.adminUrl}/v1/vclusters/${name}`, { headers: { authorization: `Bearer ${kgate.adminToken}` } });
      expect(get.status).toBe(404);
    } finally {
      await kgate.stop();
    }
  }, 60_000);

  test("a backing cluster without an authorizer: 409 SECURITY_DISABLED with the reason, and no vcluster", async () => {
    const open = await startKafkaCluster({ brokers: 1, saslWithoutAuthorizer: true });
    const kgate = await startKgate({
      backing: open.saslBrokers[0]!,
      config: {
        backing: { sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password: STRICT_SUPER_USERS.gateway }, credentialSecret: CREDENTIAL_SECRET },
      },
    });
    try {
      const name = `ba-noauth-${Date.now().toString(36)}`;
      const created = await kgateCli(kgate, ["vcluster", "create", name, "--backing-acls"]);
      expect(created.code).toBe(1);
      expect(created.out).toContain("no authorizer");
      expect(created.out).toContain("SECURITY_DISABLED");
      expect(created.out).toContain("the vcluster was not created");
      const get = await fetch(`${kgate.adminUrl}/v1/vclusters/${name}`, { headers: { authorization: `Bearer ${kgate.adminToken}` } });
      expect(get.status).toBe(404);
      // Nothing left behind: no credential that logs in (the store remembers the deleted incarnation).
      const store = JSON.parse(readFileSync(join(kgate.dir, "store.json"), "utf8")) as { deletedVclusters: Record<string, { createdAt: string }> };
      const createdAt = store.deletedVclusters[name]!.createdAt;
      const password = await backingPassword({ name, createdAt, backing: { username: `kgate-vc-${name}` } } as VclusterJson);
      const login = await failure(async () => {
        const admin = new Kafka({
          clientId: "e2e-backing-leftover",
          brokers: open.saslBrokers,
          logLevel: logLevel.NOTHING,
          retry: { retries: 0 },
          sasl: { mechanism: "scram-sha-512", username: `kgate-vc-${name}`, password },
        }).admin();
        await admin.connect();
        await admin.disconnect();
      });
      expect(login).toContain("SASL SCRAM SHA512 authentication failed");
    } finally {
      await kgate.stop();
      await open.stop();
    }
  }, 180_000);
});
