// The admin API over fetch, for the CLI. Errors carry the API's reason and issue list.

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

export interface VclusterJson {
  name: string;
  prefix: string;
  createdAt: string;
  labels?: Record<string, string>;
  backing?: { username: string };
}

export interface TokenIssuedJson {
  token: string;
  jti: string;
  vcluster: string;
  username: string;
  expiresAt: string;
  clientProperties: string;
}

export interface ServiceAccountJson {
  vcluster: string;
  username: string;
  login: string;
  mechanisms: string[];
  password?: string;
  rotated: boolean;
  clientProperties: string;
}

export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchFn: typeof fetch,
  ) {}

  listVclusters(): Promise<{ vclusters: VclusterJson[] }> {
    return this.call("GET", "/v1/vclusters");
  }

  createVcluster(name: string, body: { prefix?: string; labels?: Record<string, string>; backingAcls?: boolean }): Promise<VclusterJson> {
    return this.call("PUT", `/v1/vclusters/${encodeURIComponent(name)}`, body);
  }

  deleteVcluster(name: string): Promise<void> {
    return this.call("DELETE", `/v1/vclusters/${encodeURIComponent(name)}`);
  }

  createToken(vcluster: string, body: { username: string; lifetimeSeconds?: number }): Promise<TokenIssuedJson> {
    return this.call("POST", `/v1/vclusters/${encodeURIComponent(vcluster)}/tokens`, body);
  }

  createServiceAccount(vcluster: string, body: { username: string; password?: string }): Promise<ServiceAccountJson> {
    return this.call("POST", `/v1/vclusters/${encodeURIComponent(vcluster)}/service-accounts`, body);
  }

  deleteServiceAccount(vcluster: string, username: string): Promise<void> {
    return this.call("DELETE", `/v1/vclusters/${encodeURIComponent(vcluster)}/service-accounts/${encodeURIComponent(username)}`);
  }

  revokeToken(vcluster: string, jti: string): Promise<void> {
    return this.call("DELETE", `/v1/vclusters/${encodeURIComponent(vcluster)}/tokens/${encodeURIComponent(jti)}`);
  }

  /** The Prometheus text of `/metrics`. */
  metricsText(): Promise<string> {
    return this.call("GET", "/metrics", undefined, (text) => text);
  }

  private async call<T>(method: string, path: string, body?: unknown, parse: (text: string) => unknown = (t) => (t ? JSON.parse(t) : undefined)): Promise<T> {
    const url = this.baseUrl.replace(/\/+$/, "") + path;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new AdminApiError(0, `cannot reach the kgate admin API at ${this.baseUrl}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new AdminApiError(response.status, describeFailure(response, text));
    return parse(text) as T;
  }
}

function describeFailure(response: Response, text: string): string {
  let detail = text.trim();
  try {
    const json = JSON.parse(text) as { error?: string; issues?: { path: (string | number)[]; message: string }[] };
    detail = [json.error ?? detail, ...(json.issues ?? []).map((i) => `  ${i.path.join(".") || "(body)"}: ${i.message}`)].join("\n");
  } catch {
    // not JSON: keep the raw text
  }
  return `${response.status} ${response.statusText || ""}`.trim() + (detail ? `: ${detail}` : "");
}
