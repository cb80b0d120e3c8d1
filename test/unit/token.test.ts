import { describe, expect, test } from "bun:test";
import { decodeBase64Url, encodeBase64Url } from "../../src/auth/base64url.ts";
import { constantTimeEqual } from "../../src/auth/constant-time.ts";
import { createPlainAuthenticator } from "../../src/auth/plain-authenticator.ts";
import { createTokenSigner } from "../../src/auth/tokens.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const NOW = Date.parse("2030-01-01T00:00:00Z");
const utf8 = new TextEncoder();

describe("HS256 tokens", () => {
  test("issue then verify returns the claims", async () => {
    const signer = await createTokenSigner(SECRET);
    const { token, claims } = await signer.issue({ username: "alice", vcluster: "vc-a", lifetimeSeconds: 60, now: NOW });
    expect(token.split(".")).toHaveLength(3);
    expect(claims).toMatchObject({ sub: "alice", vcluster: "vc-a", iat: NOW / 1000, exp: NOW / 1000 + 60 });
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await signer.verify(token, { now: NOW + 1000 })).toEqual({ ok: true, claims });
  });

  test("the signature matches an independent HMAC-SHA256 over header.payload", async () => {
    const signer = await createTokenSigner(SECRET);
    const { token } = await signer.issue({ username: "a", vcluster: "v", lifetimeSeconds: 60, now: NOW });
    const [header, payload, signature] = token.split(".");
    const hasher = new Bun.CryptoHasher("sha256", SECRET);
    hasher.update(`${header}.${payload}`);
    expect(signature).toBe(encodeBase64Url(new Uint8Array(hasher.digest())));
    expect(JSON.parse(new TextDecoder().decode(decodeBase64Url(header!)))).toEqual({ alg: "HS256", typ: "JWT" });
  });

  test("expiry, revocation, tampering, foreign keys and other algorithms are refused", async () => {
    const signer = await createTokenSigner(SECRET);
    const { token, claims } = await signer.issue({ username: "a", vcluster: "v", lifetimeSeconds: 60, now: NOW });
    expect(await signer.verify(token, { now: NOW + 60_000 })).toEqual({ ok: false, reason: "expired" });
    expect(await signer.verify(token, { now: NOW, isRevoked: (jti) => jti === claims.jti })).toEqual({ ok: false, reason: "revoked" });

    const [header, payload, signature] = token.split(".");
    const forged = encodeBase64Url(utf8.encode(JSON.stringify({ ...claims, vcluster: "other" })));
    expect(await signer.verify(`${header}.${forged}.${signature}`, { now: NOW })).toEqual({ ok: false, reason: "bad-signature" });

    const other = await createTokenSigner("another-secret-another-secret-xx");
    expect(await other.verify(token, { now: NOW })).toEqual({ ok: false, reason: "bad-signature" });

    const none = encodeBase64Url(utf8.encode(JSON.stringify({ alg: "none", typ: "JWT" })));
    expect(await signer.verify(`${none}.${payload}.`, { now: NOW })).toEqual({ ok: false, reason: "malformed" });
    for (const junk of ["", "a.b", "a.b.c.d", `${header}.${payload}.!!`, `${header}.%%.${signature}`]) {
      expect((await signer.verify(junk, { now: NOW })).ok).toBe(false);
    }
  });
});

describe("constantTimeEqual", () => {
  test("compares content and length", () => {
    expect(constantTimeEqual("secret", "secret")).toBe(true);
    expect(constantTimeEqual("secret", "secreT")).toBe(false);
    expect(constantTimeEqual("secret", "secret2")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("", "x")).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
  });
});

describe("SASL/PLAIN authenticator", () => {
  async function setup() {
    let now = NOW;
    const store = new MemoryStore(() => now);
    await store.load();
    await store.putVcluster({ name: "vc-a" });
    const signer = await createTokenSigner(SECRET);
    const auth = createPlainAuthenticator({
      store,
      signer,
      staticUsers: [{ username: "svc", password: "pw", vcluster: "vc-a" }],
      clock: () => now,
    });
    return { store, signer, auth, advance: (ms: number) => void (now += ms) };
  }

  test("static users authenticate with their password only", async () => {
    const { auth } = await setup();
    expect(await auth("svc", "pw")).toMatchObject({ ok: true, vcluster: "vc-a", via: "static-user" });
    expect((await auth("svc", "nope")).ok).toBe(false);
  });

  test("a token authenticates its own user into its vcluster until revoked", async () => {
    const { store, signer, auth } = await setup();
    const { token, claims } = await signer.issue({ username: "alice", vcluster: "vc-a", lifetimeSeconds: 60, now: NOW });
    await store.recordIssuedToken({ jti: claims.jti, vcluster: "vc-a", username: "alice", issuedAt: claims.iat, expiresAt: claims.exp });
    expect(await auth("alice", token)).toMatchObject({ ok: true, vcluster: "vc-a", via: "token", tokenId: claims.jti });
    expect(await auth("mallory", token)).toMatchObject({ ok: false });
    await store.revokeToken("vc-a", claims.jti);
    expect(await auth("alice", token)).toMatchObject({ ok: false, reason: expect.stringContaining("revoked") });
  });

  test("a token does not survive deleting and re-creating its vcluster", async () => {
    const { store, signer, auth, advance } = await setup();
    const { token } = await signer.issue({ username: "alice", vcluster: "vc-a", lifetimeSeconds: 600, now: NOW });
    await store.deleteVcluster("vc-a");
    expect((await auth("alice", token)).ok).toBe(false);
    advance(5000);
    await store.putVcluster({ name: "vc-a" });
    expect(await auth("alice", token)).toMatchObject({ ok: false, reason: expect.stringContaining("predates") });
  });
});
