// POST /oauth/token (client_credentials) on the admin app, in process.
import { describe, expect, test } from "bun:test";
import { createAdminApp } from "../../src/admin/app.ts";
import { createKgateMetrics } from "../../src/metrics/metrics.ts";
import type { ClientAccount } from "../../src/auth/oauth-client-credentials.ts";
import { createKgateAccessTokens } from "../../src/auth/oauth-kgate-tokens.ts";
import { createTokenSigner } from "../../src/auth/tokens.ts";
import { configSchema } from "../../src/config/schema.ts";
import { scramCredential } from "../../src/sasl/scram-server.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const ADMIN = "test-admin-token";
const DELAY_MS = 150;

async function tokenEndpoint() {
  const clock = { now: Date.parse("2030-01-01T00:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  await store.load();
  await store.putVcluster({ name: "vc-a" });
  await store.putScramAccount({
    vcluster: "vc-a",
    username: "billing",
    scram: { "SCRAM-SHA-512": await scramCredential("SCRAM-SHA-512", "the-password", 4096) },
  });
  const config = configSchema.parse({ limits: { failedAuthenticationDelayMs: DELAY_MS }, auth: { oauth: { tokenLifetimeSeconds: 900 } } });
  const tokens = await createKgateAccessTokens(SECRET);
  const clientAccount = (id: string): ClientAccount | undefined => {
    const [username, vcluster] = id.split("@");
    const credential = store.listServiceAccounts(vcluster ?? "").find((a) => a.username === username)?.scram?.["SCRAM-SHA-512"];
    return credential ? { vcluster: vcluster!, username: username!, credential, mechanism: "SCRAM-SHA-512" } : undefined;
  };
  const app = createAdminApp({
    store,
    config,
    metrics: createKgateMetrics({ vclusterCount: () => 1 }).registry,
    clock: () => clock.now,
    adminToken: ADMIN,
    signer: await createTokenSigner(SECRET),
    oauth: { tokens, clientAccount },
  });
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.request("/oauth/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body });
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}` });
  return { app, store, tokens, clock, post, basic };
}

describe("POST /oauth/token", () => {
  test("HTTP Basic client credentials get a kgate access token without any admin token", async () => {
    const { post, basic, tokens, store, clock } = await tokenEndpoint();
    const res = await post("grant_type=client_credentials", basic("billing@vc-a", "the-password"));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "kafka" });
    const verified = await tokens.verify(body.access_token, clock.now);
    expect(verified).toMatchObject({ ok: true, claims: { sub: "billing", vcluster: "vc-a", scope: "kafka" } });
    // Recorded, so it can be revoked by id and goes with its account.
    expect(store.listTokens("vc-a").map((t) => t.jti)).toEqual([verified.ok ? verified.claims.jti : ""]);
  });

  test("client_id and client_secret as form fields work too", async () => {
    const { post } = await tokenEndpoint();
    const res = await post(`grant_type=client_credentials&client_id=${encodeURIComponent("billing@vc-a")}&client_secret=the-password&scope=kafka`);
    expect(res.status).toBe(200);
  });

  test("a wrong secret and an unknown account get the same 401 after the failed-login delay", async () => {
    const { post, basic } = await tokenEndpoint();
    const answers = [];
    for (const [id, secret] of [["billing@vc-a", "wrong-password"], ["nobody@vc-a", "the-password"], ["billing@vc-b", "the-password"]] as const) {
      const t0 = performance.now();
      const res = await post("grant_type=client_credentials", basic(id, secret));
      expect(performance.now() - t0).toBeGreaterThanOrEqual(DELAY_MS - 10);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Basic");
      answers.push(await res.json());
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]).toEqual({ error: "invalid_client", error_description: "client authentication failed" });
  });

  test("malformed requests get RFC 6749 errors", async () => {
    const { post, basic } = await tokenEndpoint();
    const good = basic("billing@vc-a", "the-password");
    const cases: [string, Record<string, string>, number, string][] = [
      ["grant_type=password", good, 400, "unsupported_grant_type"],
      ["", good, 400, "invalid_request"],
      ["grant_type=client_credentials&grant_type=client_credentials", good, 400, "invalid_request"],
      ["grant_type=client_credentials&client_id=billing%40vc-a&client_secret=the-password", good, 400, "invalid_request"],
      ["grant_type=client_credentials", {}, 401, "invalid_client"],
      ["grant_type=client_credentials", { authorization: "Basic !!!" }, 401, "invalid_client"],
      ["grant_type=client_credentials", { authorization: `Bearer ${ADMIN}` }, 401, "invalid_client"],
    ];
    for (const [body, headers, status, error] of cases) {
      const res = await post(body, headers);
      expect([body, res.status, (await res.json()).error]).toEqual([body, status, error]);
    }
    const json = await post("{}", { ...good, "content-type": "application/json" });
    expect(json.status).toBe(400);
  });

  test("a large body is refused before any check", async () => {
    const { post, basic } = await tokenEndpoint();
    const res = await post(`grant_type=client_credentials&x=${"a".repeat(20_000)}`, basic("billing@vc-a", "the-password"));
    expect(res.status).toBe(413);
  });

  test("the rest of the admin API still needs the admin token", async () => {
    const { app } = await tokenEndpoint();
    expect((await app.request("/v1/vclusters")).status).toBe(401);
    expect((await app.request("/oauth/token/../../v1/vclusters", { method: "POST" })).status).toBe(401);
  });
});
