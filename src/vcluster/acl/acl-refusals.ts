// Building blocks of the ACL table: take the refused entries out of a request and have the
// response carry each of them back with its authorization error, in the shape the broker uses
// for that API (the entries are appended once the response is otherwise rewritten, in the
// tenant's names). A request left with no entries is still forwarded: the broker answers it
// with an empty list, to which the refused entries are added.
type Obj = Record<string, unknown>;

/** What the table's rules see: the decisions for this session, and where response fixes go. */
export interface AclRuleContext {
  readonly version: number;
  /** Authorizer.authorize (super users pass everything). */
  allows(operation: number, resourceType: number, name: string): boolean;
  /** Authorizer.authorizeByResourceType. */
  allowsAnyOfType(operation: number, resourceType: number): boolean;
  /** The bit field of operations allowed on a resource (authorizedOperations in Describe* answers). */
  authorizedOperations(resourceType: number, name: string): number;
  /** The tenant's name of a request entry's topic: its name, else the name of its topic id (undefined when unknown). */
  topicName(entry: Obj, nameProp: string): string | undefined;
  /** The tenant's name of a topic id kgate has learnt (no lookup), for checking responses. */
  knownTopicName(topicId: string): string | undefined;
  /** Run on the decoded response, after kgate's rewriting (names are the tenant's). */
  readonly fixups: Array<(response: Obj) => void>;
}

/** Refuse the whole request with this top-level error (closing when the API has none). */
export interface AclRefusal {
  readonly errorCode: number;
  readonly message: string;
}

/**
 * Removes from `body[req]` every entry `verdict` gives an error code, and appends
 * `refused(entry, code)` for each to `response[res]`. Returns how many were removed.
 */
export function refuseEntries(
  body: Obj,
  req: string,
  ctx: AclRuleContext,
  verdict: (entry: Obj) => number,
  res: string | ((response: Obj) => Obj[]),
  refused: (entry: Obj, errorCode: number) => Obj,
): number {
  const entries = body[req] as Obj[] | null | undefined;
  if (!entries) return 0;
  const out: Obj[] = [];
  body[req] = entries.filter((e) => {
    const code = verdict(e);
    if (code !== 0) out.push(refused(e, code));
    return code === 0;
  });
  if (out.length > 0) {
    ctx.fixups.push((response) => {
      const list = typeof res === "string" ? (response[res] as Obj[]) : res(response);
      list.push(...out);
    });
  }
  return out.length;
}

/** The same for an array of plain names (group ids, transactional ids). */
export function refuseNames(
  body: Obj,
  req: string,
  ctx: AclRuleContext,
  verdict: (name: string) => number,
  res: string,
  refused: (name: string, errorCode: number) => Obj,
): number {
  const names = body[req] as string[] | null | undefined;
  if (!names) return 0;
  const out: Obj[] = [];
  body[req] = names.filter((n) => {
    const code = verdict(n);
    if (code !== 0) out.push(refused(n, code));
    return code === 0;
  });
  if (out.length > 0) ctx.fixups.push((response) => (response[res] as Obj[]).push(...out));
  return out.length;
}

/** Keeps only the response entries `keep` allows (list answers: Metadata for all topics, ListGroups, …). */
export function filterResponse(ctx: AclRuleContext, res: string, keep: (entry: Obj) => boolean): void {
  ctx.fixups.push((response) => {
    const list = response[res] as Obj[] | null | undefined;
    if (list) response[res] = list.filter(keep);
  });
}

/** Each partition of a request entry as a response partition with `errorCode`. */
export function partitionsWith(
  entry: Obj,
  reqParts: string,
  reqIndex: string | null,
  make: () => Obj,
  resIndex: string,
  errorCode: number,
  errorProp = "errorCode",
): Obj[] {
  return ((entry[reqParts] as unknown[] | null) ?? []).map((p) => ({
    ...make(),
    [resIndex]: reqIndex === null ? p : (p as Obj)[reqIndex],
    [errorProp]: errorCode,
  }));
}
