// Small Java programs for end-to-end tests (a Kafka Streams app, ...): the sources under
// test/e2e/java, compiled with the JDK's javac against their extra jars from Maven Central and
// Kafka's own .kafka/libs. Jars and classes are fetched and compiled once, by the compat
// matrix's helpers (test/compat/jars.ts).
import { join } from "node:path";
import { classpath, compileJava, javaArgs, KAFKA_LIBS, type MavenArtifact, mavenJars } from "../compat/jars.ts";
import { type CommandOptions, type CommandResult, runCommand } from "./command.ts";
import { REPO_ROOT } from "./kafka.ts";

const SOURCES = join(REPO_ROOT, "test", "e2e", "java");

export interface JavaProgram {
  run(args: string[], opts?: CommandOptions): Promise<CommandResult>;
}

/** Compiles test/e2e/java/SOURCE against .kafka/libs plus `artifacts`; `run` starts its main class. */
export async function javaProgram(source: string, jarsName: string, artifacts: readonly MavenArtifact[]): Promise<JavaProgram> {
  // kafka-clients and friends come from .kafka/libs, the broker's own version.
  const jars = await mavenJars(jarsName, artifacts, true, ["kafka-clients", "slf4j-api"]);
  const cp = classpath(jars, KAFKA_LIBS);
  const classes = await compileJava(`e2e-${jarsName}`, cp, [source], SOURCES);
  const mainClass = source.replace(/\.java$/, "");
  const log4j = join(REPO_ROOT, ".kafka", "log4j2-cli.xml");
  return {
    run: (args, opts = {}) =>
      runCommand("java", [...javaArgs(`${classes}:${cp}`, mainClass, [`-Dlog4j2.configurationFile=${log4j}`]), ...args], { timeoutMs: 240_000, ...opts }),
  };
}
