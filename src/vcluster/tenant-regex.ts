// Regular expressions a tenant sends (ListTransactions patterns, KIP-848 subscription regexes),
// parsed and matched with RE2 (re2js): linear time in the input, whatever the pattern
// (invariant 4), and the dialect the broker itself uses for KIP-848 regexes (RE2/J), so what
// kgate accepts is what the broker will read.
import { RE2JS } from "re2js";
import type { Tenant } from "./tenant.ts";

/**
 * A ceiling on the compiled program: matching costs input length times program size, so a huge
 * pattern (RE2 allows repeats up to 1000) would still make each match slow, if linearly so.
 */
export const MAX_REGEX_PROGRAM_SIZE = 10_000;

export type ParsedRegex = { ok: true; re: RE2JS } | { ok: false; problem: string };

/** Parses `pattern` as RE2, or says why it cannot be used. */
function parseTenantRegex(pattern: string): ParsedRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    return { ok: false, problem: (e as Error).message };
  }
  const size = re.programSize();
  if (size > MAX_REGEX_PROGRAM_SIZE) return { ok: false, problem: `too complex (program size ${size}, at most ${MAX_REGEX_PROGRAM_SIZE})` };
  return { ok: true, re };
}

/** The refusal message for a pattern, or null when it may be used. */
export function regexProblem(pattern: string): string | null {
  const parsed = parseTenantRegex(pattern);
  return parsed.ok ? null : parsed.problem;
}

/** A full-match predicate (the broker's `Pattern.matches` semantics), or the problem. */
export function fullMatcher(pattern: string): { ok: true; matches: (s: string) => boolean } | { ok: false; problem: string } {
  const parsed = parseTenantRegex(pattern);
  if (!parsed.ok) return parsed;
  const re = parsed.re;
  return { ok: true, matches: (s) => re.testExact(s) };
}

/** The anchored form kgate sends: the tenant's regex can only match inside its own prefix. */
export function anchorRegex(tenant: Tenant, regex: string): string {
  return `^${escapePrefix(tenant.prefix)}(?:${regex})$`;
}

export function unanchorRegex(tenant: Tenant, anchored: string): string | null {
  const head = `^${escapePrefix(tenant.prefix)}(?:`;
  if (!anchored.startsWith(head) || !anchored.endsWith(")$")) return null;
  return anchored.slice(head.length, -2);
}

// The form groups subscribed through earlier kgate versions carry: keep it, so that their
// regexes still read back (a prefix is letters, digits, '.', '_' and '-').
function escapePrefix(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}

/**
 * Why `regex` cannot be sent anchored, or null. RE2 parses it on its own, so it never closes
 * more groups than it opens and cannot end kgate's anchoring group early; the one construct
 * that reads past its own end, an unterminated `\Q`, would swallow the anchor's `)$`, which the
 * parse of the anchored form catches.
 */
export function anchoredRegexProblem(tenant: Tenant, regex: string): string | null {
  const alone = regexProblem(regex);
  if (alone !== null) return alone;
  const anchored = regexProblem(anchorRegex(tenant, regex));
  return anchored === null ? null : `it does not stay one unit inside a group (${anchored})`;
}
