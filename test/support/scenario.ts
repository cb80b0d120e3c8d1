// Scenario tables for the vcluster rewriting (Kroxylicious style): "given this request from
// tenant alice, the broker receives …; given this broker response, the client receives …",
// run through the real VclusterPolicy with typed messages and the generated codecs, no broker.
import { expect } from "bun:test";
import type { AsymmetricMatcher } from "bun:test";
import { BrokerDirectory } from "../../src/gateway/broker-directory.ts";
import { ResponseRewrites } from "../../src/gateway/passthrough-policy.ts";
import type { RequestOutcome } from "../../src/gateway/session-policy.ts";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import type { ApiKey, RequestOf, ResponseOf } from "../../src/protocol/messages/api-keys.ts";
import type { ApiVersionsResponse } from "../../src/protocol/messages/api-versions-response.ts";
import { apiSpec } from "../../src/protocol/registry.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import type { AclAdmin } from "../../src/vcluster/acl/acl-apis.ts";
import { AclIndex } from "../../src/model/acl-matcher.ts";
import { type AclBinding, aclBindingProblem, ANONYMOUS_PRINCIPAL, Op, Pattern, Permission, Res } from "../../src/model/acl-model.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";
import { VclusterPolicy } from "../../src/vcluster/vcluster-policy.ts";

/** A deep partial of T where any value may also be an asymmetric matcher (`expect.any(String)`). */
export type Match<T> = T extends Uint8Array | bigint | string | number | boolean | null | undefined ? T | AsymmetricMatcher
  : T extends readonly (infer E)[] ? readonly Match<E>[] | AsymmetricMatcher
  : { [P in keyof T]?: Match<T[P]> } | AsymmetricMatcher;

/** An earlier exchange on the same connection (the state a case needs: a join, a fetch session). */
export interface Step<K extends ApiKey> {
  apiKey: K;
  version: number;
  request: RequestOf<K>;
  /** The broker's answer, passed through the response rewrite. */
  response?: ResponseOf<K>;
}

/** Types one earlier exchange. */
export function step<K extends ApiKey>(s: Step<K>): Step<K> {
  return s;
}

export interface Scenario<K extends ApiKey> {
  name: string;
  /** Exchanges on the same connection before the case's own request. */
  // deno-lint-ignore no-explicit-any
  before?: readonly Step<any>[];
  apiKey: K;
  /** Every version the case holds for (the same typed body encodes at each). */
  versions: readonly number[];
  /** What alice's client sends. */
  request: RequestOf<K>;
  /** What the broker receives (matched as `toMatchObject`: arrays must match in length). */
  broker?: Match<RequestOf<K>>;
  /** kgate answers by itself: the response alice's client gets, and whether the connection then closes. */
  answer?: Match<ResponseOf<K>>;
  closeAfter?: boolean;
  /** kgate closes the connection instead, for this reason. */
  close?: string | RegExp;
  /** The forwarded request expects no response (Produce with acks=0). */
  noResponse?: boolean;
  /** The broker's response to the forwarded request... */
  response?: ResponseOf<K>;
  /** ...and what alice's client receives. */
  client?: Match<ResponseOf<K>>;
}

/** Lets a table hold scenarios of one API with its types checked. */
export function scenario<K extends ApiKey>(s: Scenario<K>): Scenario<K> {
  return s;
}

/** A request or response of `apiKey` with every field at its default, then `fields` on top. */
export function request<K extends ApiKey>(apiKey: K, fields: Partial<RequestOf<K>>): RequestOf<K> {
  return { ...apiSpec(apiKey).request.create(), ...fields } as RequestOf<K>;
}

export function response<K extends ApiKey>(apiKey: K, fields: Partial<ResponseOf<K>>): ResponseOf<K> {
  return { ...apiSpec(apiKey).response.create(), ...fields } as ResponseOf<K>;
}

// The world of every scenario: tenants alice ("alice.") and bob ("bob."), topic ids kgate has
// learnt, one backing broker (node 1 at broker-1.backing:9092) advertised as kgate.test:19001.
export const ALICE_PREFIX = "alice.";
export const BOB_PREFIX = "bob.";
export const ALICE_ORDERS_ID = "a1".repeat(16);
export const BOB_SECRET_ID = "b0".repeat(16);
export const UNKNOWN_ID = "c3".repeat(16);
export const KGATE_HOST = "kgate.test";
export const BROKER_PORT_BASE = 19000;

export const BACKING_API_VERSIONS: ApiVersionsResponse = {
  errorCode: 0,
  // 38 (CreateDelegationToken) and 57 (UpdateFeatures): offered by the broker, never in a vcluster.
  apiKeys: [0, 1, 3, 18, 29, 36, 38, 57, 68, 76].map((apiKey) => ({ apiKey, minVersion: 0, maxVersion: apiSpec(apiKey)!.maxVersion })),
  throttleTimeMs: 0,
  supportedFeatures: [],
  finalizedFeaturesEpoch: -1n,
  finalizedFeatures: [],
  zkMigrationReady: false,
};

/** The one ACL alice's vcluster holds at the start of each scenario (in alice's names). */
export const ALICE_ACL: AclBinding = {
  resourceType: Res.TOPIC,
  resourceName: "orders",
  patternType: Pattern.LITERAL,
  principal: "User:app",
  host: "*",
  operation: Op.READ,
  permissionType: Permission.ALLOW,
};

/** kgate's ACL store for alice's vcluster, in memory (bob's vcluster has ACLs of its own, never shown). */
function aclStore(): AclAdmin {
  const byVcluster = new Map<string, AclBinding[]>([["alice", [ALICE_ACL]], ["bob", [{ ...ALICE_ACL, resourceName: "secret" }]]]);
  const list = (vcluster: string) => byVcluster.get(vcluster) ?? [];
  return {
    list,
    // The store's own checks (src/store/mutations.ts): an ACL the broker would refuse is not stored.
    create: (vcluster, bindings) => {
      const problems = bindings.map((b) => aclBindingProblem(b));
      byVcluster.set(vcluster, [...list(vcluster), ...bindings.filter((_, i) => problems[i] === null)]);
      return Promise.resolve(problems.map((problem) => (problem === null ? { ok: true as const } : { ok: false as const, problem })));
    },
    delete: (vcluster, filters) => {
      const deleted = filters.map((f) => new AclIndex(list(vcluster)).matching(f));
      const gone = new Set(deleted.flat());
      byVcluster.set(vcluster, list(vcluster).filter((b) => !gone.has(b)));
      return Promise.resolve(deleted);
    },
  };
}

function policyForAlice(): VclusterPolicy {
  const brokers = new BrokerDirectory({
    advertisedHost: KGATE_HOST,
    brokerPortBase: BROKER_PORT_BASE,
    brokerPorts: {},
    openBrokerListener: () => Promise.resolve(),
  });
  // Ids kgate has not learnt are looked up with Metadata; the backing cluster knows none here.
  const topicIds = new TopicIdDirectory(() => Promise.resolve({ topics: [] }));
  topicIds.learn(ALICE_ORDERS_ID, `${ALICE_PREFIX}orders`);
  topicIds.learn(BOB_SECRET_ID, `${BOB_PREFIX}secret`);
  const tenants: Record<string, Tenant> = {
    alice: new Tenant("alice", ALICE_PREFIX, () => [BOB_PREFIX]),
    bob: new Tenant("bob", BOB_PREFIX, () => [ALICE_PREFIX]),
  };
  return new VclusterPolicy(
    {
      authenticate: (username, password) =>
        Promise.resolve(
          username === "alice" && password === "alice-secret"
            ? { ok: true, vcluster: "alice", username, via: "static-user" }
            : { ok: false, reason: "bad password" },
        ),
      scramAccount: () => undefined,
      authenticateBearer: () => Promise.resolve({ ok: false, reason: "no tokens here" }),
      tenantFor: (name) => tenants[name] ?? null,
      vclusterGeneration: (name) => (tenants[name] ? "1" : undefined),
      identityProblem: () => null,
      // ACLs are on in alice's vcluster and her (anonymous, pinned) connection is a super user:
      // the ACL APIs answer from kgate's store, and no other scenario is refused by an ACL.
      acls: {
        settings: (name: string) => (tenants[name] ? { index: new AclIndex([]), superUsers: new Set([ANONYMOUS_PRINCIPAL]) } : null),
        admin: aclStore(),
      },
      // Pinned: every connection is alice's without a login (SASL is a scenario of its own).
      listenerViews: () => ({ pinned: "alice" }),
      backingApiVersions: () => Promise.resolve(BACKING_API_VERSIONS),
      certificate: null,
      failedAuthenticationDelayMs: 0,
      maxPreAuthFrameBytes: 524_288,
      topicIds,
      brokers,
      rewrites: new ResponseRewrites(brokers),
      clock: () => 0,
      log: () => {},
    } as ConstructorParameters<typeof VclusterPolicy>[0],
  );
}

const CORRELATION_ID = 7;

/** Runs one scenario at one version, on a fresh connection of alice's. */
export async function runScenario<K extends ApiKey>(s: Scenario<K>, version: number): Promise<void> {
  const policy = policyForAlice();
  for (const [i, b] of (s.before ?? []).entries()) {
    const h = { apiKey: b.apiKey, apiVersion: b.version, correlationId: 100 + i };
    const o = await policy.onRequest(concatBytes(encodeRequest({ ...h, clientId: "app" }, b.request)), h);
    if (o.kind !== "forward") throw new Error(`step ${i} was not forwarded (${o.kind})`);
    if (b.response !== undefined) {
      const brokerFrame = concatBytes(encodeResponse(b.apiKey, b.version, { correlationId: h.correlationId }, b.response));
      o.onResponseHead?.(brokerFrame);
      if (o.rewrite) await o.rewrite(brokerFrame);
    }
  }
  const head = { apiKey: s.apiKey, apiVersion: version, correlationId: CORRELATION_ID };
  const frame = concatBytes(encodeRequest({ ...head, clientId: "app" }, s.request));
  const outcome: RequestOutcome = await policy.onRequest(frame, head);

  if (s.close !== undefined) {
    expect(outcome.kind).toBe("close");
    if (outcome.kind === "close") expect(outcome.reason).toMatch(s.close);
    return;
  }
  if (s.answer !== undefined) {
    expect(outcome.kind).toBe("answer");
    if (outcome.kind !== "answer") return;
    const decoded = decodeResponse(concatBytes([outcome.frame!].flat()), s.apiKey, version);
    expect(decoded.header.correlationId).toBe(CORRELATION_ID);
    expect(decoded.body).toMatchObject(s.answer as object);
    expect(outcome.closeAfter !== undefined).toBe(s.closeAfter ?? false);
    return;
  }
  expect(outcome.kind).toBe("forward");
  if (outcome.kind !== "forward") return;
  const forwarded = decodeRequest<RequestOf<K>>(concatBytes([outcome.frame].flat()));
  expect(forwarded.header.correlationId).toBe(CORRELATION_ID);
  if (s.broker !== undefined) expect(forwarded.body).toMatchObject(s.broker as object);
  expect(outcome.expectResponse).toBe(!s.noResponse);
  if (s.response === undefined) return;
  expect(outcome.expectResponse).toBe(true);
  const brokerFrame = concatBytes(encodeResponse(s.apiKey, version, { correlationId: CORRELATION_ID }, s.response));
  outcome.onResponseHead?.(brokerFrame);
  const out = outcome.rewrite ? await outcome.rewrite(brokerFrame) : brokerFrame;
  const received = decodeResponse<ResponseOf<K>>(concatBytes([out].flat()), s.apiKey, version);
  expect(received.header.correlationId).toBe(CORRELATION_ID);
  if (s.client !== undefined) expect(received.body).toMatchObject(s.client as object);
}
