// Once a Fetch's ids are checked: the session bookkeeping learns whether any was swapped, and
// watches the response's first bytes for the session the broker opened (../fetch-sessions.ts).
import { ApiKey, type RequestOf } from "../../protocol/messages/api-keys.ts";
import type { RequestExchange } from "./exchange.ts";

export function fetchSessionTrack(x: RequestExchange): undefined {
  if (!x.plan.isFetch) return undefined;
  const { sessionId, sessionEpoch } = x.body as unknown as RequestOf<typeof ApiKey.Fetch>;
  x.fetchExchange = x.conn.fetchSessions.exchange(x.plan.version, sessionId, sessionEpoch, x.fakes.size > 0);
  return undefined;
}
