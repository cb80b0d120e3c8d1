// The vcluster's ACLs (when it has them on), decided on the tenant's own names.
import { type AclDecisions, aclStage } from "../acl/acl-stage.ts";
import { refuse, type RequestExchange, type StageStop } from "./exchange.ts";

export function acl(x: RequestExchange): Promise<StageStop | undefined> | undefined {
  const decisions = x.conn.acl?.() ?? null;
  return decisions ? checkAcls(x, decisions) : undefined;
}

async function checkAcls(x: RequestExchange, decisions: AclDecisions): Promise<StageStop | undefined> {
  const checked = await aclStage(x.body, x.head, x.tenant, decisions, x.deps.topicIds);
  if (checked.kind === "refuse") {
    const { errorCode, message } = checked.refusal;
    return refuse(x.head, errorCode, message, `refused by the vcluster's ACLs: ${message}`);
  }
  // As the broker does for acks=0: no response can carry the refusal, so the connection closes.
  if (x.acksZero && checked.fixups.length > 0) return { kind: "close", reason: "acks=0 produce refused by the vcluster's ACLs" };
  // Each fix-up (a refused entry taken out, put back into the response) changed the request.
  x.rule.responseFixups.push(...checked.fixups);
  x.changed += checked.fixups.length;
  return undefined;
}
