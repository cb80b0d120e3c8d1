// Fetch sessions live in the broker under a bare number: a tenant may only name one the broker
// opened for it on this connection (see ../fetch-sessions.ts).
import { ErrorCode } from "../../protocol/error-codes.ts";
import { ApiKey, type RequestOf } from "../../protocol/messages/api-keys.ts";
import { refuse, type RequestExchange, type StageStop } from "./exchange.ts";

export function fetchSessionGuard(x: RequestExchange): StageStop | undefined {
  if (!x.plan.isFetch) return undefined;
  const { sessionId } = x.body as unknown as RequestOf<typeof ApiKey.Fetch>;
  if (x.conn.fetchSessions.allows(sessionId)) return undefined;
  return refuse(x.head, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, `fetch session ${sessionId} was not opened on this connection`);
}
