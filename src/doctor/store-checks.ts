// `kgate doctor`, the store: a file store's directory takes new files and its snapshot parses; a
// Kafka store's topic exists and is compacted; key files are readable by their owner only.
import { keyFilePaths } from "../auth/secrets.ts";
import { describeTopic, describeTopicConfigs } from "../client/admin-ops.ts";
import type { KafkaConnection } from "../client/kafka-connection.ts";
import type { Config } from "../config/schema.ts";
import { directoryWritable } from "../runtime/probes.ts";
import type { Runtime } from "../runtime/types.ts";
import { parseSnapshot } from "../store/snapshot-format.ts";
import { errorText, Findings, within } from "./check.ts";

export async function checkStore(runtime: Runtime, config: Config, backing: KafkaConnection | undefined): Promise<Findings> {
  const f = new Findings("store");
  const { path } = config.store;
  const dir = directoryOf(path);
  // Both store types keep the key files (admin-token, token-secret) in the file store's directory.
  const writable = await directoryWritable(dir);
  if (writable === "ok") f.ok(`directory ${dir} writable`, "kgate can write its store and key files there");
  else if (writable === "missing") {
    const parent = await directoryWritable(directoryOf(dir));
    if (parent === "ok") f.ok(`directory ${dir}`, "does not exist yet; kgate creates it at start");
    else f.fail(`directory ${dir}`, `missing, and its parent is ${parent}`, `create ${dir} for the user kgate runs as, or set store.path elsewhere`);
  } else {
    f.fail(`directory ${dir} writable`, writable, `give the user kgate runs as write access to ${dir} (chown/chmod), or set store.path elsewhere`);
  }

  if (config.store.type === "file") {
    if (await runtime.fileExists(path)) {
      try {
        parseSnapshot(await runtime.readTextFile(path), path);
        f.ok(`store file ${path}`, "readable and well-formed");
      } catch (e) {
        f.fail(
          `store file ${path}`,
          errorText(e),
          `restore ${path} from a backup (kgate writes it atomically, so a broken file was edited or damaged from outside)`,
        );
      }
    } else {
      f.ok(`store file ${path}`, "does not exist yet; kgate creates it (a first run is a transparent proxy until a vcluster exists)");
    }
  }

  for (const file of Object.values(keyFilePaths(path))) {
    if (!(await runtime.fileExists(file))) continue;
    const mode = await runtime.fileMode(file);
    if (mode !== undefined && (mode & 0o077) !== 0) {
      f.fail(`key file ${file}`, `mode ${mode.toString(8)}: readable by others; kgate refuses to start`, `chmod 600 ${file}`);
    } else {
      f.ok(`key file ${file}`, "owner only");
    }
  }

  if (config.store.type === "kafka") await kafkaTopicFindings(f, config, backing);
  return f;
}

async function kafkaTopicFindings(f: Findings, config: Config, conn: KafkaConnection | undefined): Promise<void> {
  const topic = config.store.topic;
  if (!conn) {
    f.skip(`state topic ${topic}`, "no logged-in connection to the backing cluster (see above)");
    return;
  }
  const timeoutMs = Math.min(config.limits.backingTimeoutMs, 5000);
  try {
    const description = await within(timeoutMs, "Metadata", describeTopic(conn, topic));
    if (!description) {
      f.warn(
        `state topic ${topic}`,
        "does not exist yet",
        `kgate creates it (compacted, one partition) at start: its backing user needs CreateTopics on ${topic}; or create it yourself with cleanup.policy=compact`,
      );
      return;
    }
    const configs = await within(timeoutMs, "DescribeConfigs", describeTopicConfigs(conn, topic, ["cleanup.policy"]));
    const policy = configs["cleanup.policy"] ?? "unknown";
    if (policy.split(",").includes("compact")) {
      f.ok(`state topic ${topic}`, `exists, ${description.topic.partitions.length} partition(s), cleanup.policy=${policy}`);
    } else {
      f.fail(
        `state topic ${topic}`,
        `cleanup.policy=${policy}: old records are deleted, and with them vclusters nobody changed lately`,
        `kafka-configs --bootstrap-server … --alter --entity-type topics --entity-name ${topic} --add-config cleanup.policy=compact`,
      );
    }
  } catch (e) {
    f.fail(`state topic ${topic}`, errorText(e), `allow kgate's backing user Describe and DescribeConfigs on ${topic}`);
  }
}

function directoryOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut > 0 ? path.slice(0, cut) : cut === 0 ? "/" : ".";
}
