// Audit events as JSON lines appended to a file (one event per line).
import type { Runtime } from "../runtime/types.ts";
import type { AuditEvent, AuditSink } from "./audit-event.ts";

export function fileSink(runtime: Pick<Runtime, "appendTextFile">, path: string): AuditSink {
  return {
    write: (events: readonly AuditEvent[]) => runtime.appendTextFile(path, events.map((e) => `${JSON.stringify(e)}\n`).join("")),
  };
}
