// The on-disk form of a snapshot, versioned so a later kgate can migrate it. A file that is not a
// kgate store at all stops the start instead of being overwritten; inside one, each record is
// replayed through the same checks as the state topic's (see `snapshotRecords`), so a hand-edited
// record that breaks a rule is skipped with its reason rather than trusted.
import { z } from "zod";
import type { LegacySecrets, StoreState } from "./records.ts";
import type { StateRecord } from "./state-topic-records.ts";

const FORMAT = "kgate-store";
const VERSION = 1;

const items = z.record(z.string(), z.unknown());
const snapshotSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  vclusters: items,
  serviceAccounts: items,
  tokens: items,
  revokedTokens: items,
  // Absent in files older kgates wrote.
  deletedVclusters: items.optional(),
  // Absent in files written before vcluster ACLs.
  acls: items.optional(),
  // Written by older kgates; read only to move the values to the key files.
  secrets: z.object({ adminToken: z.string().min(1).optional(), tokenSecret: z.string().min(1).optional() }).optional(),
  tenancySince: z.string().optional(),
});

export interface ParsedSnapshot {
  /** The file's records, unchecked: replay them with `applyStateRecord`. */
  readonly records: readonly StateRecord[];
  readonly legacySecrets: LegacySecrets;
}

export function serializeSnapshot(state: StoreState): string {
  const { vclusters, serviceAccounts, tokens, revokedTokens, deletedVclusters, acls, tenancySince } = state;
  const snapshot = { format: FORMAT, version: VERSION, vclusters, serviceAccounts, tokens, revokedTokens, deletedVclusters, acls, tenancySince };
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/** Throws with the location of each problem when `text` is not a snapshot this kgate can read. */
export function parseSnapshot(text: string, source: string): ParsedSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`store file ${source} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`store file ${source} is not a kgate store:\n  ${problems.join("\n  ")}`);
  }
  return { records: snapshotRecords(parsed.data), legacySecrets: parsed.data.secrets ?? {} };
}

/**
 * The snapshot as state-topic records, vclusters first and oldest first: when two vclusters in a
 * file conflict, the one created first keeps its place, as it would have in the log.
 */
function snapshotRecords(snapshot: z.output<typeof snapshotSchema>): StateRecord[] {
  const createdAt = (v: unknown) => String((v as { createdAt?: unknown } | null)?.createdAt ?? "");
  const vclusters = Object.entries(snapshot.vclusters).sort(
    ([a, va], [b, vb]) => createdAt(va).localeCompare(createdAt(vb)) || a.localeCompare(b),
  );
  const out: StateRecord[] = [];
  const add = (kind: string, entries: [string, unknown][]) => {
    for (const [id, item] of entries) out.push({ key: `${kind}/${id}`, value: JSON.stringify(item) });
  };
  // Deletion markers first: they say which incarnations must not come back.
  add("deleted", Object.entries(snapshot.deletedVclusters ?? {}));
  add("vcluster", vclusters);
  add("account", Object.entries(snapshot.serviceAccounts));
  add("token", Object.entries(snapshot.tokens));
  add("revoked", Object.entries(snapshot.revokedTokens));
  add("acl", Object.entries(snapshot.acls ?? {}));
  if (snapshot.tenancySince !== undefined) out.push({ key: "tenancy/since", value: JSON.stringify(snapshot.tenancySince) });
  return out;
}
