import { describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, controlPlane } from "../support/control-plane-fixture.ts";

describe("admin API authentication", () => {
  test("401 without or with a wrong bearer token, on every route but /healthz", async () => {
    const { app } = await controlPlane();
    const routes: [string, string][] = [
      ["GET", "/v1/vclusters"],
      ["PUT", "/v1/vclusters/a"],
      ["GET", "/v1/vclusters/a"],
      ["DELETE", "/v1/vclusters/a"],
      ["POST", "/v1/vclusters/a/tokens"],
      ["DELETE", "/v1/vclusters/a/tokens/x"],
      ["GET", "/metrics"],
      ["GET", "/openapi.json"],
      ["GET", "/docs"],
      ["GET", "/nope"],
    ];
    for (const [method, path] of routes) {
      for (const authorization of [undefined, "Bearer wrong", `Basic ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}x`]) {
        const res = await app.request(path, { method, headers: authorization ? { authorization } : {} });
        expect([method, path, authorization, res.status]).toEqual([method, path, authorization, 401]);
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
        expect((await res.json()).error).toBeString();
      }
    }
    const health = await app.request("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
  });

  test("admin.publicDocs opens only the API description", async () => {
    const { app } = await controlPlane({ admin: { publicDocs: true } });
    expect((await app.request("/openapi.json")).status).toBe(200);
    expect((await app.request("/docs")).status).toBe(200);
    expect((await app.request("/v1/vclusters")).status).toBe(401);
  });
});

describe("vcluster routes", () => {
  test("PUT creates (201), repeats (200), GET shows prefix, bootstrap and client properties", async () => {
    const { call } = await controlPlane({ listener: { advertisedHost: "gw.example", port: 7000 } });
    const created = await call("PUT", "/v1/vclusters/vc-alice");
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({ name: "vc-alice", prefix: "vc-alice.", bootstrap: "gw.example:7000" });
    expect(body.clientProperties).toContain("bootstrap.servers=gw.example:7000\n");
    expect(body.clientProperties).toContain("sasl.mechanism=PLAIN\n");

    expect((await call("PUT", "/v1/vclusters/vc-alice")).status).toBe(200);
    const relabelled = await call("PUT", "/v1/vclusters/vc-alice", { labels: { team: "payments" } });
    expect(relabelled.status).toBe(200);
    expect((await relabelled.json()).labels).toEqual({ team: "payments" });

    const shown = await call("GET", "/v1/vclusters/vc-alice");
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({
      name: "vc-alice",
      prefix: "vc-alice.",
      bootstrap: "gw.example:7000",
      labels: { team: "payments" },
      serviceAccounts: [],
      tokens: [],
    });
  });

  test("PUT with a custom prefix, and the body sent as curl -d sends it (form content type)", async () => {
    const { call } = await controlPlane();
    const res = await call("PUT", "/v1/vclusters/bob", '{"prefix":"tenant-bob-"}', {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(201);
    expect((await res.json()).prefix).toBe("tenant-bob-");
    // An empty body with a JSON content type is no body.
    expect((await call("PUT", "/v1/vclusters/carol", "", { "content-type": "application/json" })).status).toBe(201);
  });

  test("GET /v1/vclusters lists them sorted", async () => {
    const { call } = await controlPlane();
    await call("PUT", "/v1/vclusters/b");
    await call("PUT", "/v1/vclusters/a");
    const res = await call("GET", "/v1/vclusters");
    expect(res.status).toBe(200);
    expect((await res.json()).vclusters.map((v: { name: string }) => v.name)).toEqual(["a", "b"]);
  });

  test("409 for overlapping or '.'/'_' colliding prefixes, a changed prefix, and the reserved name", async () => {
    const { call } = await controlPlane();
    await call("PUT", "/v1/vclusters/alice");
    const cases: [string, unknown, string][] = [
      ["/v1/vclusters/x", { prefix: "alice.x." }, "overlaps"],
      ["/v1/vclusters/x", { prefix: "al" }, "overlaps"],
      ["/v1/vclusters/x", { prefix: "alice_" }, "'.' and '_'"],
      ["/v1/vclusters/alice", { prefix: "other." }, "cannot change"],
      ["/v1/vclusters/passthrough", undefined, "reserved"],
    ];
    for (const [path, body, reason] of cases) {
      const res = await call("PUT", path, body);
      expect([path, res.status]).toEqual([path, 409]);
      expect((await res.json()).error).toContain(reason);
    }
  });

  test("400 with the zod issue list for bad names and bodies", async () => {
    const { call } = await controlPlane();
    const badName = await call("PUT", "/v1/vclusters/Not_A_Label");
    expect(badName.status).toBe(400);
    const nameBody = await badName.json();
    expect(nameBody.issues).toEqual([expect.objectContaining({ path: ["name"], code: "invalid_format" })]);

    const badBody = await call("PUT", "/v1/vclusters/ok", { prefix: "_x", labels: { k: 5 }, prefx: "typo" });
    expect(badBody.status).toBe(400);
    const issues = (await badBody.json()).issues.map((i: { path: unknown[]; code: string }) => [i.path.join("."), i.code]);
    expect(issues).toEqual(expect.arrayContaining([["prefix", "custom"], ["labels.k", "invalid_type"], ["", "unrecognized_keys"]]));

    const malformed = await call("PUT", "/v1/vclusters/ok", "{not json", { "content-type": "application/json" });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toBeString();
  });

  test("404 for a missing vcluster, DELETE removes (204) then 404s", async () => {
    const { call } = await controlPlane();
    expect((await call("GET", "/v1/vclusters/ghost")).status).toBe(404);
    expect((await call("DELETE", "/v1/vclusters/ghost")).status).toBe(404);
    await call("PUT", "/v1/vclusters/alice");
    const deleted = await call("DELETE", "/v1/vclusters/alice");
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    expect((await call("GET", "/v1/vclusters/alice")).status).toBe(404);
    expect((await call("DELETE", "/v1/vclusters/alice")).status).toBe(404);
  });

  test("413 for a body over limits.adminBodyBytes", async () => {
    const { call } = await controlPlane({ limits: { adminBodyBytes: 100 } });
    const res = await call("PUT", "/v1/vclusters/a", { labels: { k: "v".repeat(200) } });
    expect(res.status).toBe(413);
  });
});

describe("token routes", () => {
  test("POST issues a verifiable token with ready client properties; DELETE revokes it", async () => {
    const { call, signer, store, clock } = await controlPlane({ listener: { port: 6969 } });
    await call("PUT", "/v1/vclusters/vc-alice");
    const res = await call("POST", "/v1/vclusters/vc-alice/tokens", { username: "alice", lifetimeSeconds: 3600 });
    expect(res.status).toBe(201);
    const issued = await res.json();
    expect(issued).toMatchObject({ vcluster: "vc-alice", username: "alice", expiresAt: "2030-01-01T01:00:00.000Z" });
    expect(issued.clientProperties).toContain("bootstrap.servers=127.0.0.1:6969\n");
    expect(issued.clientProperties).toContain("security.protocol=SASL_PLAINTEXT\n");
    expect(issued.clientProperties).toContain("sasl.mechanism=PLAIN\n");
    expect(issued.clientProperties).toContain(
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${issued.token}";\n`,
    );
    const verified = await signer.verify(issued.token, { now: clock.now, isRevoked: (j) => store.isTokenRevoked(j) });
    expect(verified).toMatchObject({ ok: true, claims: { sub: "alice", vcluster: "vc-alice", jti: issued.jti } });

    const shown = await (await call("GET", "/v1/vclusters/vc-alice")).json();
    expect(shown.serviceAccounts).toEqual([expect.objectContaining({ username: "alice", auth: "token" })]);
    expect(shown.tokens).toEqual([expect.objectContaining({ jti: issued.jti, username: "alice" })]);

    expect((await call("DELETE", `/v1/vclusters/vc-alice/tokens/${issued.jti}`)).status).toBe(204);
    expect(store.isTokenRevoked(issued.jti)).toBe(true);
    expect((await signer.verify(issued.token, { now: clock.now, isRevoked: (j) => store.isTokenRevoked(j) })).ok).toBe(false);
    expect((await (await call("GET", "/v1/vclusters/vc-alice")).json()).tokens).toEqual([]);
  });

  test("the default lifetime comes from the config", async () => {
    const { call } = await controlPlane({ auth: { defaultTokenLifetimeSeconds: 120 } });
    await call("PUT", "/v1/vclusters/a");
    const issued = await (await call("POST", "/v1/vclusters/a/tokens", { username: "u" })).json();
    expect(issued.expiresAt).toBe("2030-01-01T00:02:00.000Z");
  });

  test("400, 404 and 409 where they fit", async () => {
    const { call } = await controlPlane({ auth: { users: [{ username: "svc", password: "svc-password-0123456", vcluster: "a" }] } });
    await call("PUT", "/v1/vclusters/a");
    expect((await call("POST", "/v1/vclusters/ghost/tokens", { username: "u" })).status).toBe(404);
    expect((await call("POST", "/v1/vclusters/a/tokens")).status).toBe(400);
    expect((await call("POST", "/v1/vclusters/a/tokens", { username: 'bad"quote' })).status).toBe(400);
    expect((await call("POST", "/v1/vclusters/a/tokens", { username: "u", lifetimeSeconds: 0 })).status).toBe(400);
    expect((await call("POST", "/v1/vclusters/a/tokens", { username: "svc" })).status).toBe(409);
    expect((await call("DELETE", "/v1/vclusters/a/tokens/unknownid")).status).toBe(404);
    expect((await call("DELETE", "/v1/vclusters/a/tokens/bad.id")).status).toBe(400);
    const shown = await (await call("GET", "/v1/vclusters/a")).json();
    expect(shown.serviceAccounts).toEqual([{ username: "svc", auth: "password" }]);
  });
});

describe("operations routes", () => {
  test("/metrics renders Prometheus text including the store gauge", async () => {
    const { call, metrics } = await controlPlane();
    await call("PUT", "/v1/vclusters/a");
    metrics.requests.inc({ api: "Metadata", vcluster: "a" });
    const res = await call("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const text = await res.text();
    expect(text).toContain("# TYPE kgate_store_vclusters gauge\nkgate_store_vclusters 1\n");
    expect(text).toContain('kgate_requests_total{api="Metadata",vcluster="a"} 1\n');
  });

  test("/openapi.json documents every route from the zod schemas; /docs renders the reference", async () => {
    const { call } = await controlPlane();
    const doc = await (await call("GET", "/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/healthz",
      "/metrics",
      "/v1/gateway",
      "/v1/vclusters",
      "/v1/vclusters/{name}",
      "/v1/vclusters/{name}/acls",
      "/v1/vclusters/{name}/backing-acls",
      "/v1/vclusters/{name}/groups",
      "/v1/vclusters/{name}/live",
      "/v1/vclusters/{name}/service-accounts",
      "/v1/vclusters/{name}/service-accounts/{username}",
      "/v1/vclusters/{name}/tokens",
      "/v1/vclusters/{name}/tokens/{jti}",
      "/v1/vclusters/{name}/topics",
    ]);
    expect(Object.keys(doc.paths["/v1/vclusters/{name}"]).sort()).toEqual(["delete", "get", "put"]);
    expect(doc.components.schemas.CreateTokenRequest.required).toEqual(["username"]);
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: "http", scheme: "bearer" });
    const docs = await call("GET", "/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toStartWith("text/html");
    expect(await docs.text()).toContain("kgate admin API");
  });

  test("unknown routes are JSON 404s", async () => {
    const { call } = await controlPlane();
    const res = await call("GET", "/v2/nothing");
    expect(res.status).toBe(404);
    expect((await res.json()).error).toContain("/v2/nothing");
  });
});
