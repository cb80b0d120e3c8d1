// kgate's own access tokens, external issuers' tokens against a JWKS file, the bearer
// authenticator's store checks, and the client_credentials secret check.
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT, UnsecuredJWT } from "jose";
import { createBearerAuthenticator } from "../../src/auth/oauth-authenticator.ts";
import { clientSecretMatches } from "../../src/auth/oauth-client-credentials.ts";
import { type ExternalIssuerConfig, ExternalIssuers } from "../../src/auth/oauth-external-issuers.ts";
import { createKgateAccessTokens } from "../../src/auth/oauth-kgate-tokens.ts";
import { createTokenSigner } from "../../src/auth/tokens.ts";
import { configSchema } from "../../src/config/schema.ts";
import { scramCredential } from "../../src/sasl/scram-server.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const NOW = Date.parse("2030-01-01T00:00:00Z");
const readText = (p: string) => readFile(p, "utf8");

describe("kgate access tokens", () => {
  test("issued tokens verify and carry sub, vcluster, jti, exp, scope", async () => {
    const tokens = await createKgateAccessTokens(SECRET);
    const { token, claims } = await tokens.issue({ username: "billing", vcluster: "vc-a", lifetimeSeconds: 600, now: NOW });
    expect(claims).toMatchObject({ sub: "billing", vcluster: "vc-a", exp: NOW / 1000 + 600, scope: "kafka" });
    expect(await tokens.verify(token, NOW + 1000)).toEqual({ ok: true, claims });
  });

  test("expired, foreign-key and tampered tokens are refused with a reason", async () => {
    const tokens = await createKgateAccessTokens(SECRET);
    const other = await createKgateAccessTokens("another-secret-another-secret-1234");
    const { token } = await tokens.issue({ username: "billing", vcluster: "vc-a", lifetimeSeconds: 60, now: NOW });
    expect(await tokens.verify(token, NOW + 61_000)).toEqual({ ok: false, reason: "token expired" });
    expect(await other.verify(token, NOW)).toEqual({ ok: false, reason: "bad signature" });
    const [h, p, s] = token.split(".");
    const forged = btoa(JSON.stringify({ ...JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/"))), vcluster: "vc-b" })).replace(/=+$/, "").replace(
      /\+/g,
      "-",
    ).replace(/\//g, "_");
    expect(await tokens.verify(`${h}.${forged}.${s}`, NOW)).toEqual({ ok: false, reason: "bad signature" });
  });

  test("a SASL/PLAIN token is not an access token, nor the other way round (separate keys and headers)", async () => {
    const tokens = await createKgateAccessTokens(SECRET);
    const signer = await createTokenSigner(SECRET);
    const plain = await signer.issue({ username: "billing", vcluster: "vc-a", lifetimeSeconds: 600, now: NOW });
    expect((await tokens.verify(plain.token, NOW)).ok).toBe(false);
    const access = await tokens.issue({ username: "billing", vcluster: "vc-a", lifetimeSeconds: 600, now: NOW });
    expect((await signer.verify(access.token, { now: NOW })).ok).toBe(false);
  });

  test("alg none is refused", async () => {
    const tokens = await createKgateAccessTokens(SECRET);
    const unsecured = new UnsecuredJWT({ vcluster: "vc-a" }).setIssuer("kgate").setAudience("kgate").setSubject("x").setJti("j").setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 60).encode();
    expect(await tokens.verify(unsecured, NOW)).toEqual({ ok: false, reason: "signature algorithm not allowed" });
  });
});

describe("external issuers", () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let jwk: JWK;
  let dir: string;
  const issuer = (over: Partial<ExternalIssuerConfig> = {}): ExternalIssuerConfig => ({
    issuer: "https://idp.example",
    audience: "kafka",
    jwks: { file: join(dir, "jwks.json") },
    refreshSeconds: 300,
    usernameClaim: "sub",
    vclusterClaim: "tenant",
    ...over,
  });
  const sign = (claims: Record<string, unknown>, key: CryptoKey = privateKey, over: { iss?: string; aud?: string; exp?: number; kid?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: over.kid ?? "k1" }).setIssuer(over.iss ?? "https://idp.example").setAudience(
      over.aud ?? "kafka",
    )
      .setSubject("alice").setIssuedAt(NOW / 1000).setExpirationTime(over.exp ?? NOW / 1000 + 300).sign(key);

  beforeAll(async () => {
    otherKey = (await generateKeyPair("ES256")).privateKey;
    jwk = { ...(await exportJWK((await generateKeyPair("ES256", { extractable: true })).publicKey)), kid: "unused" };
    dir = mkdtempSync(join(tmpdir(), "kgate-jwks-"));
    // The key matching privateKey, found by its kid, next to one that matches nothing.
    const { publicKey: matching, privateKey: signing } = await generateKeyPair("ES256", { extractable: true });
    privateKey = signing;
    writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [jwk, { ...(await exportJWK(matching)), kid: "k1", alg: "ES256" }] }));
  });

  test("a good token maps its claims to user and vcluster; a fixed vcluster also works", async () => {
    const issuers = await ExternalIssuers.load([issuer()], readText, NOW);
    const verified = await issuers.verify(await sign({ tenant: "vc-a", jti: "t1" }), NOW);
    expect(verified).toEqual({ ok: true, issuer: "https://idp.example", username: "alice", vcluster: "vc-a", expiresAt: NOW + 300_000, tokenId: "t1" });
    const fixed = await ExternalIssuers.load([issuer({ vclusterClaim: undefined, vcluster: "vc-fixed", usernameClaim: "email" })], readText, NOW);
    expect(await fixed.verify(await sign({ email: "a@example.com" }), NOW)).toMatchObject({ ok: true, username: "a@example.com", vcluster: "vc-fixed" });
  });

  test.each([
    ["bad signature", async () => sign({ tenant: "vc-a" }, otherKey), /bad signature/],
    ["wrong issuer", async () => sign({ tenant: "vc-a" }, undefined, { iss: "https://evil.example" }), /issuer "https:\/\/evil.example" is not configured/],
    ["wrong audience", async () => sign({ tenant: "vc-a" }, undefined, { aud: "other" }), /claim check failed: unexpected "aud"/],
    ["expired", async () => sign({ tenant: "vc-a" }, undefined, { exp: NOW / 1000 - 1 }), /token expired/],
    ["unknown key id", async () => sign({ tenant: "vc-a" }, undefined, { kid: "nope" }), /no key of the issuer's JWKS/],
    [
      "alg none",
      async () =>
        new UnsecuredJWT({ tenant: "vc-a" }).setIssuer("https://idp.example").setAudience("kafka").setSubject("alice").setExpirationTime(NOW / 1000 + 60)
          .encode(),
      /signature algorithm not allowed/,
    ],
    [
      "HS256 with the public key as secret",
      async () =>
        new SignJWT({ tenant: "vc-a" }).setProtectedHeader({ alg: "HS256", kid: "k1" }).setIssuer("https://idp.example").setAudience("kafka").setSubject(
          "alice",
        ).setExpirationTime(NOW / 1000 + 60).sign(new TextEncoder().encode(JSON.stringify(jwk))),
      /algorithm not allowed/,
    ],
    ["missing vcluster claim", async () => sign({}), /lacks a usable "tenant" claim/],
    ["a vcluster claim that is not text", async () => sign({ tenant: ["vc-a"] }), /lacks a usable "tenant" claim/],
    ["not a JWT", async () => "abc.def", /not a JWT/],
  ])("refuses %s with a reason", async (_, make, reason) => {
    const issuers = await ExternalIssuers.load([issuer()], readText, NOW);
    const verified = await issuers.verify(await make(), NOW);
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.reason).toMatch(reason);
  });

  test("a missing JWKS file fails the load (the start)", async () => {
    await expect(ExternalIssuers.load([issuer({ jwks: { file: join(dir, "missing.json") } })], readText, NOW)).rejects.toThrow(
      /^auth.oauth.issuers.0.jwks.file: /,
    );
  });

  test("a rotated key in the JWKS file is picked up without a restart", async () => {
    const path = join(dir, "rotating.json");
    writeFileSync(path, JSON.stringify({ keys: [] }));
    const issuers = await ExternalIssuers.load([issuer({ jwks: { file: path } })], readText, NOW);
    const { publicKey, privateKey: rotated } = await generateKeyPair("ES256", { extractable: true });
    writeFileSync(path, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1" }] }));
    const token = await sign({ tenant: "vc-a" }, rotated, { exp: NOW / 1000 + 3600 });
    expect((await issuers.verify(token, NOW + 1000)).ok).toBe(false); // within the reload cooldown
    expect((await issuers.verify(token, NOW + 11_000)).ok).toBe(true); // unknown kid: file re-read
  });
});

describe("bearer authenticator", () => {
  test("kgate tokens need the account, the vcluster incarnation and no revocation", async () => {
    const clock = { now: NOW };
    const store = new MemoryStore(() => clock.now);
    await store.load();
    await store.putVcluster({ name: "vc-a" });
    await store.putScramAccount({ vcluster: "vc-a", username: "billing", scram: { "SCRAM-SHA-256": await scramCredential("SCRAM-SHA-256", "pw", 4096) } });
    const kgateTokens = await createKgateAccessTokens(SECRET);
    const external = await ExternalIssuers.load([], readText, NOW);
    const authenticate = createBearerAuthenticator({ store, kgateTokens, external, clock: () => clock.now });
    clock.now += 1000;
    const { token, claims } = await kgateTokens.issue({ username: "billing", vcluster: "vc-a", lifetimeSeconds: 600, now: clock.now });
    await store.recordIssuedToken({ jti: claims.jti, vcluster: "vc-a", username: "billing", issuedAt: claims.iat, expiresAt: claims.exp });
    expect(await authenticate(token)).toEqual({
      ok: true,
      vcluster: "vc-a",
      username: "billing",
      via: "oauth",
      tokenId: claims.jti,
      expiresAt: claims.exp * 1000,
    });

    await store.revokeToken("vc-a", claims.jti);
    expect(await authenticate(token)).toMatchObject({ ok: false, reason: expect.stringContaining("was revoked") });

    const second = await kgateTokens.issue({ username: "billing", vcluster: "vc-a", lifetimeSeconds: 600, now: clock.now });
    expect((await authenticate(second.token)).ok).toBe(true);
    await store.deleteServiceAccount("vc-a", "billing");
    expect(await authenticate(second.token)).toMatchObject({ ok: false, reason: expect.stringContaining("no longer exists") });

    const ghost = await kgateTokens.issue({ username: "billing", vcluster: "vc-gone", lifetimeSeconds: 600, now: clock.now });
    expect(await authenticate(ghost.token)).toMatchObject({ ok: false, reason: expect.stringContaining("missing vcluster") });
    expect(await authenticate("not-a-jwt")).toEqual({ ok: false, reason: "token is not a JWT" });
  });
});

describe("client_credentials secret check", () => {
  test("the right password matches the stored SCRAM key; a wrong one or no account does not", async () => {
    const credential = await scramCredential("SCRAM-SHA-512", "s3cret-password", 4096);
    const account = { vcluster: "vc-a", username: "billing", credential, mechanism: "SCRAM-SHA-512" as const };
    expect(await clientSecretMatches(account, "s3cret-password", 4096)).toBe(true);
    expect(await clientSecretMatches(account, "s3cret-passwore", 4096)).toBe(false);
    expect(await clientSecretMatches(undefined, "s3cret-password", 4096)).toBe(false);
    const sha256 = { ...account, mechanism: "SCRAM-SHA-256" as const, credential: await scramCredential("SCRAM-SHA-256", "pw-256", 4096) };
    expect(await clientSecretMatches(sha256, "pw-256", 4096)).toBe(true);
  });
});

describe("auth.oauth config", () => {
  const issuerWith = (over: Record<string, unknown>) => ({
    auth: { oauth: { issuers: [{ issuer: "https://idp", audience: "k", jwks: { file: "/j.json" }, vcluster: "vc-a", ...over }] } },
  });
  test("defaults: one-hour tokens, no issuers; an issuer's usernameClaim is sub", () => {
    expect(configSchema.parse({}).auth.oauth).toEqual({ tokenLifetimeSeconds: 3600, issuers: [] });
    expect(configSchema.parse(issuerWith({})).auth.oauth.issuers[0]).toMatchObject({ usernameClaim: "sub", refreshSeconds: 300 });
  });
  test.each([
    ["kgate's own issuer name", { issuer: "kgate" }],
    ["both vclusterClaim and vcluster", { vclusterClaim: "tenant" }],
    ["neither vclusterClaim nor vcluster", { vcluster: undefined }],
    ["both a JWKS file and url", { jwks: { file: "/j.json", url: "https://idp/jwks" } }],
    ["a JWKS url that is not http(s)", { jwks: { url: "file:///etc/jwks" } }],
    ["no audience", { audience: undefined }],
    ["the passthrough view as the fixed vcluster", { vcluster: "passthrough" }],
  ])("refuses %s", (_, over) => {
    expect(configSchema.safeParse(issuerWith(over)).success).toBe(false);
  });
});

describe("bearer authenticator, external issuers", () => {
  test("a vcluster claim naming the passthrough view (the whole backing cluster) is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kgate-jwks-"));
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1" }] }));
    const store = new MemoryStore(() => NOW);
    await store.load();
    await store.putVcluster({ name: "vc-a" });
    const external = await ExternalIssuers.load(
      [{
        issuer: "https://idp",
        audience: "kafka",
        jwks: { file: join(dir, "jwks.json") },
        refreshSeconds: 300,
        usernameClaim: "sub",
        vclusterClaim: "tenant",
      }],
      readText,
      NOW,
    );
    const authenticate = createBearerAuthenticator({ store, kgateTokens: await createKgateAccessTokens(SECRET), external, clock: () => NOW });
    const token = (tenant: string) =>
      new SignJWT({ tenant }).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer("https://idp").setAudience("kafka")
        .setSubject("mallory").setExpirationTime(NOW / 1000 + 60).sign(privateKey);
    expect(await authenticate(await token("vc-a"))).toMatchObject({ ok: true, vcluster: "vc-a", via: "oauth-external" });
    expect(await authenticate(await token("passthrough"))).toMatchObject({ ok: false, reason: expect.stringContaining("passthrough") });
    expect(await authenticate(await token("vc-missing"))).toMatchObject({ ok: false, reason: expect.stringContaining("missing vcluster") });
  });
});
