// A fetch quota's window: a Fetch asks for no more bytes than the connection may read now.
import { ApiKey, type RequestOf } from "../../protocol/messages/api-keys.ts";
import type { RequestExchange } from "./exchange.ts";

export function fetchQuota(x: RequestExchange): undefined {
  const max = x.conn.fetchMaxBytes;
  if (!x.plan.isFetch || max === undefined) return undefined;
  const body = x.body as unknown as RequestOf<typeof ApiKey.Fetch>;
  if (body.maxBytes > max) {
    body.maxBytes = max;
    x.changed++;
  }
  return undefined;
}
