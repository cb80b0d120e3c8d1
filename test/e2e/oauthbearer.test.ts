// SASL/OAUTHBEARER on kgate's client listener, with kgate under Bun and Deno (and the binary): the Java tools get
// kgate access tokens from POST /oauth/token (client_credentials, the standard login callback
// handler, no custom code); kafkajs logs in with an external issuer's token checked against a
// JWKS file the test makes; bad signature, wrong issuer or audience, expiry and `alg: none` get
// Kafka's JSON error challenge after the failed-login delay, then the failure; revocation and
// account deletion apply.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { Kafka, logLevel } from "kafkajs";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { oauthBearerClientMessage } from "../../src/sasl/oauthbearer.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, binaryAvailable, type KgateProcess, type KgateRuntime, startKgate, waitForLog } from "../support/kgate-process.ts";
import { waitFor } from "../support/wait.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const ISSUER = "https://idp.kgate.test";
/** A second issuer whose JWKS kgate fetches over HTTP from the test. */
const URL_ISSUER = "https://idp2.kgate.test";
const AUDIENCE = "kgate-e2e";
const DELAY_MS = 300;
const run = Date.now().toString(36);

// The binary too when it is built: jose must survive `bun build --compile`.
const runtimes: KgateRuntime[] = ["bun", "deno", ...(binaryAvailable() ? ["binary" as const] : [])];

for (const kgateRuntime of runtimes) {
  describe(`SASL/OAUTHBEARER (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let idpKey: CryptoKey;
    let strangerKey: CryptoKey;
    let urlIdpKey: CryptoKey;
    let jwksServer: Server;
    let jwksFetches = 0;
    let account: { login: string; password: string };
    const vc = `vc-oauth-${kgateRuntime}-${run}`;
    const otherVc = `vc-oauth2-${kgateRuntime}-${run}`;
    const now = () => Math.floor(Date.now() / 1000);
    const idpToken = (claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; iss?: string; aud?: string; exp?: number } = {}) =>
      new SignJWT({ tenant: vc, ...claims }).setProtectedHeader({ alg: "ES256", kid: "idp-1" }).setIssuer(opts.iss ?? ISSUER)
        .setAudience(opts.aud ?? AUDIENCE).setSubject("alice").setIssuedAt(now() - 5).setExpirationTime(opts.exp ?? now() + 600)
        .sign(opts.key ?? idpKey);
    const kgateToken = async (login: string, password: string) => {
      const res = await fetch(`${kgate.adminUrl}/oauth/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${btoa(`${encodeURIComponent(login)}:${encodeURIComponent(password)}`)}`,
        },
        body: "grant_type=client_credentials",
      });
      return { status: res.status, body: (await res.json()) as Msg };
    };
    /** One OAUTHBEARER login on a fresh connection: the first answer, and the answer to the \x01 if challenged. */
    const login = async (token: string) => {
      const conn = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { clientId: "oauth-raw" });
      const handshake: Msg = await conn.request(SASL_HANDSHAKE, 1, { mechanism: "OAUTHBEARER" });
      expect(handshake.errorCode).toBe(ErrorCode.NONE);
      const t0 = performance.now();
      const first: Msg = await conn.request(SASL_AUTHENTICATE, 2, { authBytes: oauthBearerClientMessage(token) });
      const elapsedMs = performance.now() - t0;
      const challenge = new TextDecoder().decode(first.authBytes);
      const final: Msg | undefined = first.errorCode === ErrorCode.NONE && challenge !== ""
        ? await conn.request(SASL_AUTHENTICATE, 2, { authBytes: new Uint8Array([1]) })
        : undefined;
      return { conn, first, challenge, final, elapsedMs };
    };

    beforeAll(async () => {
      const idp = await generateKeyPair("ES256", { extractable: true });
      idpKey = idp.privateKey;
      strangerKey = (await generateKeyPair("ES256")).privateKey;
      const urlIdp = await generateKeyPair("ES256", { extractable: true });
      urlIdpKey = urlIdp.privateKey;
      const urlJwks = JSON.stringify({ keys: [{ ...(await exportJWK(urlIdp.publicKey)), kid: "idp2-1", alg: "ES256" }] });
      jwksServer = createServer((_req, res) => {
        jwksFetches++;
        res.writeHead(200, { "content-type": "application/json" }).end(urlJwks);
      });
      await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
      const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/jwks`;
      const jwks = join(mkdtempSync(join(tmpdir(), "kgate-jwks-")), "jwks.json");
      writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: "idp-1", alg: "ES256", use: "sig" }] }));
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: {
          vclusters: [{ name: vc }, { name: otherVc }],
          limits: { failedAuthenticationDelayMs: DELAY_MS },
          auth: {
            oauth: {
              issuers: [
                { issuer: ISSUER, audience: AUDIENCE, jwks: { file: jwks }, vclusterClaim: "tenant" },
                { issuer: URL_ISSUER, audience: AUDIENCE, jwks: { url: jwksUrl }, vcluster: vc, usernameClaim: "email" },
              ],
            },
          },
        },
      });
      account = await adminCall(kgate, "POST", `/v1/vclusters/${vc}/service-accounts`, { username: "billing" });
    });
    afterAll(async () => {
      await kgate?.stop();
      jwksServer?.close();
    });

    test("kafkajs logs in with an external issuer's token (oauthBearerProvider) and sees only its vcluster", async () => {
      const kafka = new Kafka({
        clientId: "oauth-kafkajs",
        brokers: [kgate.bootstrap],
        sasl: { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: await idpToken() }) },
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "orders", numPartitions: 1 }], waitForLeaders: true });
      expect(await admin.listTopics()).toEqual(["orders"]);
      await admin.disconnect();
      expect(await waitForLog(kgate, "via oauth-external")).toMatch(new RegExp(`authenticated \\\\?"alice\\\\?" into ${vc} via oauth-external`));
    });

    test("an issuer's JWKS URL is fetched, cached, and its fixed vcluster and username claim apply", async () => {
      const token = () =>
        new SignJWT({ email: "carol@example.com" }).setProtectedHeader({ alg: "ES256", kid: "idp2-1" }).setIssuer(URL_ISSUER)
          .setAudience(AUDIENCE).setSubject("c-123").setExpirationTime(now() + 600).sign(urlIdpKey);
      for (let i = 0; i < 3; i++) {
        const { conn, first, challenge } = await login(await token());
        expect([first.errorCode, challenge]).toEqual([ErrorCode.NONE, ""]);
        conn.close();
      }
      expect(jwksFetches).toBe(1);
      expect(kgate.logs()).toMatch(new RegExp(`authenticated \\\\?"carol@example.com\\\\?" into ${vc} via oauth-external`));
    });

    test("the Java tools list the vcluster's topics with a token from kgate's token endpoint", async () => {
      const endpoint = `${kgate.adminUrl}/oauth/token`;
      const props = join(kgate.dir, "oauth.properties");
      writeFileSync(
        props,
        [
          `bootstrap.servers=${kgate.bootstrap}`,
          "security.protocol=SASL_PLAINTEXT",
          "sasl.mechanism=OAUTHBEARER",
          `sasl.oauthbearer.token.endpoint.url=${endpoint}`,
          "sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
          `sasl.oauthbearer.client.credentials.client.id=${account.login}`,
          `sasl.oauthbearer.client.credentials.client.secret=${account.password}`,
          "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;",
          "",
        ].join("\n"),
      );
      const res = await kafkaCli("kafka-topics", ["--bootstrap-server", kgate.bootstrap, "--command-config", props, "--list"], {
        // Kafka 4 refuses token endpoints not listed in this JVM system property.
        env: { JAVA_TOOL_OPTIONS: `-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${endpoint}` },
      });
      expect(res.stdout.split("\n").filter((l) => l !== "")).toEqual(["orders"]);
      expect(kgate.logs()).toMatch(new RegExp(`authenticated \\\\?"billing\\\\?" into ${vc} via oauth(?!-)`));
    });

    test("the token endpoint refuses a wrong secret after the delay, saying nothing about the account", async () => {
      const t0 = performance.now();
      const wrong = await kgateToken(account.login, "not-the-password-at-all");
      expect(performance.now() - t0).toBeGreaterThanOrEqual(DELAY_MS - 20);
      const unknown = await kgateToken(`nobody@${vc}`, account.password);
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(unknown.body).toEqual(wrong.body);
    });

    const refusals: [string, () => Promise<string>, RegExp][] = [
      ["a bad signature", () => idpToken({}, { key: strangerKey }), /bad signature/],
      ["a wrong issuer", () => idpToken({}, { iss: "https://evil.kgate.test" }), /is not configured/],
      ["a wrong audience", () => idpToken({}, { aud: "someone-else" }), /unexpected \\?"aud\\?" claim value/],
      ["an expired token", () => idpToken({}, { exp: now() - 60 }), /token expired/],
      ["a vcluster claim naming the passthrough view", () => idpToken({ tenant: "passthrough" }), /names the passthrough view/],
      [
        "alg none",
        async () => new UnsecuredJWT({ tenant: vc }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject("alice").setExpirationTime(now() + 600).encode(),
        /signature algorithm not allowed/,
      ],
    ];
    for (const [name, make, reason] of refusals) {
      test(`${name} gets the JSON error challenge after the delay, then SASL_AUTHENTICATION_FAILED`, async () => {
        const logsBefore = kgate.logs().length;
        const { conn, first, challenge, final, elapsedMs } = await login(await make());
        expect(first.errorCode).toBe(ErrorCode.NONE);
        expect(JSON.parse(challenge)).toEqual({ status: "invalid_token" });
        expect(elapsedMs).toBeGreaterThanOrEqual(DELAY_MS - 20);
        expect(final!.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
        conn.close();
        // Earlier connections' close lines may still trail in: look for this refusal's reason.
        const line = await waitFor(
          "the refusal's log line",
          async () => kgate.logs().slice(logsBefore).split("\n").find((l) => l.includes("OAUTHBEARER authentication failed") && reason.test(l)),
          3000,
        );
        expect(line).toContain("OAUTHBEARER authentication failed");
      });
    }

    test("re-authentication (KIP-368) with a fresh token keeps the connection; a token of another vcluster closes it", async () => {
      const { conn, challenge } = await login(await idpToken());
      expect(challenge).toBe("");
      const reauth = async (token: string): Promise<Msg> => {
        expect(((await conn.request(SASL_HANDSHAKE, 1, { mechanism: "OAUTHBEARER" })) as Msg).errorCode).toBe(ErrorCode.NONE);
        return conn.request(SASL_AUTHENTICATE, 2, { authBytes: oauthBearerClientMessage(token) });
      };
      expect((await reauth(await idpToken({ jti: "second" }))).errorCode).toBe(ErrorCode.NONE);
      expect(((await conn.request(3, 12, { ...defaultMetadataRequest(), topics: null })) as Msg).topics.map((t: Msg) => t.name)).toEqual(["orders"]);
      const moved: Msg = await reauth(await idpToken({ tenant: otherVc }));
      expect(moved.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      await expect(conn.request(3, 12, { ...defaultMetadataRequest(), topics: null })).rejects.toThrow();
    });

    test("a revoked access token no longer logs in; deleting the account closes its connections", async () => {
      const issued = await kgateToken(account.login, account.password);
      expect(issued.status).toBe(200);
      const ok = await login(issued.body.access_token);
      expect([ok.first.errorCode, ok.challenge]).toEqual([ErrorCode.NONE, ""]);
      expect(ok.first.sessionLifetimeMs).toBeGreaterThan(0n);
      const jti = JSON.parse(atob(issued.body.access_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).jti;
      await adminCall(kgate, "DELETE", `/v1/vclusters/${vc}/tokens/${jti}`);
      const revoked = await login(issued.body.access_token);
      expect(revoked.final?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      revoked.conn.close();
      expect(ok.conn.closed || (await ok.conn.request(3, 12, { ...defaultMetadataRequest(), topics: null }).then(() => false, () => true))).toBe(true);

      const second = await kgateToken(account.login, account.password);
      const open = await login(second.body.access_token);
      expect(open.challenge).toBe("");
      await adminCall(kgate, "DELETE", `/v1/vclusters/${vc}/service-accounts/billing`);
      for (let i = 0; i < 60 && !open.conn.closed; i++) {
        await open.conn.request(3, 12, { ...defaultMetadataRequest(), topics: null }).catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(open.conn.closed).toBe(true);
      const after = await login(second.body.access_token);
      expect(after.final?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      after.conn.close();
      expect((await kgateToken(account.login, account.password)).status).toBe(401);
    });
  });
}
