// Backing ACLs without a broker: the ACL layout, the derived credentials, the store's rule that
// backing ACLs are fixed at creation, and the admin API's answers when provisioning fails
// (a stand-in provisioner; the real one is exercised in test/e2e/backing-acls.test.ts).
import { describe, expect, test } from "bun:test";
import { createAdminApp } from "../../src/admin/app.ts";
import { createKgateMetrics } from "../../src/metrics/metrics.ts";
import { createTokenSigner } from "../../src/auth/tokens.ts";
import { BackingAclError, BackingProvisioner, explainBackingFailure } from "../../src/backing/provisioner.ts";
import { KafkaError } from "../../src/client/kafka-errors.ts";
import { tenantAclBindings } from "../../src/backing/tenant-acls.ts";
import { backingUsername, TenantCredentials } from "../../src/backing/tenant-credentials.ts";
import { upstreamCredentialsFor } from "../../src/backing/upstream-credentials.ts";
import { AclOperation, AclPermissionType as AclPermission, PatternType, ResourceType } from "../../src/protocol/messages/constants.ts";
import { configSchema } from "../../src/config/schema.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { putVcluster, vclusterRecordProblem } from "../../src/store/mutations.ts";
import { vclusterSchema } from "../../src/store/record-schemas.ts";
import { EMPTY_STATE, type VclusterRecord } from "../../src/store/records.ts";
import type { Runtime } from "../../src/runtime/types.ts";

const SECRET = "0123456789abcdef0123456789abcdef-backing";

describe("the backing ACL layout", () => {
  const bindings = tenantAclBindings("User:kgate-vc-alice", "alice.");

  test("topics, groups and transactional ids: PREFIXED on the prefix, allow only", () => {
    const onPrefix = bindings.filter((b) => b.resourceType !== ResourceType.CLUSTER);
    expect(onPrefix.every((b) => b.resourceName === "alice." && b.patternType === PatternType.PREFIXED)).toBe(true);
    expect(bindings.every((b) => b.permissionType === AclPermission.ALLOW && b.principal === "User:kgate-vc-alice" && b.host === "*")).toBe(true);
    const ops = (type: number) => bindings.filter((b) => b.resourceType === type).map((b) => b.operation).sort((a, b) => a - b);
    expect(ops(ResourceType.TOPIC)).toEqual([3, 4, 5, 6, 7, 8, 10, 11]);
    expect(ops(ResourceType.GROUP)).toEqual([AclOperation.READ, AclOperation.DELETE, AclOperation.DESCRIBE]);
    expect(ops(ResourceType.TRANSACTIONAL_ID)).toEqual([AclOperation.WRITE, AclOperation.DESCRIBE]);
  });

  test("no cluster-wide operation but IDEMPOTENT_WRITE, and never ALL", () => {
    const cluster = bindings.filter((b) => b.resourceType === ResourceType.CLUSTER);
    expect(cluster).toEqual([
      expect.objectContaining({ resourceName: "kafka-cluster", patternType: PatternType.LITERAL, operation: AclOperation.IDEMPOTENT_WRITE }),
    ]);
    expect(bindings.some((b) => b.operation === AclOperation.ALL || b.resourceName === "*")).toBe(false);
  });

  test("an empty prefix (which would reach everything) is refused", () => {
    expect(() => tenantAclBindings("User:x", "")).toThrow("prefix");
  });
});

describe("derived backing credentials", () => {
  const alice: VclusterRecord = { name: "alice", prefix: "alice.", createdAt: "2030-01-01T00:00:00.000Z", backing: { username: "kgate-vc-alice" } };

  test("the same on every node with the same secret; new for a new incarnation, another name or secret", async () => {
    const a = await new TenantCredentials(SECRET).credentialsFor(alice)!;
    const again = await new TenantCredentials(SECRET).credentialsFor(alice)!;
    expect(a).toEqual(again);
    expect(a).toMatchObject({ mechanism: "SCRAM-SHA-512", username: "kgate-vc-alice" });
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    const recreated = await new TenantCredentials(SECRET).credentialsFor({ ...alice, createdAt: "2030-01-02T00:00:00.000Z" })!;
    const otherName = await new TenantCredentials(SECRET).credentialsFor({ ...alice, name: "bob" })!;
    const otherSecret = await new TenantCredentials(`${SECRET}x`).credentialsFor(alice)!;
    for (const other of [recreated, otherName, otherSecret]) expect(other.password).not.toBe(a.password);
    expect(a.password).not.toContain(SECRET);
  });

  test("none for a vcluster without backing ACLs", () => {
    expect(new TenantCredentials(SECRET).credentialsFor({ ...alice, backing: undefined })).toBeUndefined();
  });

  test("a connection bound to a deleted or re-created vcluster gets no backing login at all (fail closed)", async () => {
    const creds = new TenantCredentials(SECRET);
    let current: VclusterRecord | undefined = alice;
    const upstream = upstreamCredentialsFor(() => current, creds);
    expect((await upstream("alice", alice.createdAt))?.username).toBe("kgate-vc-alice");
    current = { ...alice, createdAt: "2030-02-01T00:00:00.000Z" };
    await expect(upstream("alice", alice.createdAt)).rejects.toThrow("re-created");
    current = undefined;
    await expect(upstream("alice", alice.createdAt)).rejects.toThrow("deleted");
    current = { ...alice, backing: undefined };
    expect(await upstream("alice", alice.createdAt)).toBeUndefined();
  });
});

describe("the store keeps backing ACLs fixed at creation", () => {
  const backing = { username: backingUsername("alice") };

  test("set at creation, kept on label updates, refused to add or change later", () => {
    const created = putVcluster(EMPTY_STATE, { name: "alice", backing }, 0).state;
    expect(created.vclusters.alice?.backing).toEqual(backing);
    const relabelled = putVcluster(created, { name: "alice", labels: { team: "x" } }, 1).state;
    expect(relabelled.vclusters.alice?.backing).toEqual(backing);
    expect(putVcluster(created, { name: "alice", backing }, 2).result.created).toBe(false);
    const plain = putVcluster(EMPTY_STATE, { name: "bob" }, 0).state;
    expect(() => putVcluster(plain, { name: "bob", backing: { username: backingUsername("bob") } }, 1)).toThrow("fixed at creation");
  });

  test("another vcluster's backing user is refused, written through the API or read back from the state", () => {
    expect(() => putVcluster(EMPTY_STATE, { name: "evil", backing }, 0)).toThrow("is not vcluster");
    const alice = putVcluster(EMPTY_STATE, { name: "alice", backing }, 0).state;
    const forged: VclusterRecord = { name: "evil", prefix: "evil.", createdAt: "2030-01-01T00:00:00.000Z", backing };
    expect(vclusterRecordProblem(alice, forged, {})?.message).toContain("is not vcluster");
    expect(vclusterRecordProblem(alice, { ...forged, backing: { username: backingUsername("evil") } }, {})).toBeUndefined();
  });

  test("a record read back keeps it; a malformed backing user is refused", () => {
    const record = { name: "alice", prefix: "alice.", createdAt: "2030-01-01T00:00:00.000Z", backing };
    expect(vclusterSchema.parse(record).backing).toEqual(backing);
    expect(vclusterSchema.safeParse({ ...record, backing: { username: "admin" } }).success).toBe(false);
  });
});

/** A provisioner that records calls and fails on demand. */
function fakeProvisioner(fail: { provision?: BackingAclError; remove?: BackingAclError } = {}) {
  const calls: string[] = [];
  const p = {
    configProblem: () => null,
    provision: async (v: VclusterRecord) => {
      calls.push(`provision ${v.name}`);
      if (fail.provision) throw fail.provision;
    },
    bindingsFor: (v: VclusterRecord) => tenantAclBindings(`User:${v.backing!.username}`, v.prefix),
    describe: async (v: VclusterRecord) => {
      const all = tenantAclBindings(`User:${v.backing!.username}`, v.prefix);
      // Drift: one ACL gone, one granted by someone else.
      return [...all.slice(1), { ...all[0]!, resourceName: "*", patternType: PatternType.LITERAL }];
    },
    remove: async (v: VclusterRecord) => {
      calls.push(`remove ${v.name}`);
      if (fail.remove) throw fail.remove;
      return 14;
    },
  };
  return { provisioner: p as unknown as BackingProvisioner, calls };
}

async function adminWith(backingAcls?: BackingProvisioner) {
  const store = new MemoryStore(() => Date.parse("2030-01-01T00:00:00Z"));
  await store.load();
  const app = createAdminApp({
    store,
    config: configSchema.parse({}),
    metrics: createKgateMetrics({ vclusterCount: () => 0 }).registry,
    clock: () => Date.parse("2030-01-01T00:00:00Z"),
    adminToken: "test-admin-token",
    signer: await createTokenSigner("0123456789abcdef0123456789abcdef"),
    backingAcls,
  });
  const call = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { store, call };
}

describe("admin API: backingAcls", () => {
  test("created with a principal shown in the answer; provisioning runs after the store write", async () => {
    const { provisioner, calls } = fakeProvisioner();
    const { call } = await adminWith(provisioner);
    const res = await call("PUT", "/v1/vclusters/alice", { backingAcls: true });
    expect(res.status).toBe(201);
    expect((await res.json()).backing).toEqual({ username: "kgate-vc-alice", principal: "User:kgate-vc-alice" });
    expect(calls).toEqual(["provision alice"]);
    // Again with true: repaired (provisioned again), 200. Without the field: nothing on the backing cluster.
    expect((await call("PUT", "/v1/vclusters/alice", { backingAcls: true })).status).toBe(200);
    expect((await call("PUT", "/v1/vclusters/alice", { labels: { a: "b" } })).status).toBe(200);
    expect(calls).toEqual(["provision alice", "provision alice"]);
    const off = await call("PUT", "/v1/vclusters/alice", { backingAcls: false });
    expect(off.status).toBe(409);
    expect((await off.json()).error).toContain("fixed at creation");
  });

  test("GET backing-acls shows the broker's ACLs with what is missing and what is unexpected", async () => {
    const { provisioner } = fakeProvisioner();
    const { call } = await adminWith(provisioner);
    expect((await call("GET", "/v1/vclusters/alice/backing-acls")).status).toBe(404);
    await call("PUT", "/v1/vclusters/plain");
    expect((await call("GET", "/v1/vclusters/plain/backing-acls")).status).toBe(409);
    await call("PUT", "/v1/vclusters/alice", { backingAcls: true });
    const res = await call("GET", "/v1/vclusters/alice/backing-acls");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.principal).toBe("User:kgate-vc-alice");
    expect(body.acls).toHaveLength(14);
    expect(body.missing).toEqual([{
      resourceType: "TOPIC",
      resourceName: "alice.",
      patternType: "PREFIXED",
      operation: "READ",
      permission: "ALLOW",
      host: "*",
    }]);
    expect(body.unexpected).toEqual([{ resourceType: "TOPIC", resourceName: "*", patternType: "LITERAL", operation: "READ", permission: "ALLOW", host: "*" }]);
  });

  test("a failed provisioning of a new vcluster: its status and reason, and no vcluster", async () => {
    const { provisioner, calls } = fakeProvisioner({ provision: new BackingAclError(409, "the backing cluster has no authorizer (SECURITY_DISABLED)") });
    const { call, store } = await adminWith(provisioner);
    const res = await call("PUT", "/v1/vclusters/alice", { backingAcls: true });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toBe("the backing cluster has no authorizer (SECURITY_DISABLED); the vcluster was not created");
    expect(store.getVcluster("alice")).toBeUndefined();
    expect(calls).toEqual(["provision alice", "remove alice"]);
  });

  test("a failed removal keeps the vcluster (502) so DELETE can be repeated", async () => {
    const fail = { remove: undefined as BackingAclError | undefined };
    const { provisioner } = fakeProvisioner(fail);
    const { call, store } = await adminWith(provisioner);
    expect((await call("PUT", "/v1/vclusters/alice", { backingAcls: true })).status).toBe(201);
    fail.remove = new BackingAclError(502, "removing the backing principal of alice: cannot reach the backing cluster");
    const res = await call("DELETE", "/v1/vclusters/alice");
    expect(res.status).toBe(502);
    expect((await res.json()).error).toContain("DELETE again");
    expect(store.getVcluster("alice")).toBeDefined();
    fail.remove = undefined;
    expect((await call("DELETE", "/v1/vclusters/alice")).status).toBe(204);
  });

  test("without a provisioner, or without backing.sasl: 409 with the reason", async () => {
    expect((await (await adminWith()).call("PUT", "/v1/vclusters/alice", { backingAcls: true })).status).toBe(409);
    const real = new BackingProvisioner({
      runtime: {} as Runtime,
      bootstrap: [{ host: "127.0.0.1", port: 9 }],
      credentials: new TenantCredentials(SECRET),
      timeoutMs: 100,
    });
    const { call, store } = await adminWith(real);
    const res = await call("PUT", "/v1/vclusters/alice", { backingAcls: true });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toContain("backing.sasl");
    expect(store.getVcluster("alice")).toBeUndefined();
  });
});

describe("kgate's SCRAM logins remember salted passwords", () => {
  test("the same bytes as PBKDF2, a fresh copy each time, and a second login without the work", async () => {
    const { cachedSaltPassword } = await import("../../src/client/salted-password-cache.ts");
    const { encoder, pbkdf2 } = await import("../../src/sasl/scram-primitives.ts");
    const salt = crypto.getRandomValues(new Uint8Array(32));
    const password = encoder.encode(`pw-${crypto.randomUUID()}`);
    const iterations = 200_000; // slow enough that a second derivation would show
    const t0 = performance.now();
    const first = await cachedSaltPassword("SHA-512", 512, password, salt, iterations);
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    const second = await cachedSaltPassword("SHA-512", 512, password, salt, iterations);
    const secondMs = performance.now() - t1;
    expect(second).toEqual(await pbkdf2("SHA-512", 512, password, salt, iterations));
    expect(second).toEqual(first);
    first.fill(0);
    expect(second).not.toEqual(first);
    // Wide bound: the first derivation takes tens of milliseconds, a remembered one next to nothing.
    expect(secondMs).toBeLessThan(firstMs / 2);
    const otherSalt = await cachedSaltPassword("SHA-512", 512, password, crypto.getRandomValues(new Uint8Array(32)), 4096);
    expect(otherSalt).not.toEqual(second);
  });
});

describe("the backing cluster's refusals in the operator's words", () => {
  test("no authorizer: 409; kgate may not: 502 naming ALTER on the cluster; anything else: 502 with the broker's words", () => {
    const noAuthorizer = explainBackingFailure("creating", new KafkaError(54, "creating ACLs", "No Authorizer is configured"));
    expect(noAuthorizer).toMatchObject({ status: 409 });
    expect(noAuthorizer.message).toContain("no authorizer");
    const notAllowed = explainBackingFailure("creating", new KafkaError(31, "creating ACLs"));
    expect(notAllowed).toMatchObject({ status: 502 });
    expect(notAllowed.message).toContain("ALTER on the cluster");
    expect(explainBackingFailure("creating", new KafkaError(35, "setting the SCRAM credential"))).toMatchObject({ status: 502 });
    const other = explainBackingFailure("creating", new KafkaError(42, "creating ACLs", "bad request"));
    expect(other.message).toBe("creating: creating ACLs: INVALID_REQUEST (bad request)");
  });

  test("backing.credentialSecret must be a real secret", () => {
    const short = configSchema.safeParse({ backing: { credentialSecret: "short" } });
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.path).toEqual(["backing", "credentialSecret"]);
    expect(configSchema.parse({ backing: { credentialSecret: SECRET } }).backing.credentialSecret).toBe(SECRET);
  });
});
