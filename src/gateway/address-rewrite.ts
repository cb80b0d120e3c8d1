// Rewrites every broker address in a decoded response to the address kgate advertises for that
// broker (its own port, or its SNI host name), driven by the generated `brokerEndpoint` metadata.
import type { EntityField } from "../protocol/entity-field.ts";
import { walkEntities } from "../protocol/entity-walk.ts";
import type { BrokerDirectory } from "./broker-directory.ts";

const NODE_ID_PROPS = ["nodeId", "brokerId", "leaderId", "replicaId"];

function nodeIdOf(obj: Record<string, unknown> | null): number | undefined {
  if (!obj) return undefined;
  for (const p of NODE_ID_PROPS) if (typeof obj[p] === "number") return obj[p] as number;
  return undefined;
}

export async function rewriteBrokerAddresses(
  body: unknown,
  fields: readonly EntityField[],
  version: number,
  brokers: BrokerDirectory,
): Promise<number> {
  const endpoints: Array<{ struct: Record<string, unknown>; nodeId: number | undefined }> = [];
  walkEntities(body, fields, version, "brokerEndpoint", (struct, _prop, parent) => {
    endpoints.push({ struct, nodeId: nodeIdOf(struct) ?? nodeIdOf(parent) });
  });
  let rewritten = 0;
  for (const { struct, nodeId } of endpoints) {
    const host = struct.host as string;
    const port = struct.port as number;
    // FindCoordinator answers "no coordinator" with node -1 and an empty host: leave it be.
    if (!host || port <= 0) continue;
    const id = nodeId !== undefined && nodeId >= 0 ? nodeId : brokers.nodeAt(host, port);
    if (id === undefined) continue;
    const advertised = await brokers.advertise(id, host, port);
    struct.host = advertised.host;
    struct.port = advertised.port;
    rewritten++;
  }
  return rewritten;
}
