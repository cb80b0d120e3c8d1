// Audit events as records of a topic on the backing cluster (`_kgate_audit` by default): one record
// per event, keyed by vcluster. Like every `_kgate*` topic it is unreachable through kgate.
import { ensureTopic } from "../client/admin-ops.ts";
import { PartitionLog, type PartitionLogOptions } from "../client/partition-log.ts";
import type { AuditEvent, AuditSink } from "./audit-event.ts";

const encoder = new TextEncoder();

export function kafkaSink(options: Omit<PartitionLogOptions, "topic" | "clientId">, topic: string): AuditSink {
  const log = new PartitionLog({ ...options, topic, clientId: "kgate-audit" });
  let ready: Promise<unknown> | null = null;
  return {
    async write(events: readonly AuditEvent[]) {
      ready ??= log.withAnyBroker((conn) => ensureTopic(conn, { name: topic, partitions: 1, replicationFactor: -1, configs: {} })).catch((e) => {
        ready = null;
        throw e;
      });
      await ready;
      await log.produce(events.map((e) => ({ key: encoder.encode(e.vcluster ?? "-"), value: encoder.encode(JSON.stringify(e)) })));
    },
    close: async () => log.close(),
  };
}
