// ACLs inside a virtual cluster, with kgate under Bun and Deno, the real broker and real clients:
// the Java `kafka-acls` tool manages them through kgate, kafkajs produces and lists. Bob gets
// TOPIC_AUTHORIZATION_FAILED until an ACL allows him; a DENY wins; PREFIXED patterns work;
// Metadata lists only what he may describe; another vcluster sees and deletes none of them; a
// principal without ALTER on the cluster cannot create any; they survive a restart (file store)
// and every change is an audit event.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate, writeProperties } from "../support/kgate-process.ts";
import { waitFor } from "../support/wait.ts";

const run = Date.now().toString(36);

interface Login {
  username: string;
  token: string;
  properties: string;
}

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`vcluster ACLs (${runtime})`, () => {
    let backing = "";
    let kgate: KgateProcess;
    let storePath = "";
    let auditFile = "";
    const vc = `vc-acl-${runtime}-${run}`;
    const other = `vc-acl2-${runtime}-${run}`;
    const logins: Record<string, Login> = {};

    const login = async (k: KgateProcess, vcluster: string, username: string): Promise<Login> => {
      const issued = await adminCall<{ token: string; clientProperties: string }>(k, "POST", `/v1/vclusters/${vcluster}/tokens`, { username });
      return { username, token: issued.token, properties: writeProperties(k, `${vcluster}-${username}.properties`, issued.clientProperties) };
    };
    const kafka = (who: Login) =>
      new Kafka({
        clientId: `acl-${who.username}`,
        brokers: [kgate.bootstrap],
        sasl: { mechanism: "plain", username: who.username, password: who.token },
        logLevel: logLevel.NOTHING,
        retry: { retries: 1 },
      });
    const acls = (who: Login, ...args: string[]) =>
      kafkaCli("kafka-acls", ["--bootstrap-server", kgate.bootstrap, "--command-config", who.properties, ...args]);
    const produce = async (who: Login, topic: string) => {
      const producer = kafka(who).producer();
      await producer.connect();
      try {
        await producer.send({ topic, messages: [{ value: `from ${who.username}` }] });
        return "ok";
      } catch (e) {
        // kafkajs reports code 29 as a type from Produce, as its message from Metadata.
        const err = e as { type?: string; message: string };
        return err.type ?? (err.message.startsWith("Not authorized to access topics") ? "TOPIC_AUTHORIZATION_FAILED" : err.message);
      } finally {
        await producer.disconnect();
      }
    };

    beforeAll(async () => {
      backing = await kafkaBootstrap();
      const dir = mkdtempSync(join(tmpdir(), "kgate-acl-"));
      storePath = join(dir, "store.json");
      auditFile = join(dir, "audit.jsonl");
      kgate = await startKgate({ runtime, backing, config: { store: { type: "file", path: storePath }, audit: { file: auditFile } } });
      await adminCall(kgate, "PUT", `/v1/vclusters/${vc}`, { aclEnabled: true, superUsers: ["User:admin"] });
      await adminCall(kgate, "PUT", `/v1/vclusters/${other}`, { aclEnabled: true, superUsers: ["User:admin"] });
      logins.admin = await login(kgate, vc, "admin");
      logins.bob = await login(kgate, vc, "bob");
      logins.otherAdmin = await login(kgate, other, "admin");
      const admin = kafka(logins.admin).admin();
      await admin.connect();
      await admin.createTopics({ topics: ["orders", "orders-us", "orders-eu", "payroll"].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
      await admin.disconnect();
    }, 120_000);
    afterAll(async () => {
      await kgate?.stop();
    });

    test("bob without ACLs is refused produce with TOPIC_AUTHORIZATION_FAILED; after kafka-acls --add he can produce", async () => {
      expect(await produce(logins.bob!, "orders")).toBe("TOPIC_AUTHORIZATION_FAILED");
      const added = await acls(logins.admin!, "--add", "--allow-principal", "User:bob", "--operation", "Write", "--topic", "orders");
      expect(added.code).toBe(0);
      expect(await produce(logins.bob!, "orders")).toBe("ok");
      const listed = await acls(logins.admin!, "--list", "--topic", "orders");
      expect(listed.stdout).toContain("principal=User:bob");
      expect(listed.stdout).toContain("operation=WRITE");
    }, 120_000);

    test("a PREFIXED ACL covers orders-us and orders-eu; a DENY on orders-eu wins; Metadata lists only describable topics", async () => {
      expect(
        (await acls(
          logins.admin!,
          "--add",
          "--allow-principal",
          "User:bob",
          "--operation",
          "Write",
          "--topic",
          "orders-",
          "--resource-pattern-type",
          "prefixed",
        )).code,
      ).toBe(0);
      expect((await acls(logins.admin!, "--add", "--deny-principal", "User:bob", "--operation", "Write", "--topic", "orders-eu")).code).toBe(0);
      expect(await produce(logins.bob!, "orders-us")).toBe("ok");
      expect(await produce(logins.bob!, "orders-eu")).toBe("TOPIC_AUTHORIZATION_FAILED");
      expect(await produce(logins.bob!, "payroll")).toBe("TOPIC_AUTHORIZATION_FAILED");
      const admin = kafka(logins.bob!).admin();
      await admin.connect();
      const topics = await admin.listTopics();
      await admin.disconnect();
      // WRITE implies DESCRIBE; a DENY of WRITE does not deny DESCRIBE (Kafka's rule).
      expect(topics.sort()).toEqual(["orders", "orders-eu", "orders-us"]);
      const everything = kafka(logins.admin!).admin();
      await everything.connect();
      expect(await everything.listTopics()).toContain("payroll");
      await everything.disconnect();
    }, 120_000);

    test("a non-super user cannot create ACLs; another vcluster sees none of these and deletes none", async () => {
      // Without DESCRIBE on the cluster the tool's DescribeAcls is refused; with it, CreateAcls still needs ALTER.
      const blind = await acls(logins.bob!, "--list");
      expect(blind.stdout + blind.stderr).toContain("ClusterAuthorizationException");
      expect((await acls(logins.admin!, "--add", "--allow-principal", "User:bob", "--operation", "Describe", "--cluster")).code).toBe(0);
      const refused = await acls(logins.bob!, "--add", "--allow-principal", "User:bob", "--operation", "All", "--topic", "payroll");
      expect(refused.stdout + refused.stderr).toContain("ClusterAuthorizationException");
      expect(await produce(logins.bob!, "payroll")).toBe("TOPIC_AUTHORIZATION_FAILED");
      const foreign = await acls(logins.otherAdmin!, "--list");
      expect(foreign.code).toBe(0);
      expect(foreign.stdout).not.toContain("User:bob");
      const removed = await acls(logins.otherAdmin!, "--remove", "--force", "--topic", "orders", "--allow-principal", "User:bob", "--operation", "Write");
      expect(removed.code).toBe(0);
      const mine = await adminCall<{ acls: { resourceName: string }[] }>(kgate, "GET", `/v1/vclusters/${vc}/acls`);
      expect(mine.acls.map((a) => a.resourceName).sort()).toEqual(["kafka-cluster", "orders", "orders-", "orders-eu"]);
      expect((await adminCall<{ acls: unknown[] }>(kgate, "GET", `/v1/vclusters/${other}/acls`)).acls).toEqual([]);
    }, 120_000);

    test("the Java producer (idempotent: InitProducerId) writes with a topic WRITE; a consumer group needs READ on the group", async () => {
      const produced = await kafkaCli("kafka-console-producer", [
        "--bootstrap-server",
        kgate.bootstrap,
        "--producer.config",
        logins.bob!.properties,
        "--topic",
        "orders",
      ], { input: "java-1\njava-2\n" });
      expect(produced.code).toBe(0);
      expect((await acls(logins.admin!, "--add", "--allow-principal", "User:bob", "--operation", "Read", "--topic", "orders")).code).toBe(0);
      const consume = async (group: string) => {
        const consumer = kafka(logins.bob!).consumer({ groupId: group, retry: { retries: 0 } });
        try {
          await consumer.connect();
          await consumer.subscribe({ topic: "orders", fromBeginning: true });
          const seen = new Promise<string>((resolve, reject) => {
            consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
            void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }).catch(reject);
          });
          return await Promise.race([seen, new Promise<string>((_, reject) => setTimeout(() => reject(new Error("nothing consumed")), 30_000))]);
        } catch (e) {
          const err = e as { type?: string; message: string };
          return err.type ?? err.message;
        } finally {
          await consumer.disconnect();
        }
      };
      // kafkajs gives up on FindCoordinator's GROUP_AUTHORIZATION_FAILED as "Failed to find group coordinator".
      expect(await consume("billing")).toMatch(/GROUP_AUTHORIZATION_FAILED|Not authorized to access group|Failed to find group coordinator/);
      expect(
        (await acls(logins.admin!, "--add", "--allow-principal", "User:bob", "--operation", "Read", "--group", "bill", "--resource-pattern-type", "prefixed"))
          .code,
      ).toBe(0);
      expect(await consume("billing")).toMatch(/^(from bob|java-\d)$/);
    }, 120_000);

    test("every ACL change is an audit event; the ACLs survive a restart (file store)", async () => {
      const events = await waitFor("acl audit events", async () => {
        const lines = readFileSync(auditFile, "utf8").trim().split("\n").map((l) =>
          JSON.parse(l) as { action: string; actor: string; outcome: string; resource?: string }
        );
        const acl = lines.filter((e) => e.action.startsWith("acl."));
        return acl.length >= 7 ? acl : undefined;
      }, 10_000);
      expect(events).toContainEqual(
        expect.objectContaining({
          action: "acl.create",
          actor: "admin",
          outcome: "success",
          resource: expect.stringContaining("TOPIC:LITERAL:orders User:bob"),
        }),
      );
      expect(events).toContainEqual(expect.objectContaining({ action: "acl.create", actor: "bob", outcome: "failure" }));
      await kgate.stop();
      kgate = await startKgate({ runtime, backing, config: { store: { type: "file", path: storePath } } });
      logins.bob = await login(kgate, vc, "bob");
      expect(await produce(logins.bob, "orders")).toBe("ok");
      expect(await produce(logins.bob, "orders-eu")).toBe("TOPIC_AUTHORIZATION_FAILED");
    }, 120_000);
  });
}
