// The inputs of code generation, vendored in the repository so that generating (and the unit
// test that checks the committed output) needs neither Maven nor the network:
//   vendor/kafka-<version>/message/*.json   the message specs from the kafka-clients jar
//   vendor/kafka-<version>/kafka-enums.json the Errors enum and the enum-like constants, which the
//                                           jar holds only as class files (DumpKafkaEnums.java)
//   vendor/kafka-<version>/LICENSE, NOTICE  the Apache licence and notice they come with
// `bun scripts/gen-protocol.ts --from-jar [PATH]` refreshes the folder from a kafka-clients jar.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readJarEntries } from "./jar.ts";
import { KAFKA_VERSION } from "./kafka-version.ts";
import { type MessageSpec, parseMessage } from "./spec.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const VENDOR_DIR = join(ROOT, "vendor", `kafka-${KAFKA_VERSION}`);
/** How generated files name their input. */
export const VENDOR_LABEL = `vendor/kafka-${KAFKA_VERSION}`;

export interface KafkaErrorSpec {
  name: string;
  code: number;
  retriable: boolean;
  message: string;
}

export interface KafkaEnums {
  errors: KafkaErrorSpec[];
  constants: Record<string, Array<{ name: string; code: number }>>;
}

/** Every message spec of the pinned version, by name (e.g. "MetadataRequest"). */
export function loadSpecs(dir: string = VENDOR_DIR): Map<string, MessageSpec> {
  const messageDir = join(dir, "message");
  const specs = new Map<string, MessageSpec>();
  for (const f of readdirSync(messageDir).filter((n) => n.endsWith(".json")).sort()) {
    const spec = parseMessage(`${VENDOR_LABEL}/message/${f}`, readFileSync(join(messageDir, f), "utf8"));
    specs.set(spec.name, spec);
  }
  if (specs.size === 0) throw new Error(`no message specs in ${messageDir}`);
  return specs;
}

export function loadEnums(dir: string = VENDOR_DIR): KafkaEnums {
  return JSON.parse(readFileSync(join(dir, "kafka-enums.json"), "utf8")) as KafkaEnums;
}

const NOTE = `# Apache Kafka ${KAFKA_VERSION} protocol inputs

Vendored so that \`npm run gen:protocol\` and the unit tests need neither Maven nor the network.
Apache Kafka is licensed under the Apache License 2.0 (\`LICENSE\`, \`NOTICE\`, both from the jar).

- \`message/*.json\`: \`common/message/*.json\` of \`kafka-clients-${KAFKA_VERSION}.jar\`, unchanged.
- \`kafka-enums.json\`: the output of \`scripts/vendor/DumpKafkaEnums.java\` run against the same
  jar (\`org.apache.kafka.common.protocol.Errors\`: name, code, retriable = the exception is a
  \`RetriableException\`, default message; ResourceType, AclOperation, AclPermissionType,
  PatternType, ConfigResource.Type, DescribeConfigsResponse.ConfigSource,
  FindCoordinatorRequest.CoordinatorType), which exist only as class files.

Refresh (after changing \`scripts/lib/kafka-version.ts\`): \`bun scripts/gen-protocol.ts --from-jar [PATH]\`
(needs Java 17+, and Maven when the jar is not in \`.kafka/libs\` or \`~/.m2\`). Never edit by hand.
`;

/** Rewrites the vendored folder from a kafka-clients jar (the upgrade path). */
export function vendorFromJar(jarPath: string, dir: string = VENDOR_DIR): void {
  const entries = readJarEntries(jarPath, (n) => (n.startsWith("common/message/") && n.endsWith(".json")) || n === "LICENSE" || n === "NOTICE");
  const messageDir = join(dir, "message");
  rmSync(messageDir, { recursive: true, force: true });
  mkdirSync(messageDir, { recursive: true });
  for (const [name, data] of entries) {
    const target = name.startsWith("common/message/") ? join(messageDir, name.slice("common/message/".length)) : join(dir, name);
    writeFileSync(target, data);
  }
  const libs = dirname(jarPath);
  const slf4j = existsSync(libs) ? readdirSync(libs).find((n) => /^slf4j-api-.*\.jar$/.test(n)) : undefined;
  const classpath = [jarPath, ...(slf4j ? [join(libs, slf4j)] : [])].join(":");
  const json = execFileSync("java", ["-cp", classpath, join(ROOT, "scripts", "vendor", "DumpKafkaEnums.java")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  JSON.parse(json); // fails loudly on a broken dump
  writeFileSync(join(dir, "kafka-enums.json"), json);
  writeFileSync(join(dir, "README.md"), NOTE);
}
