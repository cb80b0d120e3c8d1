// The isolation suite, kgate's own answers inside a vcluster: ApiVersions lists only offered APIs, SASL lets no one in
// as someone else, APIs not offered are refused, and client telemetry tells nothing of anyone.
// Two tenants on one kgate and one real broker; the setup and the leak check of every response
// are in test/support/isolation/fixture.ts. Runs once with kgate on Bun and once on Deno.
import { describe, expect, test } from "bun:test";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { API_LIST } from "../../src/protocol/registry.ts";
import { runtime } from "../../src/runtime/index.ts";
import { plainClientMessage } from "../../src/sasl/plain.ts";
import { ErrorCode } from "../../src/protocol/messages/errors.ts";
import { offeredApiKeys, offeredVersions } from "../../src/vcluster/allowed-apis.ts";
import { waitForLog } from "../support/kgate-process.ts";
import {
  aliceToken,
  API,
  asAlice,
  assertClean,
  backing,
  bob,
  BOB_PREFIX,
  bobToken,
  brokerAddress,
  connectAs,
  cover,
  E,
  isolationSuite,
  kgate,
  maxVersion,
  metadataBody,
  v,
  ZERO_ID,
} from "../support/isolation/fixture.ts";

isolationSuite("identity", () => {
  describe("identity and the offered API set", () => {
    test("ApiVersions inside a vcluster lists only offered APIs and versions", async () => {
      const res = await asAlice(API.ApiVersions, v(API.ApiVersions), { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
      const offered = new Set(offeredApiKeys());
      for (const k of res.apiKeys) {
        expect(offered.has(k.apiKey)).toBe(true);
        const o = offeredVersions(k.apiKey)!;
        expect(k.minVersion).toBeGreaterThanOrEqual(o.min);
        expect(k.maxVersion).toBeLessThanOrEqual(o.max);
      }
      const listed = new Set(res.apiKeys.map((k) => k.apiKey));
      // cluster-level APIs are not advertised at all
      for (const k of [4, 5, 6, 7, 34, 38, 43, 45, 48, 49, 50, 51, 55, 56, 57, 64, 74]) expect(listed.has(k)).toBe(false);
      // kgate answers SASL itself, so it is always advertised
      expect(listed.has(API.SaslHandshake)).toBe(true);
      expect(listed.has(API.SaslAuthenticate)).toBe(true);
      // every offered API the broker supports is advertised
      const served = await backing.request(API.ApiVersions, 3, { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
      const unlisted = served.apiKeys.map((k) => k.apiKey as number).filter((k: number) => offered.has(k) && !listed.has(k));
      expect(unlisted).toEqual([]);
      cover(API.ApiVersions);
    });

    test("an unauthenticated client gets ApiVersions (clamped) but never data: the connection is closed", async () => {
      const anon = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
      const versions = await anon.request(API.ApiVersions, 3, { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
      expect(versions.apiKeys.every((k) => offeredVersions(k.apiKey) !== null)).toBe(true);
      await expect(anon.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
      expect(anon.closed).toBe(true);

      // the bootstrap port as well, and a data request as the very first request
      const anon2 = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { clientId: "iso-anon" });
      await expect(anon2.request(API.ListGroups, 5, { statesFilter: [], typesFilter: [] })).rejects.toThrow();
      // The log line may trail the close by a moment on a busy machine.
      expect(await waitForLog(kgate, "authentication required", 15_000)).toContain("authentication required");
    });

    test("a SaslAuthenticate before SaslHandshake gets ILLEGAL_SASL_STATE and is closed", async () => {
      const c = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
      const res = await c.request(API.SaslAuthenticate, 2, { authBytes: plainClientMessage("alice", aliceToken) });
      expect(res.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
      await expect(c.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
    });

    test("a wrong token, or bob's token under alice's name, gets SASL_AUTHENTICATION_FAILED and is closed", async () => {
      for (const [username, password] of [["alice", `${aliceToken}x`], ["alice", bobToken], ["alice", "not-a-token"], ["bob", aliceToken]]) {
        const c = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
        const hs = await c.request(API.SaslHandshake, 1, { mechanism: "PLAIN" });
        expect(hs.errorCode).toBe(0);
        expect(hs.mechanisms).toEqual(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]);
        const res = await c.request(API.SaslAuthenticate, 2, { authBytes: plainClientMessage(username!, password!) });
        expect(res.errorCode).toBe(E.SASL_AUTHENTICATION_FAILED);
        assertClean(res, "SaslAuthenticate");
        await expect(c.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
      }
      // a mechanism kgate does not offer
      const c = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
      const hs = await c.request(API.SaslHandshake, 1, { mechanism: "GSSAPI" });
      expect(hs.errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
      await expect(c.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
      // and the right token works (the connection helper logs in with Handshake v1 + Authenticate v2)
      const ok = await connectAs("alice", aliceToken);
      expect((await ok.request(API.Metadata, 12, metadataBody(null))).topics.length).toBeGreaterThan(0);
      ok.close();
      cover(API.SaslHandshake, API.SaslAuthenticate);
    });

    test("APIs not offered are refused inside a vcluster: CLUSTER_AUTHORIZATION_FAILED or the connection is closed", async () => {
      const offered = new Set(offeredApiKeys());
      const refused: string[] = [];
      let conn = await connectAs("alice", aliceToken);
      for (const spec of API_LIST) {
        if (offered.has(spec.apiKey)) continue;
        if (conn.closed) conn = await connectAs("alice", aliceToken);
        const outcome = await conn.requestUntyped<{ errorCode?: number }>(spec.apiKey, spec.maxVersion, spec.request.create()).then(
          (res) => res,
          () => "closed" as const,
        );
        if (outcome === "closed") {
          expect(conn.closed).toBe(true);
          refused.push(`${spec.name}:closed`);
        } else {
          expect(outcome.errorCode).toBe(E.CLUSTER_AUTHORIZATION_FAILED);
          refused.push(`${spec.name}:31`);
        }
      }
      conn.close();
      expect(refused.length).toBeGreaterThan(20);
    });
  });

  describe("client telemetry: answered by kgate, no subscription, nothing of anyone else", () => {
    test("GetTelemetrySubscriptions asks for no metrics; PushTelemetry is accepted and dropped", async () => {
      // offered to alice whether or not the backing broker has a telemetry plugin (the test broker has none)
      expect(maxVersion.has(API.GetTelemetrySubscriptions) && maxVersion.has(API.PushTelemetry)).toBe(true);
      const first = await asAlice(API.GetTelemetrySubscriptions, v(API.GetTelemetrySubscriptions), { clientInstanceId: ZERO_ID });
      expect(first.errorCode).toBe(0);
      expect(first.requestedMetrics).toEqual([]);
      expect(first.pushIntervalMs).toBeGreaterThan(0);
      expect(first.clientInstanceId).not.toBe(ZERO_ID);
      // bob's instance id gets alice nothing of bob's: the same empty answer, echoed
      const bobs = await bob.request(API.GetTelemetrySubscriptions, v(API.GetTelemetrySubscriptions), { clientInstanceId: ZERO_ID });
      expect(bobs.clientInstanceId).not.toBe(first.clientInstanceId);
      const asBobsId = await asAlice(API.GetTelemetrySubscriptions, v(API.GetTelemetrySubscriptions), { clientInstanceId: bobs.clientInstanceId });
      expect(asBobsId.clientInstanceId).toBe(bobs.clientInstanceId);
      expect(asBobsId.requestedMetrics).toEqual([]);
      expect(asBobsId.subscriptionId).toBe(first.subscriptionId);
      const pushed = await asAlice(API.PushTelemetry, v(API.PushTelemetry), {
        clientInstanceId: first.clientInstanceId,
        subscriptionId: first.subscriptionId,
        terminating: true,
        compressionType: 0,
        metrics: new TextEncoder().encode(`metrics naming ${BOB_PREFIX}secret`),
      });
      expect(pushed.errorCode).toBe(0);
      // the connection is still usable after the push
      const md = await asAlice(API.Metadata, 12, metadataBody(null));
      expect(md.topics.map((t) => t.name)).toContain("orders");
      cover(API.GetTelemetrySubscriptions, API.PushTelemetry);
    });
  });
});
