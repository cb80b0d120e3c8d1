// Cost of one ACL decision (AclIndex.allows) with a vcluster's maximum of 1,000 ACLs spread over
// 50 principals, and with 10 ACLs: a request checks one decision per topic, group or id it names.
//
//   bun scripts/bench-acl.ts        deno run -A scripts/bench-acl.ts
import { AclIndex } from "../src/model/acl-matcher.ts";
import { Op, Pattern, Permission, Res } from "../src/model/acl-model.ts";

const acls = Array.from({ length: 1000 }, (_, i) => ({
  resourceType: Res.TOPIC,
  resourceName: `topic-${i}`,
  patternType: i % 2 ? Pattern.PREFIXED : Pattern.LITERAL,
  principal: `User:u${i % 50}`,
  host: "*",
  operation: Op.WRITE,
  permissionType: i % 7 ? Permission.ALLOW : Permission.DENY,
}));
const subject = { principal: "User:u3", host: "127.0.0.1" };
const N = 100_000;

function perDecisionMicros(index: AclIndex, names: number): number {
  const t0 = performance.now();
  let allowed = 0;
  for (let i = 0; i < N; i++) if (index.allows(subject, Op.WRITE, Res.TOPIC, `topic-${i % names}`)) allowed++;
  if (allowed < 0) throw new Error("unreachable");
  return ((performance.now() - t0) * 1000) / N;
}

console.log(`1000 ACLs (50 principals): ${perDecisionMicros(new AclIndex(acls), 1200).toFixed(2)} µs per decision`);
console.log(
  `1000 ACLs, all User:*:      ${perDecisionMicros(new AclIndex(acls.map((a) => ({ ...a, principal: "User:*" }))), 1200).toFixed(2)} µs per decision`,
);
console.log(`10 ACLs:                    ${perDecisionMicros(new AclIndex(acls.slice(0, 10)), 12).toFixed(2)} µs per decision`);
