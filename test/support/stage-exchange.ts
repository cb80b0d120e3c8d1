// Exchange contexts for unit tests of single data-plane stages (src/vcluster/stages/): a decoded
// request or response of one API and version, the tenant vc-a, a directory that knows a few ids.
import { BrokerDirectory } from "../../src/gateway/broker-directory.ts";
import type { ApiKey, RequestOf, ResponseOf } from "../../src/protocol/messages/api-keys.ts";
import type { ConnectionState, Obj, RequestExchange, ResponseExchange, TenantExchangeDeps } from "../../src/vcluster/stages/exchange.ts";
import { rewritePlan } from "../../src/vcluster/stages/plan.ts";
import { FetchSessions } from "../../src/vcluster/fetch-sessions.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";

export const OWN_ID = "a".repeat(32);
export const FOREIGN_ID = "b".repeat(32);
export const UNKNOWN_ID = "c".repeat(32);

export function stageDeps(): TenantExchangeDeps {
  // A lookup that fails: ids not learned here stay unknown (as when the broker does not know them).
  const topicIds = new TopicIdDirectory(() => Promise.reject(new Error("no lookups in stage tests")));
  topicIds.learn(OWN_ID, "vc-a.orders");
  topicIds.learn(FOREIGN_ID, "vc-b.secret");
  return {
    topicIds,
    brokers: new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7000, brokerPorts: {}, openBrokerListener: () => Promise.resolve() }),
  };
}

export const tenant = new Tenant("vc-a", "vc-a.", () => ["vc-a.", "vc-b."]);

export function requestExchange<K extends ApiKey>(
  apiKey: K,
  version: number,
  body: RequestOf<K>,
  options: { conn?: Partial<ConnectionState>; acksZero?: boolean; deps?: TenantExchangeDeps } = {},
): RequestExchange {
  return {
    frame: new Uint8Array(0),
    head: { apiKey, apiVersion: version, correlationId: 7 },
    header: { apiKey, apiVersion: version, correlationId: 7, clientId: "app" },
    body: body as unknown as Obj,
    tenant,
    plan: rewritePlan(apiKey, version),
    deps: options.deps ?? stageDeps(),
    conn: { fetchSessions: new FetchSessions(), ...options.conn },
    acksZero: options.acksZero ?? false,
    rule: { tenant, version, responseFixups: [] },
    fakes: new Map(),
    changed: 0,
  };
}

export function responseExchange<K extends ApiKey>(
  apiKey: K,
  version: number,
  body: ResponseOf<K>,
  options: { fakes?: Map<string, string>; deps?: TenantExchangeDeps; fixups?: Array<(r: Obj) => void> } = {},
): ResponseExchange {
  return {
    header: { correlationId: 7 },
    body: body as unknown as Obj,
    tenant,
    plan: rewritePlan(apiKey, version),
    deps: options.deps ?? stageDeps(),
    rule: { tenant, version, responseFixups: options.fixups ?? [] },
    fakes: options.fakes ?? new Map(),
    changed: 0,
  };
}
