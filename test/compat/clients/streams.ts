// Kafka Streams 4.4 (exactly_once_v2) inside a vcluster: the app (test/compat/java/StreamsApp.java)
// counts words; then the backing cluster must hold its changelog and repartition topics and its
// group under the vcluster's prefix, and the app itself must see them without it.
import { join } from "node:path";
import { runScenarioProgram } from "../external.ts";
import { classpath, compileJava, javaArgs, KAFKA_LIBS, mavenJars } from "../jars.ts";
import type { CompatClient, StepResult } from "../types.ts";

const streamsJars = () => mavenJars("streams-4.4.0", [{ group: "org.apache.kafka", artifact: "kafka-streams", version: "4.4.0" }]);

export const streamsClient: CompatClient = {
  name: "Kafka Streams 4.4 (exactly_once_v2)",
  async unavailable() {
    try {
      await streamsJars();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
  async run(t) {
    const cp = classpath(await streamsJars(), KAFKA_LIBS);
    const classes = await compileJava("streams-4.4", cp, ["StreamsApp.java"]);
    const steps = await runScenarioProgram(
      "java",
      javaArgs(`${classes}:${cp}`, "StreamsApp", [`-Dlog4j2.configurationFile=${join(KAFKA_LIBS, "..", "log4j2-cli.xml")}`]),
      t,
    );
    if (!t.backing || steps.some((s) => s.status === "fail")) return steps;
    const app = `wordcount${t.suffix}`;
    const step: StepResult = { step: "backing-prefixed", status: "ok", detail: "" };
    const [topics, groups, txIds] = await Promise.all([t.backing.topics(), t.backing.groups(), t.backing.transactionalIds()]);
    const p = t.backing.prefix;
    const internal = topics.filter((x) => x.startsWith(`${p}${app}-`));
    const missing = [
      internal.some((x) => x.endsWith("-changelog")) ? "" : `${p}${app}-…-changelog`,
      internal.some((x) => x.endsWith("-repartition")) ? "" : `${p}${app}-…-repartition`,
      groups.includes(`${p}${app}`) ? "" : `group ${p}${app}`,
      // exactly_once_v2: one transactional producer per stream thread, "<application id>-<process id>-<n>"
      txIds.some((x) => x.startsWith(`${p}${app}-`)) ? "" : `transactional id ${p}${app}-…`,
    ].filter(Boolean);
    if (missing.length) Object.assign(step, { status: "fail", detail: `missing on the backing cluster: ${missing.join(", ")}` });
    else {step.detail = `backing cluster: ${internal.map((x) => x.slice(p.length)).join(", ")}, group ${app} and transactional id ${
        txIds.find((x) => x.startsWith(`${p}${app}-`))!.slice(p.length)
      }, all under ${p}`;}
    return [...steps, step];
  },
};
