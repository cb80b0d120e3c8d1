// Field audit (invariant 1): every string or uuid field of every (API, version) a vcluster
// offers is either annotated as an entity by Kafka's specs (prefixed, stripped, filtered by the
// generated metadata), covered by a hand rule, or allowed below with a reason. A new Kafka
// version that adds a name-bearing field fails this test instead of leaking the name silently.
import { expect, test } from "bun:test";
import { elementType, type FieldSpec } from "../../scripts/lib/spec.ts";
import { loadSpecs } from "../../scripts/lib/vendored-specs.ts";
import type { ApiName } from "../../src/protocol/messages/api-keys.ts";
import { apiSpec } from "../../src/protocol/registry.ts";
import { offeredApiKeys, offeredVersions } from "../../src/vcluster/allowed-apis.ts";

type Side = "request" | "response";

/** Fields the generated metadata does not know, rewritten by hand (src/vcluster/…). */
const HAND_RULE_FIELDS: ReadonlyArray<{ api: ApiName; side: Side; path: string; rule: string }> = [
  { api: "FindCoordinator", side: "request", path: "key", rule: "hand-rules.ts findCoordinator: prefixed" },
  { api: "FindCoordinator", side: "request", path: "coordinatorKeys", rule: "hand-rules.ts findCoordinator: prefixed" },
  { api: "FindCoordinator", side: "response", path: "coordinators.key", rule: "hand-rules.ts findCoordinator: stripped" },
  ...(["DescribeConfigs", "AlterConfigs", "IncrementalAlterConfigs"] as const).flatMap((api) => [
    {
      api,
      side: "request" as const,
      path: "resources.resourceName",
      rule: "hand-rules.ts configRule: topic and group names prefixed, other resources refused",
    },
    {
      api,
      side: "response" as const,
      path: api === "DescribeConfigs" ? "results.resourceName" : "responses.resourceName",
      rule: "hand-rules.ts configRule: stripped",
    },
  ]),
  {
    api: "DescribeConfigs",
    side: "response",
    path: "results.configs.value",
    rule: "the effective value of the tenant's own topic config; backing-leaks.ts reports a broker-level source as DEFAULT_CONFIG",
  },
  { api: "DescribeConfigs", side: "response", path: "results.configs.synonyms.name", rule: "backing-leaks.ts: broker-level synonyms removed" },
  { api: "DescribeConfigs", side: "response", path: "results.configs.synonyms.value", rule: "backing-leaks.ts: broker-level synonyms removed" },
  {
    api: "CreateTopics",
    side: "response",
    path: "topics.configs.value",
    rule: "the effective value of the tenant's own topic config; backing-leaks.ts reports a broker-level source as DEFAULT_CONFIG",
  },
  { api: "DescribeLogDirs", side: "response", path: "results.logDir", rule: "backing-leaks.ts: log-dir paths become log-dir-<i>" },
  { api: "ListTransactions", side: "request", path: "transactionalIdPattern", rule: "hand-rules.ts listTransactions: applied by kgate, never sent" },
  { api: "ConsumerGroupHeartbeat", side: "request", path: "subscribedTopicRegex", rule: "hand-rules.ts consumerGroupHeartbeat: anchored inside the prefix" },
  { api: "ConsumerGroupDescribe", side: "response", path: "groups.members.subscribedTopicRegex", rule: "hand-rules.ts consumerGroupDescribe: un-anchored" },
  // The ACL APIs never reach the broker: acl/acl-apis.ts answers them from the vcluster's own
  // ACLs in kgate's store, which hold the tenant's names and principals (no other vcluster's).
  ...(
    [
      ["DescribeAcls", "request", ["resourceNameFilter", "principalFilter", "hostFilter"]],
      ["DescribeAcls", "response", ["resources.resourceName", "resources.acls.principal", "resources.acls.host"]],
      ["CreateAcls", "request", ["creations.resourceName", "creations.principal", "creations.host"]],
      ["DeleteAcls", "request", ["filters.resourceNameFilter", "filters.principalFilter", "filters.hostFilter"]],
      ["DeleteAcls", "response", ["filterResults.matchingAcls.resourceName", "filterResults.matchingAcls.principal", "filterResults.matchingAcls.host"]],
    ] as const
  ).flatMap(([api, side, paths]) =>
    paths.map((path) => ({ api, side, path, rule: "acl/acl-apis.ts: answered by kgate from the vcluster's own ACLs, never forwarded" }))
  ),
  {
    api: "StreamsGroupHeartbeat",
    side: "request",
    path: "topology.subtopologies.sourceTopicRegex",
    rule: "streams-group-rules.ts: anchored inside the prefix",
  },
  ...(["stateChangelogTopics", "repartitionSourceTopics"] as const).flatMap((kind) =>
    (["key", "value"] as const).map((kv) => ({
      api: "StreamsGroupHeartbeat" as const,
      side: "request" as const,
      path: `topology.subtopologies.${kind}.topicConfigs.${kv}`,
      rule: "streams-group-rules.ts: configs of the internal topics the broker creates, checked by the topic policy",
    }))
  ),
  {
    api: "StreamsGroupHeartbeat",
    side: "response",
    path: "status.statusDetail",
    rule: "streams-group-rules.ts: scrubbed as error messages are (prefix stripped, foreign names withheld)",
  },
];

/**
 * Fields that name nothing of another tenant's, by field name (last path segment), optionally
 * for one API only. Each reason says why the value can pass as it is.
 */
const ALLOWED: ReadonlyArray<{ field: string; api?: ApiName; reason: string }> = [
  { field: "errorMessage", reason: "every *errorMessage is scrubbed by backing-leaks.ts scrubErrorMessages (prefix stripped, foreign names withheld)" },
  { field: "batchIndexErrorMessage", reason: "scrubbed by scrubErrorMessages like every *ErrorMessage" },
  { field: "rack", reason: "rack ids of the backing brokers: topology every tenant shares, no tenant's name" },
  { field: "rackId", reason: "the client's own rack id (Fetch, KIP-848) or its group members' rack ids, inside its own group" },
  { field: "clusterId", reason: "the backing cluster's id, the same for every tenant (Fetch/ApiVersions requests: the client's echo of it)" },
  { field: "replicaDirectoryId", api: "Fetch", reason: "a follower's field (KIP-853); replica-guard.ts forces a consumer's replica id" },
  { field: "committedMetadata", reason: "the client's own opaque commit metadata, stored in its own prefixed group" },
  { field: "metadata", api: "OffsetFetch", reason: "the commit metadata the tenant stored in its own prefixed group" },
  { field: "memberId", reason: "member ids are issued by the group coordinator for the tenant's own prefixed group" },
  { field: "leader", api: "JoinGroup", reason: "a member id of the tenant's own group" },
  { field: "groupInstanceId", reason: "a static member id chosen by the client, scoped to its own prefixed group" },
  { field: "instanceId", reason: "a static member id chosen by the client, scoped to its own prefixed group (KIP-848)" },
  { field: "reason", reason: "the client's free-text reason for leaving or joining, for the broker's log" },
  { field: "protocolType", reason: 'the group protocol type ("consumer", "connect"...); kgate reads it to pick the consumer protocol rules' },
  { field: "protocolName", reason: 'an assignor name ("range", "cooperative-sticky"...)' },
  { field: "name", api: "JoinGroup", reason: "protocols.name: an assignor name; its metadata bytes are rewritten by consumer-protocol-rules.ts" },
  {
    field: "protocolData",
    api: "DescribeGroups",
    reason: "the chosen assignor's name; member metadata and assignments are stripped by consumer-protocol-rules.ts",
  },
  { field: "serverAssignor", reason: "a server-side assignor name (KIP-848)" },
  { field: "assignorName", reason: "a server-side assignor name (KIP-848)" },
  { field: "clientId", reason: "client ids of the members of the tenant's own group: its own clients" },
  { field: "clientHost", reason: "addresses of the members of the tenant's own group, as the broker saw them (kgate's)" },
  { field: "groupState", reason: "a group state name (Stable, Empty...)" },
  { field: "groupType", reason: "a group type name (classic, consumer...)" },
  { field: "statesFilter", reason: "group state names to filter by" },
  { field: "typesFilter", reason: "group type names to filter by" },
  { field: "transactionState", reason: "a transaction state name (Ongoing, CompleteCommit...)" },
  { field: "stateFilters", reason: "transaction state names to filter by" },
  { field: "unknownStateFilters", reason: "the client's own state filters echoed back" },
  { field: "mechanism", api: "SaslHandshake", reason: "answered by kgate, never forwarded" },
  { field: "mechanisms", api: "SaslHandshake", reason: "answered by kgate with its own mechanisms" },
  { field: "clientSoftwareName", api: "ApiVersions", reason: "answered by kgate, never forwarded" },
  { field: "clientSoftwareVersion", api: "ApiVersions", reason: "answered by kgate, never forwarded" },
  { field: "name", api: "ApiVersions", reason: "feature names (metadata.version...): cluster-wide protocol features" },
  { field: "clientInstanceId", reason: "client telemetry: answered by kgate, never forwarded" },
  { field: "requestedMetrics", reason: "client telemetry: kgate answers with no metrics requested" },
  { field: "name", api: "CreateTopics", reason: "topics.configs.name: a config name (retention.ms...)" },
  { field: "value", api: "CreateTopics", reason: "topics.configs.value in the request: the tenant's own config values, checked by the topic policy" },
  { field: "name", api: "DescribeConfigs", reason: "results.configs.name: a config name" },
  { field: "documentation", api: "DescribeConfigs", reason: "Kafka's documentation of a config" },
  { field: "configurationKeys", api: "DescribeConfigs", reason: "config names the client asks for" },
  { field: "name", api: "AlterConfigs", reason: "resources.configs.name: a config name, checked by the topic policy" },
  { field: "value", api: "AlterConfigs", reason: "the tenant's own config values, checked by the topic policy" },
  { field: "name", api: "IncrementalAlterConfigs", reason: "resources.configs.name: a config name, checked by the topic policy" },
  { field: "value", api: "IncrementalAlterConfigs", reason: "the tenant's own config values, checked by the topic policy" },
  { field: "acknowledgeErrorMessage", api: "ShareFetch", reason: "scrubbed by scrubErrorMessages like every *ErrorMessage" },
  // Streams groups (KIP-1071): what a Streams application says of itself, inside its own prefixed group.
  { field: "subtopologyId", reason: 'a Streams application\'s own subtopology numbering ("0", "1"...), within its own group' },
  { field: "processId", reason: "the Streams client's own process id (a UUID it picks), within its own group" },
  { field: "key", api: "StreamsGroupHeartbeat", reason: "clientTags.key: the Streams client's own tags (rack-aware standbys), within its own group" },
  { field: "value", api: "StreamsGroupHeartbeat", reason: "clientTags.value: the Streams client's own tags, within its own group" },
  { field: "key", api: "StreamsGroupDescribe", reason: "the tenant's own internal-topic config names and client tags, as its members sent them" },
  { field: "value", api: "StreamsGroupDescribe", reason: "the tenant's own internal-topic config values and client tags, as its members sent them" },
  {
    field: "name",
    api: "StreamsGroupDescribe",
    reason: "topologyDescription nodes: processor and store node names the application chose (its topics are annotated fields)",
  },
  { field: "stores", api: "StreamsGroupDescribe", reason: "state store names the application chose (their changelog topics are annotated fields)" },
  { field: "successors", api: "StreamsGroupDescribe", reason: "node names of the application's own topology" },
  {
    field: "name",
    api: "StreamsGroupTopologyDescriptionUpdate",
    reason: "processor and store node names the application chose (its topics are annotated fields)",
  },
  {
    field: "stores",
    api: "StreamsGroupTopologyDescriptionUpdate",
    reason: "state store names the application chose (their changelog topics are annotated fields)",
  },
  { field: "successors", api: "StreamsGroupTopologyDescriptionUpdate", reason: "node names of the application's own topology" },
];

interface Finding {
  api: ApiName;
  side: Side;
  path: string;
  type: string;
}

/** Every string or uuid field of the offered (API, version)s that the specs do not annotate. */
function unannotatedFields(): Finding[] {
  const specs = loadSpecs();
  const found = new Map<string, Finding>();
  for (const apiKey of offeredApiKeys()) {
    const api = apiSpec(apiKey)!;
    const offered = offeredVersions(apiKey)!;
    for (const side of ["request", "response"] as const) {
      const msg = specs.get(`${api.name}${side === "request" ? "Request" : "Response"}`)!;
      const entities = api[side].entities;
      for (let v = offered.min; v <= offered.max; v++) {
        const walk = (fields: readonly FieldSpec[], path: string[]) => {
          const names = new Set(fields.map((f) => f.name));
          for (const f of fields) {
            if (v < f.versions.min || v > f.versions.max) continue;
            const p = [...path, f.prop];
            const t = elementType(f.type) ?? f.type;
            if (t === "string" || t === "uuid") {
              const annotated = entities.some((e) => e.path.join(".") === p.join(".") && v >= e.versions[0] && v <= e.versions[1]);
              // A broker address (Host next to Port) is rewritten as a whole (address-rewrite.ts).
              const brokerHost = f.name === "Host" && names.has("Port");
              if (!annotated && !brokerHost) {
                const finding: Finding = { api: api.name as ApiName, side, path: p.join("."), type: f.type };
                found.set(`${finding.api} ${side} ${finding.path}`, finding);
              }
            }
            const struct = msg.structs.get(t);
            if (struct) walk(struct.fields, p);
          }
        };
        walk(msg.fields, []);
      }
    }
  }
  return [...found.values()];
}

const findings = unannotatedFields();
const byHandRule = (f: Finding) => HAND_RULE_FIELDS.some((h) => h.api === f.api && h.side === f.side && h.path === f.path);
const allowed = (f: Finding) => ALLOWED.some((a) => (a.api === undefined || a.api === f.api) && f.path.split(".").at(-1) === a.field);

test("every unannotated string or uuid field of an offered API is rewritten by hand or allowed with a reason", () => {
  const unexplained = findings.filter((f) => !byHandRule(f) && !allowed(f)).map((f) => `${f.api} ${f.side} ${f.path} (${f.type})`);
  expect(unexplained).toEqual([]);
});

test("the audit's tables hold no stale entries", () => {
  const staleRules = HAND_RULE_FIELDS.filter((h) => !findings.some((f) => f.api === h.api && f.side === h.side && f.path === h.path));
  const staleAllowed = ALLOWED.filter((a) =>
    !findings.some((f) => !byHandRule(f) && (a.api === undefined || a.api === f.api) && f.path.split(".").at(-1) === a.field)
  );
  expect(staleRules.map((h) => `${h.api} ${h.side} ${h.path}`)).toEqual([]);
  expect(staleAllowed.map((a) => `${a.api ?? "*"} ${a.field}`)).toEqual([]);
  for (const a of ALLOWED) expect(a.reason.length).toBeGreaterThan(10);
});

test("the audit sees fields at all (it would pass vacuously otherwise)", () => {
  expect(findings.length).toBeGreaterThan(50);
  expect(findings.some((f) => f.api === "FindCoordinator" && f.path === "key")).toBe(true);
});
