// The backing cluster's ApiVersions, fetched over kgate's own lookup connection and cached, so
// that kgate can answer a client's ApiVersions before the client has logged in (no backing
// connection per unauthenticated client; invariant 4).
import type { ApiVersionsResponse } from "../protocol/messages/api-versions-response.ts";
import { VERSION } from "../base/version.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";

const API_VERSIONS_KEY = ApiKey.ApiVersions;
const LOOKUP_VERSION = 3;

export type BackingRequest = (apiKey: number, version: number, body: unknown) => Promise<unknown>;

export class BackingApiVersions {
  private cached: { body: ApiVersionsResponse; at: number } | null = null;
  private refreshing: Promise<ApiVersionsResponse> | null = null;

  constructor(
    private readonly request: BackingRequest,
    private readonly options: { timeoutMs: number; maxAgeMs?: number; clock?: () => number },
  ) {}

  /** Fresh enough versions; a stale copy when a refresh fails; an error only if none was ever fetched. */
  async get(): Promise<ApiVersionsResponse> {
    const now = (this.options.clock ?? Date.now)();
    const maxAge = this.options.maxAgeMs ?? 30_000;
    if (this.cached && now - this.cached.at < maxAge) return this.cached.body;
    this.refreshing ??= this.fetch().finally(() => (this.refreshing = null));
    try {
      return await this.refreshing;
    } catch (e) {
      if (this.cached) return this.cached.body;
      throw e;
    }
  }

  private async fetch(): Promise<ApiVersionsResponse> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ApiVersions answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    try {
      const body = (await Promise.race([
        this.request(API_VERSIONS_KEY, LOOKUP_VERSION, { clientSoftwareName: "kgate", clientSoftwareVersion: VERSION }),
        timeout,
      ])) as ApiVersionsResponse;
      if (body.errorCode !== 0) throw new Error(`backing ApiVersions error code ${body.errorCode}`);
      this.cached = { body, at: (this.options.clock ?? Date.now)() };
      return body;
    } finally {
      clearTimeout(timer);
    }
  }
}
