// deno-lint-ignore-file no-explicit-any -- decoded messages and YAML documents are edited field by field here
// SaslHandshake v0 followed by bare SASL tokens (clients before KIP-152), with kgate under Bun and
// Deno: a raw-protocol client logs in with PLAIN (one token, one empty answer) and with SCRAM
// (two rounds), then uses the connection; a bad token gets no answer and the connection closes
// after the failed-authentication delay, as Kafka's SaslServerAuthenticator does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { decodeResponse, encodeRequest } from "../../src/protocol/codec.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { plainClientMessage } from "../../src/sasl/plain.ts";
import { ScramClient } from "../../src/sasl/scram.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";
import { concatBytes } from "../support/bytes.ts";
import { RawFramedSocket } from "../support/raw-socket.ts";

type Msg = Record<string, any>;
const SASL_HANDSHAKE = 17;
const METADATA = 3;
const DELAY_MS = 400;
const run = Date.now().toString(36);
const ALL_TOPICS = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

/** A bare SASL token frame: size prefix and bytes, no Kafka header. */
function bareToken(token: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + token.length);
  new DataView(out.buffer).setInt32(0, token.length);
  out.set(token, 4);
  return out;
}

function tokenOf(frame: Uint8Array): Uint8Array {
  return frame.subarray(4);
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`SaslHandshake v0 with bare SASL tokens (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const vc = `vc-unframed-${kgateRuntime}-${run}`;
    let token = "";
    let scramLogin = "";
    let scramPassword = "";

    beforeAll(async () => {
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: { vclusters: [{ name: vc }], limits: { failedAuthenticationDelayMs: DELAY_MS } },
      });
      token = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vc}/tokens`, { username: "old-client" })).token;
      const account = await adminCall<{ login: string; password: string }>(kgate, "POST", `/v1/vclusters/${vc}/service-accounts`, { username: "legacy" });
      scramLogin = account.login;
      scramPassword = account.password;
    });
    afterAll(async () => {
      if (kgate) expect(await kgate.stop()).toBe(0);
    });

    /** Connects and sends SaslHandshake v0; returns the socket and the decoded handshake answer. */
    async function handshakeV0(mechanism: string): Promise<{ socket: RawFramedSocket; answer: Msg }> {
      const socket = await RawFramedSocket.open("127.0.0.1", kgate.port);
      socket.write(encodeRequest({ apiKey: SASL_HANDSHAKE, apiVersion: 0, correlationId: 1, clientId: "old" }, { mechanism }));
      const frame = await socket.readFrame();
      expect(frame).not.toBeNull();
      const { header, body } = decodeResponse<Msg>(frame!, SASL_HANDSHAKE, 0);
      expect(header.correlationId).toBe(1);
      return { socket, answer: body };
    }

    /** A Metadata request on the logged-in connection: answered (not closed) with the tenant's view. */
    async function metadataWorks(socket: RawFramedSocket): Promise<void> {
      socket.write(encodeRequest({ apiKey: METADATA, apiVersion: 12, correlationId: 7, clientId: "old" }, ALL_TOPICS));
      const frame = await socket.readFrame();
      expect(frame).not.toBeNull();
      const { header, body } = decodeResponse<Msg>(frame!, METADATA, 12);
      expect(header.correlationId).toBe(7);
      expect(body.brokers.length).toBeGreaterThan(0);
      expect(body.brokers.every((b: Msg) => b.port >= kgate.port)).toBe(true);
      // a fresh vcluster: no topic of the backing cluster shows through
      expect(body.topics).toEqual([]);
    }

    test("PLAIN: one bare token, one empty bare answer, then Kafka requests work", async () => {
      const { socket, answer } = await handshakeV0("PLAIN");
      expect(answer.errorCode).toBe(0);
      expect(answer.mechanisms).toContain("PLAIN");
      socket.write(bareToken(plainClientMessage("old-client", token)));
      const reply = await socket.readFrame();
      expect(reply).toEqual(new Uint8Array(4)); // size 0, no header
      await metadataWorks(socket);
      socket.destroy();
      expect(await waitForLog(kgate, `into ${vc} via token`)).toContain(`into ${vc} via token`);
    });

    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
      test(`${mechanism}: two bare rounds, the server's proof verified, then Kafka requests work`, async () => {
        const { socket, answer } = await handshakeV0(mechanism);
        expect(answer.errorCode).toBe(0);
        const client = new ScramClient(mechanism, scramLogin, scramPassword);
        socket.write(bareToken(await client.clientFirst()));
        const serverFirst = await socket.readFrame();
        expect(serverFirst).not.toBeNull();
        expect(new TextDecoder().decode(tokenOf(serverFirst!))).toMatch(/^r=.+,s=.+,i=\d+$/);
        socket.write(bareToken(await client.clientFinal(tokenOf(serverFirst!))));
        const serverFinal = await socket.readFrame();
        expect(serverFinal).not.toBeNull();
        await client.verifyServerFinal(tokenOf(serverFinal!)); // throws unless kgate proved the password
        await metadataWorks(socket);
        socket.destroy();
      });
    }

    test("a wrong PLAIN password gets no answer; the connection closes after the delay", async () => {
      const { socket } = await handshakeV0("PLAIN");
      const t0 = performance.now();
      socket.write(bareToken(plainClientMessage("old-client", `${token}x`)));
      expect(await socket.closed()).toBe(true);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(DELAY_MS - 50);
      expect(socket.pendingBytes).toBe(0);
      expect(await waitForLog(kgate, "authentication of")).toMatch(/authentication of \S*old-client\S* failed/);
    });

    test("a wrong SCRAM proof gets no answer; the connection closes after the delay", async () => {
      const { socket } = await handshakeV0("SCRAM-SHA-512");
      const client = new ScramClient("SCRAM-SHA-512", scramLogin, "not-the-password-at-all");
      socket.write(bareToken(await client.clientFirst()));
      const serverFirst = await socket.readFrame();
      expect(serverFirst).not.toBeNull();
      const t0 = performance.now();
      socket.write(bareToken(await client.clientFinal(tokenOf(serverFirst!))));
      expect(await socket.closed()).toBe(true);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(DELAY_MS - 50);
      expect(socket.pendingBytes).toBe(0);
    });

    test("a garbage first SCRAM token, and a Kafka request where a token belongs, close after the delay", async () => {
      const kafkaRequest = tokenOf(concatBytes(encodeRequest({ apiKey: METADATA, apiVersion: 12, correlationId: 9, clientId: "old" }, ALL_TOPICS)));
      for (const garbage of [new TextEncoder().encode("not a scram message"), kafkaRequest]) {
        const { socket } = await handshakeV0("SCRAM-SHA-256");
        const t0 = performance.now();
        socket.write(bareToken(garbage));
        expect(await socket.closed()).toBe(true);
        expect(performance.now() - t0).toBeGreaterThanOrEqual(DELAY_MS - 50);
        expect(socket.pendingBytes).toBe(0);
      }
    });

    test("a bare token larger than the pre-authentication frame limit closes the connection", async () => {
      const { socket } = await handshakeV0("PLAIN");
      socket.write(bareToken(new Uint8Array(600 * 1024))); // Kafka's sasl.server.max.receive.size is 512 KiB
      expect(await socket.closed()).toBe(true);
      expect(socket.pendingBytes).toBe(0);
      // refused by its size prefix, not read and parsed as a token
      expect(await waitForLog(kgate, "exceeds maximum 524288")).toContain(`frame size ${600 * 1024} exceeds maximum 524288`);
    });

    test("SaslHandshake v0 after a login (re-authentication needs v1) closes the connection", async () => {
      const { socket } = await handshakeV0("PLAIN");
      socket.write(bareToken(plainClientMessage("old-client", token)));
      expect(await socket.readFrame()).toEqual(new Uint8Array(4));
      socket.write(encodeRequest({ apiKey: SASL_HANDSHAKE, apiVersion: 0, correlationId: 2, clientId: "old" }, { mechanism: "PLAIN" }));
      expect(await socket.closed()).toBe(true);
      expect(socket.pendingBytes).toBe(0);
      expect(await waitForLog(kgate, "re-authentication needs SaslHandshake v1")).toContain("SaslHandshake v0 after authentication");
    });

    test("an unsupported mechanism in SaslHandshake v0 is answered UNSUPPORTED_SASL_MECHANISM and closed", async () => {
      const { socket, answer } = await handshakeV0("GSSAPI");
      expect(answer.errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
      expect(answer.mechanisms).toEqual(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]);
      expect(await socket.closed()).toBe(true);
    });
  });
}
