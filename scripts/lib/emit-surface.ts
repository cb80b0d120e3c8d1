// Emits the typed protocol surface next to the codecs: the ApiKey constants with the
// RequestOf/ResponseOf type maps, the table of Kafka error codes, and the enum-like constants
// of kafka-clients (resource types, ACL operations, ...), from the vendored inputs.
import type { KafkaEnums } from "./vendored-specs.ts";

export interface SurfaceApi {
  /** e.g. "Metadata" */
  name: string;
  apiKey: number;
  /** Module (without .ts) and type name of the request and the response. */
  requestModule: string;
  requestType: string;
  responseModule: string;
  responseType: string;
}

export function emitApiKeysModule(apis: readonly SurfaceApi[], header: string): string {
  const lines = [header];
  for (const a of apis) {
    lines.push(`import type { ${a.requestType} } from "./${a.requestModule}.ts";`);
    lines.push(`import type { ${a.responseType} } from "./${a.responseModule}.ts";`);
  }
  lines.push("");
  lines.push("/** Every API a broker serves, by name: `ApiKey.Metadata` is 3. */");
  lines.push("export const ApiKey = {");
  for (const a of apis) lines.push(`  ${a.name}: ${a.apiKey},`);
  lines.push("} as const;");
  lines.push("");
  lines.push("/** An API key the pinned Kafka version defines (a broker serves). */");
  lines.push("export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];");
  lines.push("");
  lines.push("/** An API's name, as the specs spell it. */");
  lines.push("export type ApiName = keyof typeof ApiKey;");
  lines.push("");
  lines.push("/** The request body type of each API key. */");
  lines.push("export interface Requests {");
  for (const a of apis) lines.push(`  ${a.apiKey}: ${a.requestType};`);
  lines.push("}");
  lines.push("");
  lines.push("/** The response body type of each API key. */");
  lines.push("export interface Responses {");
  for (const a of apis) lines.push(`  ${a.apiKey}: ${a.responseType};`);
  lines.push("}");
  lines.push("");
  lines.push("export type RequestOf<K extends ApiKey> = Requests[K];");
  lines.push("export type ResponseOf<K extends ApiKey> = Responses[K];");
  lines.push("");
  lines.push("/** Whether `n` is an API key of the pinned Kafka version. */");
  lines.push("export function isApiKey(n: number): n is ApiKey {");
  lines.push(`  return API_KEYS.has(n);`);
  lines.push("}");
  lines.push("");
  lines.push("const API_KEYS: ReadonlySet<number> = new Set<number>(Object.values(ApiKey));");
  lines.push("");
  return lines.join("\n");
}

export function emitErrorsModule(enums: KafkaEnums, header: string): string {
  const lines = [header];
  lines.push("");
  lines.push("/** One Kafka error code (org.apache.kafka.common.protocol.Errors). */");
  lines.push("export interface KafkaErrorInfo {");
  lines.push("  readonly name: string;");
  lines.push("  readonly code: number;");
  lines.push("  /** The client may retry (its exception is a RetriableException). */");
  lines.push("  readonly retriable: boolean;");
  lines.push("  /** Kafka's default message for it. */");
  lines.push("  readonly message: string;");
  lines.push("}");
  lines.push("");
  lines.push("/** Every Kafka error code by name: `ErrorCode.UNKNOWN_TOPIC_ID` is 100. */");
  lines.push("export const ErrorCode = {");
  for (const e of enums.errors) lines.push(`  ${e.name}: ${e.code},`);
  lines.push("} as const;");
  lines.push("");
  lines.push("export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];");
  lines.push("export type ErrorName = keyof typeof ErrorCode;");
  lines.push("");
  lines.push("/** The table of Kafka error codes, in code order: name, code, retriable, default message. */");
  lines.push("export const KAFKA_ERRORS: readonly KafkaErrorInfo[] = [");
  for (const e of [...enums.errors].sort((a, b) => a.code - b.code)) {
    lines.push(`  { name: "${e.name}", code: ${e.code}, retriable: ${e.retriable}, message: ${JSON.stringify(e.message)} },`);
  }
  lines.push("];");
  lines.push("");
  return lines.join("\n");
}

/** Java enum names to the names kgate exports (ConfigResource.Type is no "ResourceType"). */
const CONSTANT_DOCS: Record<string, string> = {
  ResourceType: "ACL resource types (org.apache.kafka.common.resource.ResourceType).",
  AclOperation: "ACL operations (org.apache.kafka.common.acl.AclOperation).",
  AclPermissionType: "ACL permission types (org.apache.kafka.common.acl.AclPermissionType).",
  PatternType: "ACL resource pattern types (org.apache.kafka.common.resource.PatternType).",
  ConfigResourceType: "Config resource types of DescribeConfigs and the AlterConfigs APIs (org.apache.kafka.common.config.ConfigResource.Type).",
  ConfigSource: "Where a config value comes from, in DescribeConfigs responses (DescribeConfigsResponse.ConfigSource).",
  CoordinatorType: "FindCoordinator key types (FindCoordinatorRequest.CoordinatorType).",
};

export function emitConstantsModule(enums: KafkaEnums, header: string): string {
  const lines = [header];
  lines.push("");
  lines.push('/** The null uuid: "no topic id" in requests and responses (Uuid.ZERO_UUID). */');
  lines.push(`export const ZERO_UUID = "${"0".repeat(32)}";`);
  for (const [name, values] of Object.entries(enums.constants)) {
    const doc = CONSTANT_DOCS[name];
    if (!doc) throw new Error(`kafka-enums.json: no documentation for constants ${name}`);
    lines.push("");
    lines.push(`/** ${doc} */`);
    lines.push(`export const ${name} = {`);
    for (const v of [...values].sort((a, b) => a.code - b.code)) lines.push(`  ${v.name}: ${v.code},`);
    lines.push("} as const;");
    lines.push(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`);
  }
  lines.push("");
  return lines.join("\n");
}
