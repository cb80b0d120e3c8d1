// Java kafka-clients, one row per release line: the pinned 4.4 from .kafka/libs, older lines from
// Maven Central. One scenario program (test/compat/java/Scenario.java) compiled against each.
import { existsSync } from "node:fs";
import { classpath, compileJava, KAFKA_LIBS, mavenJars } from "../jars.ts";
import { javaArgs } from "../jars.ts";
import { runScenarioProgram } from "../external.ts";
import type { CompatClient } from "../types.ts";

async function jarsFor(version: string): Promise<string> {
  if (version === "4.4") return KAFKA_LIBS;
  return mavenJars(`clients-${version}`, [
    { group: "org.apache.kafka", artifact: "kafka-clients", version },
    { group: "org.slf4j", artifact: "slf4j-nop", version: "1.7.36" },
  ]);
}

export function javaClient(version: string, fast = false): CompatClient {
  return {
    name: `Java kafka-clients ${version}`,
    fast,
    standardNames: true,
    async unavailable() {
      if (version === "4.4" && !existsSync(KAFKA_LIBS)) return "no .kafka/libs (scripts/kafka.sh fetch)";
      try {
        await jarsFor(version);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    async run(t) {
      const jars = await jarsFor(version);
      const classes = await compileJava(`scenario-${version}`, classpath(jars), ["Scenario.java"]);
      return runScenarioProgram(
        "java",
        javaArgs(`${classes}:${classpath(jars)}`, "Scenario", [`-Dlog4j2.configurationFile=${KAFKA_LIBS}/../log4j2-cli.xml`]),
        t,
      );
    },
  };
}
