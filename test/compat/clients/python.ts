// Python clients from Debian's packages, run by Debian's own python3 (where apt installs them):
// confluent-kafka (librdkafka) and kafka-python.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "../../support/command.ts";
import { REPO_ROOT } from "../../support/kafka.ts";
import { runScenarioProgram } from "../external.ts";
import type { CompatClient } from "../types.ts";

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const SCRIPTS = join(REPO_ROOT, "test", "compat", "python");

function pythonClient(name: string, module: string, debianPackage: string, script: string): CompatClient {
  return {
    name,
    version: () => pythonModuleVersion(module),
    standardNames: true,
    async unavailable() {
      const res = await runCommand(PYTHON, ["-c", `import ${module}`]);
      return res.code === 0 ? null : `${module} not importable by ${PYTHON} (apt-get install ${debianPackage})`;
    },
    run: (t) => runScenarioProgram(PYTHON, [join(SCRIPTS, script)], t),
  };
}

export const confluentKafkaPython = pythonClient("confluent-kafka-python (librdkafka)", "confluent_kafka", "python3-confluent-kafka", "confluent_scenario.py");
export const kafkaPython = pythonClient("kafka-python", "kafka", "python3-kafka", "kafka_python_scenario.py");

/** The installed version, for the matrix's row label. */
export async function pythonModuleVersion(module: string): Promise<string> {
  const code = module === "confluent_kafka"
    ? "import confluent_kafka as m; print(m.version()[0] + ', librdkafka ' + m.libversion()[0])"
    : `import ${module} as m; print(m.__version__)`;
  const res = await runCommand(PYTHON, ["-c", code]);
  return res.code === 0 ? `${debianName(module)} ${res.stdout.trim()}` : "?";
}

const debianName = (module: string) => (module === "confluent_kafka" ? "python3-confluent-kafka" : "python3-kafka");
