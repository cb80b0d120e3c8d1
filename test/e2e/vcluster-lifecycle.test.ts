// Changes in the store reach open connections without a restart: a deleted vcluster's clients
// are disconnected, revoked and expired tokens are refused, new vclusters bind at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { SaslLoginError } from "../../src/client/sasl-login.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import type { MetadataResponse } from "../../src/protocol/messages/metadata-response.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";

interface Issued {
  token: string;
  jti: string;
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`vcluster lifecycle (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const login = (username: string, password: string) =>
      KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { sasl: { mechanism: "PLAIN", username, password } });
    const metadata = (c: KafkaConnection) => c.requestUntyped<MetadataResponse>(3, 12, { ...defaultMetadataRequest(), topics: null });
    const waitClosed = async (c: KafkaConnection) => {
      for (let i = 0; i < 100 && !c.closed; i++) {
        await metadata(c).catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
      }
      return c.closed;
    };

    beforeAll(async () => {
      kgate = await startKgate({ runtime: kgateRuntime, backing: await kafkaBootstrap() });
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("a new vcluster works at once; deleting it disconnects its clients", async () => {
      await adminCall(kgate, "PUT", `/v1/vclusters/vc-temp-${kgateRuntime}`);
      const issued = await adminCall<Issued>(kgate, "POST", `/v1/vclusters/vc-temp-${kgateRuntime}/tokens`, { username: "temp" });
      const conn = await login("temp", issued.token);
      expect((await metadata(conn)).brokers.length).toBeGreaterThan(0);
      await adminCall(kgate, "DELETE", `/v1/vclusters/vc-temp-${kgateRuntime}`);
      expect(await waitClosed(conn)).toBe(true);
      // The close line is logged once the session has wound down, a moment after the close.
      expect(await waitForLog(kgate, `vc-temp-${kgateRuntime} was deleted`)).toContain(`vc-temp-${kgateRuntime} was deleted`);
      await expect(login("temp", issued.token)).rejects.toBeInstanceOf(SaslLoginError);
    });

    test("a revoked token is refused and its open connection dropped", async () => {
      await adminCall(kgate, "PUT", `/v1/vclusters/vc-rev-${kgateRuntime}`);
      const issued = await adminCall<Issued>(kgate, "POST", `/v1/vclusters/vc-rev-${kgateRuntime}/tokens`, { username: "rev" });
      const conn = await login("rev", issued.token);
      await metadata(conn);
      await adminCall(kgate, "DELETE", `/v1/vclusters/vc-rev-${kgateRuntime}/tokens/${issued.jti}`);
      expect(await waitClosed(conn)).toBe(true);
      await expect(login("rev", issued.token)).rejects.toThrow(/failed/);
    });

    test("an expired token is refused; a session ends when its token expires", async () => {
      await adminCall(kgate, "PUT", `/v1/vclusters/vc-exp-${kgateRuntime}`);
      const issued = await adminCall<Issued>(kgate, "POST", `/v1/vclusters/vc-exp-${kgateRuntime}/tokens`, { username: "exp", lifetimeSeconds: 2 });
      const conn = await login("exp", issued.token);
      await metadata(conn);
      await new Promise((r) => setTimeout(r, 3000));
      await expect(metadata(conn)).rejects.toThrow();
      await expect(login("exp", issued.token)).rejects.toBeInstanceOf(SaslLoginError);
      expect(await waitForLog(kgate, "SASL session expired")).toContain("SASL session expired");
    });

    test("the wrong user name for a token is refused", async () => {
      await adminCall(kgate, "PUT", `/v1/vclusters/vc-who-${kgateRuntime}`);
      const issued = await adminCall<Issued>(kgate, "POST", `/v1/vclusters/vc-who-${kgateRuntime}/tokens`, { username: "who" });
      await expect(login("somebody-else", issued.token)).rejects.toBeInstanceOf(SaslLoginError);
    });
  });
}
