// `kgate doctor`, the backing cluster: each bootstrap address reachable, the TLS handshake, kgate's
// SASL login, the APIs kgate and the broker have in common, and broker settings that matter to a
// gateway in front of it (authorizer, topic auto-creation, message size against kgate's frame limit).
import { KafkaConnection } from "../client/kafka-connection.ts";
import { SaslLoginError } from "../client/sasl-login.ts";
import type { Config } from "../config/schema.ts";
import { clampApiVersions } from "../gateway/api-versions.ts";
import { loadBackingTls } from "../gateway/backing-tls.ts";
import type { BackingAddress } from "../gateway/broker-directory.ts";
import { connectUpstream, parseHostPort } from "../client/upstream.ts";
import type { ApiVersionsResponse } from "../protocol/messages/api-versions-response.ts";
import type { DescribeConfigsResponse } from "../protocol/messages/describe-configs-response.ts";
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";
import { apiSpec } from "../protocol/registry.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import { VERSION } from "../base/version.ts";
import { errorText, Findings, within } from "./check.ts";

/** What clients cannot do without; a broker lacking a common version of one is no use behind kgate. */
const ESSENTIAL_APIS = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 32, 36];
const BROKER_RESOURCE = 4;
const CLUSTER_AUTHORIZATION_FAILED = 31;

/** What the later checks need from a backing cluster that answered. */
export interface BackingFacts {
  /** Open to a broker, logged in: for the store checks. The caller closes it. */
  readonly connection: KafkaConnection;
  readonly nodeIds: readonly number[];
}

export async function checkBacking(runtime: Runtime, config: Config): Promise<{ findings: Findings; facts?: BackingFacts }> {
  const f = new Findings("backing");
  const timeoutMs = Math.min(config.limits.backingTimeoutMs, 5000);
  let tls: TlsClientOptions | undefined;
  try {
    tls = await loadBackingTls(runtime, config.backing.tls);
  } catch (e) {
    f.fail("TLS files", errorText(e), "make backing.tls.ca / cert / key name readable PEM files");
    return { findings: f };
  }

  const reachable: BackingAddress[] = [];
  for (const server of config.backing.bootstrapServers) {
    const address = parseHostPort(server);
    try {
      (await within(timeoutMs, `connect to ${server}`, runtime.connect(address))).close();
      f.ok(`${server} reachable`, "TCP connection accepted");
      reachable.push(address);
    } catch (e) {
      f.fail(
        `${server} reachable`,
        errorText(e),
        `start the broker at ${server}, or correct backing.bootstrapServers (a closed port, a wrong host and a firewall look alike)`,
      );
    }
  }
  const first = reachable[0];
  if (!first) {
    f.skip("TLS, SASL, APIs, broker settings", "no backing address answered");
    return { findings: f };
  }
  const where = `${first.host}:${first.port}`;

  if (tls) {
    try {
      (await within(timeoutMs, `TLS handshake with ${where}`, runtime.connect({ ...first, tls }))).close();
      f.ok(`TLS handshake with ${where}`, `certificate verified against ${config.backing.tls?.ca ? config.backing.tls.ca : "the system's root CAs"}`);
    } catch (e) {
      f.fail(`TLS handshake with ${where}`, errorText(e), tlsFix(errorText(e)));
      return { findings: f };
    }
  }

  const sasl = config.backing.sasl;
  if (sasl) {
    try {
      (await within(timeoutMs, `SASL login at ${where}`, connectUpstream([first], { runtime, sasl, tls, clientId: "kgate-doctor" }))).close();
      f.ok(`SASL ${sasl.mechanism} login as ${sasl.username}`, "accepted");
    } catch (e) {
      const refused = e instanceof SaslLoginError;
      f.fail(
        `SASL ${sasl.mechanism} login as ${sasl.username}`,
        errorText(e),
        refused
          ? `check backing.sasl.username and backing.sasl.password (and that the broker has ${sasl.mechanism} credentials for ${sasl.username})`
          : `is ${where} a SASL listener (SASL_PLAINTEXT or, with backing.tls, SASL_SSL)? Point backing.bootstrapServers at one, or remove backing.sasl`,
      );
      return { findings: f };
    }
  }

  let connection: KafkaConnection;
  try {
    connection = await within(timeoutMs, `connection to ${where}`, KafkaConnection.open(runtime, [first], { sasl, tls, clientId: "kgate-doctor" }));
  } catch (e) {
    f.fail(`Kafka connection to ${where}`, errorText(e), "see the checks above");
    return { findings: f };
  }
  try {
    const versions = await within(
      timeoutMs,
      "ApiVersions",
      connection.requestUntyped<ApiVersionsResponse>(18, 3, { clientSoftwareName: "kgate-doctor", clientSoftwareVersion: VERSION }),
    );
    apiVersionsFinding(f, versions);
    const metadata = await within(
      timeoutMs,
      "Metadata",
      connection.requestUntyped<MetadataResponse>(3, 12, {
        topics: [],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      }),
    );
    const nodeIds = metadata.brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    f.ok("cluster metadata", `cluster ${metadata.clusterId ?? "(no id)"}: ${nodeIds.length} broker(s), node ids ${nodeIds.join(", ")}`);
    if (nodeIds.length > 0) await brokerSettingsFindings(f, connection, nodeIds[0]!, config, timeoutMs);
    return { findings: f, facts: { connection, nodeIds } };
  } catch (e) {
    connection.close();
    f.fail(
      `Kafka requests to ${where}`,
      errorText(e),
      sasl ? "see the checks above" : `does ${where} require SASL or TLS? Configure backing.sasl / backing.tls to match the broker's listener`,
    );
    return { findings: f };
  }
}

function tlsFix(reason: string): string {
  if (/unknown CA|self-signed|issuer/i.test(reason)) return "set backing.tls.ca to the CA (PEM) that signed the brokers' certificates";
  if (/hostname|altname/i.test(reason)) {
    return "use the host name the broker certificate names in backing.bootstrapServers, or set backing.tls.verifyHostname: false";
  }
  if (/expired|not yet valid/i.test(reason)) return "the broker's certificate is outside its validity period: renew it (or fix the clock)";
  return "is this a TLS listener? With backing.tls, point backing.bootstrapServers at the broker's SSL or SASL_SSL port";
}

function apiVersionsFinding(f: Findings, versions: ApiVersionsResponse): void {
  if (versions.errorCode !== 0) {
    f.fail("ApiVersions", `the broker answered error code ${versions.errorCode}`, "kgate needs a Kafka 3.0 or newer broker");
    return;
  }
  // What kgate would offer its clients: the broker's versions clamped as kgate clamps them.
  const offered = { ...versions, apiKeys: versions.apiKeys.map((e) => ({ ...e })) };
  clampApiVersions(offered);
  const common = new Map(offered.apiKeys.map((e) => [e.apiKey, { min: e.minVersion, max: e.maxVersion }]));
  const name = (key: number) => apiSpec(key)?.name ?? `api ${key}`;
  const missing = ESSENTIAL_APIS.filter((key) => !common.has(key));
  if (missing.length > 0) {
    f.fail(
      "ApiVersions in common",
      `no common version of ${missing.map(name).join(", ")}`,
      "kgate needs a Kafka 3.0 or newer broker; upgrade the backing cluster",
    );
    return;
  }
  const range = (key: number) => `${name(key)} v${common.get(key)!.min}-${common.get(key)!.max}`;
  f.ok("ApiVersions in common", `${common.size} APIs, e.g. ${range(0)}, ${range(1)}, ${range(3)}`);
}

async function brokerSettingsFindings(f: Findings, conn: KafkaConnection, nodeId: number, config: Config, timeoutMs: number): Promise<void> {
  const keys = ["authorizer.class.name", "auto.create.topics.enable", "message.max.bytes"];
  const res = await within(
    timeoutMs,
    "DescribeConfigs",
    conn.requestUntyped<DescribeConfigsResponse>(32, 4, {
      resources: [{ resourceType: BROKER_RESOURCE, resourceName: String(nodeId), configurationKeys: keys }],
      includeSynonyms: false,
      includeDocumentation: false,
    }),
  );
  const result = res.results[0];
  if (!result || result.errorCode !== 0) {
    const denied = result?.errorCode === CLUSTER_AUTHORIZATION_FAILED;
    f.warn(
      "broker settings",
      `DescribeConfigs of broker ${nodeId} failed (error code ${result?.errorCode ?? "none"}${result?.errorMessage ? `: ${result.errorMessage}` : ""})`,
      denied ? "allow kgate's backing user DescribeConfigs on the cluster (kafka-acls --add --operation DescribeConfigs --cluster)" : "check the broker's log",
    );
    return;
  }
  const value = (key: string) => result.configs.find((c) => c.name === key)?.value ?? null;

  const authorizer = value("authorizer.class.name");
  if (authorizer) f.ok("authorizer on the brokers", authorizer);
  else {
    f.warn(
      "authorizer on the brokers",
      "authorizer.class.name is empty: anyone who reaches a broker directly sees every tenant's topics",
      "set authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer, make kgate's user a super user, and keep clients off the brokers' ports",
    );
  }

  const autoCreate = value("auto.create.topics.enable");
  if (autoCreate === "false") f.ok("auto.create.topics.enable", "false");
  else {
    f.warn(
      "auto.create.topics.enable",
      `${autoCreate ?? "unknown"}: a tenant's Metadata request for a missing topic (a producer's first look at it) creates it, past kgate's topic policy`,
      "set auto.create.topics.enable=false on the brokers; tenants create topics with CreateTopics, where the topic policy applies",
    );
  }

  const messageMax = Number(value("message.max.bytes"));
  const frameMax = config.limits.maxFrameBytes;
  if (!Number.isFinite(messageMax) || messageMax <= 0) f.skip("message.max.bytes vs limits.maxFrameBytes", "the broker did not report message.max.bytes");
  else if (messageMax < frameMax) {
    f.ok("message.max.bytes vs limits.maxFrameBytes", `${messageMax} < ${frameMax}: a batch the broker accepts fits a kgate frame`);
  } else {
    f.fail(
      "message.max.bytes vs limits.maxFrameBytes",
      `broker accepts batches of ${messageMax} bytes, kgate closes connections sending frames over ${frameMax}`,
      `raise limits.maxFrameBytes above ${messageMax} (plus request overhead), or lower message.max.bytes on the brokers`,
    );
  }
}
