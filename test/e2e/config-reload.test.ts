// deno-lint-ignore-file no-explicit-any -- decoded messages and YAML documents are edited field by field here
// SIGHUP, or a change of the config file, re-reads the config: a removed static user, a changed
// anonymous view or pin closes exactly the connections it affects (each with its reason) and no
// others; a limit applies to open connections; a new listener certificate serves new TLS
// handshakes while open connections stay; a bad file changes nothing; what cannot change live is
// reported and keeps running. kgate under Bun and Deno.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { connect as tlsConnect } from "node:tls";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";
import { makeTestCa, pem } from "../support/test-certs.ts";

const run = Date.now().toString(36);
const metadata = (c: KafkaConnection) => c.request(3, 12, { ...defaultMetadataRequest(), topics: null });

async function closedSoon(c: KafkaConnection): Promise<boolean> {
  for (let i = 0; i < 60 && !c.closed; i++) {
    await metadata(c).catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
  }
  return c.closed;
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`config reload on SIGHUP (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const vc = `vc-reload-${kgateRuntime}-${run}`;
    const users = [
      { username: "keep-me", password: "keep-me-password-0123", vcluster: vc },
      { username: "drop-me", password: "drop-me-password-0123", vcluster: vc },
    ];
    const configPath = () => join(kgate.dir, "kgate.yaml");
    const rewrite = (change: (doc: Record<string, any>) => void) => {
      const doc = parse(readFileSync(configPath(), "utf8")) as Record<string, any>;
      change(doc);
      writeFileSync(configPath(), stringify(doc));
      kgate.child.kill("SIGHUP");
    };
    const login = (u: { username: string; password: string }) =>
      KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { sasl: { mechanism: "PLAIN", ...u } });

    beforeAll(async () => {
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: { listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", anonymous: vc }, auth: { users }, vclusters: [{ name: vc }] },
      });
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("a removed static user and a removed anonymous view close exactly their connections", async () => {
      const keep = await login(users[0]!);
      const drop = await login(users[1]!);
      const anonymous = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }]);
      await Promise.all([metadata(keep), metadata(drop), metadata(anonymous)]);
      rewrite((doc) => {
        doc.auth.users = [users[0]];
        delete doc.listener.anonymous;
      });
      expect(await closedSoon(drop)).toBe(true);
      expect(await closedSoon(anonymous)).toBe(true);
      await metadata(keep); // untouched
      expect(keep.closed).toBe(false);
      const logs = await waitForLog(kgate, "config reloaded");
      expect(logs).toMatch(/static user \\*"drop-me\\*" was removed/);
      expect(logs).toContain(`anonymous access to ${vc} is no longer configured`);
      expect(logs).toContain("config reloaded: auth.users, listener.anonymous (on SIGHUP)");
      await expect(login(users[1]!)).rejects.toThrow();
      keep.close();
    });

    test("a bad file is refused with its path: reason and nothing changes", async () => {
      const keep = await login(users[0]!);
      rewrite((doc) => {
        doc.auth.users = [{ username: "x", password: "short", vcluster: vc }];
      });
      expect(await waitForLog(kgate, "config reload refused")).toContain("auth.users[0].password: must be at least 16 characters");
      await metadata(keep);
      expect(keep.closed).toBe(false);
      keep.close();
      const again = await login(users[0]!); // the running users stay
      again.close();
    });

    test("a change that needs a restart is reported and the running value stays", async () => {
      const port = kgate.port;
      rewrite((doc) => {
        doc.auth.users = [users[0]];
        doc.listener.port = port + 7;
      });
      expect(await waitForLog(kgate, "need a restart")).toContain("listener.port changed but need a restart");
      const still = await login(users[0]!); // still on the old port
      still.close();
    });
  });
}

/** Metadata for `count` made-up topics: a request frame of about `count` × 100 bytes. */
const bigMetadata = (c: KafkaConnection, count: number) =>
  c.request(3, 12, {
    ...defaultMetadataRequest(),
    topics: Array.from({ length: count }, (_, i) => ({ topicId: "00000000000000000000000000000000", name: `t${i}-${"x".repeat(90)}` })),
  });

/** The serial number of the certificate a new TLS handshake with kgate gets. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca: pem(ca), servername: "localhost" }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.on("error", reject);
  });
}

const serialOf = (certPath: string) => new X509Certificate(pem(certPath)).serialNumber;

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`config reload: limits, certificates, file changes (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const vc = `vc-reload2-${kgateRuntime}-${run}`;
    const user = { username: "lim", password: "lim-password-0123456", vcluster: vc };
    const ca = makeTestCa();
    const first = ca.server("first");
    const second = ca.server("second");
    const configPath = () => join(kgate.dir, "kgate.yaml");
    /** Only writes the file: the watch must notice it without a signal. */
    const edit = (change: (doc: Record<string, any>) => void) => {
      const doc = parse(readFileSync(configPath(), "utf8")) as Record<string, any>;
      change(doc);
      writeFileSync(configPath(), stringify(doc));
    };
    const login = () =>
      KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: user.username, password: user.password },
        tls: { ca: pem(ca.ca), serverName: "localhost" },
      });

    beforeAll(async () => {
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: {
          listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", tls: first },
          auth: { users: [user] },
          vclusters: [{ name: vc }],
        },
      });
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("a changed file alone (no SIGHUP) applies a new frame limit to an open connection", async () => {
      const conn = await login();
      await bigMetadata(conn, 40); // ~4 KiB, far below the default limit
      edit((doc) => {
        doc.limits = { maxFrameBytes: 2048 };
      });
      expect(await waitForLog(kgate, "config reloaded: limits.maxFrameBytes (on file change)", 10_000))
        .toContain("config reloaded: limits.maxFrameBytes (on file change); 0 connections closed");
      await metadata(conn); // small requests still pass: the change closed nothing
      expect(conn.closed).toBe(false);
      await expect(bigMetadata(conn, 40)).rejects.toThrow();
      expect(await waitForLog(kgate, "2048")).toMatch(/closed: .*2048/);
      edit((doc) => {
        delete doc.limits;
      });
      const reloads = () => kgate.logs().split("config reloaded: limits.maxFrameBytes (on file change)").length - 1;
      for (const end = Date.now() + 10_000; reloads() < 2 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
      expect(reloads()).toBe(2);
      const again = await login();
      await bigMetadata(again, 40);
      again.close();
    }, 30_000);

    test("a new topic policy default applies to the next CreateTopics of an open connection", async () => {
      const conn = await login();
      const create = (name: string, partitions: number) =>
        conn.requestUntyped<{ topics: { name: string; errorCode: number; errorMessage: string | null }[] }>(19, 7, {
          topics: [{ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: [] }],
          timeoutMs: 30_000,
          validateOnly: true,
        });
      expect((await create("wide-before", 4)).topics[0]!.errorCode).toBe(0);
      edit((doc) => {
        doc.topicPolicy = { maxPartitionsPerTopic: 2 };
      });
      kgate.child.kill("SIGHUP");
      expect(await waitForLog(kgate, "config reloaded: topicPolicy.maxPartitionsPerTopic", 10_000))
        .toContain("config reloaded: topicPolicy.maxPartitionsPerTopic (on SIGHUP); 0 connections closed");
      const refused = (await create("wide-after", 4)).topics[0]!;
      expect(refused.errorCode).toBe(44); // POLICY_VIOLATION, as a broker's create.topic.policy answers
      expect(refused.errorMessage).toContain("maxPartitionsPerTopic");
      expect(conn.closed).toBe(false);
      conn.close();
    }, 30_000);

    test("a new listener certificate serves new handshakes; an open TLS connection stays", async () => {
      expect(await servedSerial(kgate.port, ca.ca)).toBe(serialOf(first.cert));
      const open = await login();
      await metadata(open);
      edit((doc) => {
        doc.listener.tls = { ...doc.listener.tls, cert: second.cert, key: second.key };
      });
      kgate.child.kill("SIGHUP");
      expect(await waitForLog(kgate, "config reloaded: listener.tls.cert, listener.tls.key", 10_000))
        .toContain("config reloaded: listener.tls.cert, listener.tls.key (on SIGHUP)");
      expect(await servedSerial(kgate.port, ca.ca)).toBe(serialOf(second.cert));
      await metadata(open);
      expect(open.closed).toBe(false);
      const fresh = await login();
      await metadata(fresh);
      fresh.close();

      // Files that do not load are refused like a bad key, and the running certificate stays.
      edit((doc) => {
        doc.listener.tls = { ...doc.listener.tls, cert: join(kgate.dir, "missing.pem") };
      });
      expect(await waitForLog(kgate, "config reload refused (on file change)", 10_000)).toContain("listener.tls.cert: cannot read");
      expect(await servedSerial(kgate.port, ca.ca)).toBe(serialOf(second.cert));
      await metadata(open);
      open.close();
    }, 30_000);
  });
}
