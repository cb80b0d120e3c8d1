// The on-disk form of a snapshot, versioned so a later kgate can migrate it, and validated on
// load so a hand-edited or foreign file stops the start instead of being overwritten.
import { z } from "zod";
import { issuedTokenSchema, revokedTokenSchema, serviceAccountSchema, vclusterSchema } from "./record-schemas.ts";
import type { StoreState } from "./records.ts";

const FORMAT = "kgate-store";
const VERSION = 1;

const snapshotSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  vclusters: z.record(z.string(), vclusterSchema),
  serviceAccounts: z.record(z.string(), serviceAccountSchema),
  tokens: z.record(z.string(), issuedTokenSchema),
  revokedTokens: z.record(z.string(), revokedTokenSchema),
  secrets: z.object({ adminToken: z.string().optional(), tokenSecret: z.string().optional() }),
  tenancySince: z.string().optional(),
});

export function serializeSnapshot(state: StoreState): string {
  return `${JSON.stringify({ format: FORMAT, version: VERSION, ...state }, null, 2)}\n`;
}

/** Throws with the location of each problem when `text` is not a snapshot this kgate can read. */
export function parseSnapshot(text: string, source: string): StoreState {
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
  const { format: _format, version: _version, ...state } = parsed.data;
  return state;
}
