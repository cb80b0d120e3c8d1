import type { Config } from "../config/schema.ts";

/** `host:port` clients bootstrap from; IPv6 literals need brackets there. */
export function bootstrapAddress(listener: Config["listener"]): string {
  // With SNI routing the bootstrap name sends the host name the port routes by; with the
  // vcluster in host names it still works, the login picks the vcluster.
  if (listener.sni) return `bootstrap.${listener.sni.advertisedDomain}:${listener.port}`;
  const host = listener.advertisedHost.includes(":") && !listener.advertisedHost.startsWith("[") ? `[${listener.advertisedHost}]` : listener.advertisedHost;
  return `${host}:${listener.port}`;
}

export interface ClientPropertiesInput {
  readonly bootstrap: string;
  readonly vcluster: string;
  readonly username: string;
  readonly password: string;
  /** SASL mechanism; PLAIN (tokens) unless given. */
  readonly mechanism?: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
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
  const tls = input.tls ? ["ssl.truststore.type=PEM", ...(input.tls.truststore ? [pemProperty("ssl.truststore.certificates", input.tls.truststore)] : [])] : [];
  return [
    `# kgate virtual cluster "${input.vcluster}"${input.comment ? ` - ${input.comment}` : ""}`,
    `bootstrap.servers=${input.bootstrap}`,
    `security.protocol=${input.tls ? "SASL_SSL" : "SASL_PLAINTEXT"}`,
    ...tls,
    `sasl.mechanism=${input.mechanism ?? "PLAIN"}`,
    `sasl.jaas.config=org.apache.kafka.common.security.${
      (input.mechanism ?? "PLAIN") === "PLAIN" ? "plain.PlainLoginModule" : "scram.ScramLoginModule"
    } required username="${input.username}" password="${input.password}";`,
    "",
  ].join("\n");
}
