// SIGHUP re-reads the config: a removed static user, a changed anonymous view or pin closes exactly
// the connections it affects (each with its reason) and no others; a bad file changes nothing;
// what cannot change live is reported and keeps running. kgate under Bun and Deno.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";

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
      expect(logs).toContain("config reloaded: auth.users, listener.anonymous");
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
