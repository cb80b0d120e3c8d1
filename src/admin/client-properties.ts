import type { Config } from "../config/schema.ts";

/** `host:port` clients bootstrap from; IPv6 literals need brackets there. */
export function bootstrapAddress(listener: Config["listener"]): string {
  const host = listener.advertisedHost.includes(":") && !listener.advertisedHost.startsWith("[")
    ? `[${listener.advertisedHost}]`
    : listener.advertisedHost;
  return `${host}:${listener.port}`;
}

export interface ClientPropertiesInput {
  readonly bootstrap: string;
  readonly vcluster: string;
  readonly username: string;
  readonly password: string;
  readonly comment?: string;
  /** The listener speaks TLS: SASL_SSL, trusting this CA (PEM) when given. */
  readonly tls?: { readonly truststore?: string };
}

/**
 * A PEM value as a Java properties line: continuation lines, which Kafka's PEM parser reads back
 * (it ignores the whitespace the joined lines leave).
 */
function pemProperty(key: string, pem: string): string {
  const lines = pem.trim().split(/\r?\n/);
  return `${key}=${lines.join(" \\\n  ")}`;
}

/**
 * A Kafka client `.properties` file for SASL/PLAIN through kgate, usable as-is with
 * `--command-config` of the Kafka tools. Usernames and tokens never contain `"` or `\`
 * (the API restricts them), so the JAAS quoting below is safe.
 */
export function renderClientProperties(input: ClientPropertiesInput): string {
  const tls = input.tls
    ? ["ssl.truststore.type=PEM", ...(input.tls.truststore ? [pemProperty("ssl.truststore.certificates", input.tls.truststore)] : [])]
    : [];
  return [
    `# kgate virtual cluster "${input.vcluster}"${input.comment ? ` - ${input.comment}` : ""}`,
    `bootstrap.servers=${input.bootstrap}`,
    `security.protocol=${input.tls ? "SASL_SSL" : "SASL_PLAINTEXT"}`,
    ...tls,
    "sasl.mechanism=PLAIN",
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${input.username}" password="${input.password}";`,
    "",
  ].join("\n");
}
