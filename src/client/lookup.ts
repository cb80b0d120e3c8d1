// A request kgate makes to the backing cluster for its own purposes (topic ids, ApiVersions,
// listings), and the timeout every such request gets (invariant 4: no unbounded wait).

export type MetadataLookup = (apiKey: number, version: number, body: unknown) => Promise<unknown>;

class LookupTimeoutError extends Error {
  override name = "LookupTimeoutError";
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LookupTimeoutError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
