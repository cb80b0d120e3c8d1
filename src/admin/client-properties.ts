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
}

/**
 * A Kafka client `.properties` file for SASL/PLAIN through kgate, usable as-is with
 * `--command-config` of the Kafka tools. Usernames and tokens never contain `"` or `\`
 * (the API restricts them), so the JAAS quoting below is safe.
 */
export function renderClientProperties(input: ClientPropertiesInput): string {
  return [
    `# kgate virtual cluster "${input.vcluster}"${input.comment ? ` - ${input.comment}` : ""}`,
    `bootstrap.servers=${input.bootstrap}`,
    "security.protocol=SASL_PLAINTEXT",
    "sasl.mechanism=PLAIN",
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${input.username}" password="${input.password}";`,
    "",
  ].join("\n");
}
