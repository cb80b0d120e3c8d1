// `kgate vcluster …`, `kgate token …` and `kgate status`: thin front ends to a running kgate's admin API.
import { AdminClient } from "./admin-client.ts";
import { formatTable } from "../base/format-table.ts";
import { resolveAdminTarget } from "./admin-target.ts";
import { type CliDeps, EXIT } from "./cli-deps.ts";
import { HELP, type HelpTopic } from "./help.ts";
import { fetchStatus, fetchStatusWithRates, formatStatus } from "./status-command.ts";
import { type FlagSpecs, parseArgs, type ParsedArgs, UsageError } from "./parse-args.ts";

const ADMIN_FLAGS: FlagSpecs = {
  "admin-url": { type: "string" },
  "admin-token": { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

interface Subcommand {
  readonly flags: FlagSpecs;
  readonly positionals: readonly string[];
  run(client: AdminClient, args: ParsedArgs, deps: CliDeps): Promise<void>;
}

const str = (args: ParsedArgs, name: string) => args.flags[name] as string | undefined;
const json = (deps: CliDeps, value: unknown) => deps.stdout(JSON.stringify(value, null, 2));

const SUBCOMMANDS: Record<string, Record<string, Subcommand>> = {
  vcluster: {
    list: {
      flags: {},
      positionals: [],
      async run(client, args, deps) {
        const { vclusters } = await client.listVclusters();
        if (args.flags.json) return json(deps, { vclusters });
        const rows = [["NAME", "PREFIX", "CREATED", "LABELS"]].concat(
          vclusters.map((v) => [
            v.name,
            v.prefix,
            v.createdAt,
            Object.entries(v.labels ?? {}).map(([k, val]) => `${k}=${val}`).join(","),
          ]),
        );
        deps.stdout(formatTable(rows));
      },
    },
    create: {
      flags: {
        prefix: { type: "string" },
        label: { type: "string", multiple: true },
        properties: { type: "string" },
        user: { type: "string" },
        "backing-acls": { type: "boolean" },
      },
      positionals: ["NAME"],
      async run(client, args, deps) {
        const labels = parseLabels((args.flags.label as string[] | undefined) ?? []);
        const name = args.positionals[0]!;
        const file = str(args, "properties");
        if (str(args, "user") !== undefined && !file) throw new UsageError("--user only goes with --properties FILE");
        const backingAcls = args.flags["backing-acls"] === true ? true : undefined;
        const v = await client.createVcluster(name, { prefix: str(args, "prefix"), labels, backingAcls });
        // One step from nothing to a working client: the vcluster and a token for its first user.
        const issued = file ? await client.createToken(v.name, { username: str(args, "user") ?? v.name }) : undefined;
        if (file) await deps.runtime.writeFileAtomic(file, issued!.clientProperties);
        if (args.flags.json) return json(deps, issued ? { ...v, token: issued } : v);
        deps.stdout(
          `vcluster ${v.name} ready (prefix "${v.prefix}"${v.backing ? `, backing principal User:${v.backing.username} with ACLs on its prefix` : ""})`,
        );
        if (issued) deps.stdout(`wrote client properties for ${issued.username} to ${file} (token id ${issued.jti}, expires ${issued.expiresAt})`);
      },
    },
    delete: {
      flags: {},
      positionals: ["NAME"],
      async run(client, args, deps) {
        await client.deleteVcluster(args.positionals[0]!);
        if (!args.flags.json) deps.stdout(`vcluster ${args.positionals[0]} deleted`);
      },
    },
  },
  "service-account": {
    create: {
      flags: { user: { type: "string" }, password: { type: "string" }, properties: { type: "string" } },
      positionals: ["VCLUSTER"],
      async run(client, args, deps) {
        const username = str(args, "user");
        if (!username) throw new UsageError("--user NAME is required");
        const created = await client.createServiceAccount(args.positionals[0]!, { username, password: str(args, "password") });
        const file = str(args, "properties");
        if (file) await deps.runtime.writeFileAtomic(file, created.clientProperties);
        if (args.flags.json) return json(deps, created);
        const what = created.rotated ? "new password for service account" : "service account";
        if (file) return deps.stdout(`${what} ${created.login}: client properties written to ${file}`);
        deps.stdout(`${what} ${created.login}${created.password ? ` (password shown once: ${created.password})` : ""}`);
        deps.stdout(created.clientProperties.trimEnd());
      },
    },
    delete: {
      flags: {},
      positionals: ["VCLUSTER", "NAME"],
      async run(client, args, deps) {
        await client.deleteServiceAccount(args.positionals[0]!, args.positionals[1]!);
        if (!args.flags.json) deps.stdout(`service account ${args.positionals[1]}@${args.positionals[0]} deleted`);
      },
    },
  },
  token: {
    create: {
      flags: { user: { type: "string" }, lifetime: { type: "string" }, properties: { type: "string" } },
      positionals: ["VCLUSTER"],
      async run(client, args, deps) {
        const username = str(args, "user");
        if (!username) throw new UsageError("--user NAME is required");
        const lifetime = str(args, "lifetime");
        if (lifetime !== undefined && !/^\d+$/.test(lifetime)) throw new UsageError("--lifetime must be a number of seconds");
        const issued = await client.createToken(args.positionals[0]!, {
          username,
          lifetimeSeconds: lifetime === undefined ? undefined : Number(lifetime),
        });
        const file = str(args, "properties");
        if (file) await deps.runtime.writeFileAtomic(file, issued.clientProperties);
        if (args.flags.json) return json(deps, issued);
        if (!file) return deps.stdout(issued.clientProperties.trimEnd());
        deps.stdout(
          `wrote client properties for ${issued.username} in ${issued.vcluster} to ${file} ` +
            `(token id ${issued.jti}, expires ${issued.expiresAt})`,
        );
      },
    },
    revoke: {
      flags: {},
      positionals: ["VCLUSTER", "TOKEN_ID"],
      async run(client, args, deps) {
        await client.revokeToken(args.positionals[0]!, args.positionals[1]!);
        if (!args.flags.json) deps.stdout(`token ${args.positionals[1]} revoked`);
      },
    },
  },
};

/** Each admin command's subcommands and their flags (`--name`), for shell completion. */
export function adminCommandFlags(): Record<string, Record<string, string[]>> {
  const common = Object.keys(ADMIN_FLAGS);
  return Object.fromEntries(
    Object.entries(SUBCOMMANDS).map(([command, subs]) => [
      command,
      Object.fromEntries(Object.entries(subs).map(([name, sub]) => [name, [...Object.keys(sub.flags), ...common].map((f) => `--${f}`)])),
    ]),
  );
}

const STATUS_FLAG_SPECS: FlagSpecs = { interval: { type: "string" }, ...ADMIN_FLAGS };
/** The flags of `kgate status`. */
export const STATUS_FLAGS: readonly string[] = Object.keys(STATUS_FLAG_SPECS).map((f) => `--${f}`);

type AdminCommand = "vcluster" | "token" | "service-account";

export function isAdminCommand(command: string): command is AdminCommand {
  return command === "vcluster" || command === "token" || command === "service-account";
}

export async function runAdminCommand(command: AdminCommand, args: readonly string[], deps: CliDeps): Promise<number> {
  const [name, ...rest] = args;
  const wantsHelp = (list: readonly string[]) => list.includes("--help") || list.includes("-h");
  if (name === undefined || name.startsWith("-")) {
    if (wantsHelp(args)) {
      deps.stdout(HELP[command]);
      return EXIT.ok;
    }
    throw new UsageError(`missing ${command} command\n\n${HELP[command]}`);
  }
  const sub = Object.hasOwn(SUBCOMMANDS[command]!, name) ? SUBCOMMANDS[command]![name] : undefined;
  if (!sub) throw new UsageError(`unknown command "${command} ${name}"\n\n${HELP[command]}`);
  const topic = `${command} ${name}` as HelpTopic;
  if (wantsHelp(rest)) {
    deps.stdout(HELP[topic]);
    return EXIT.ok;
  }

  const parsed = parseArgs(rest, { ...ADMIN_FLAGS, ...sub.flags });
  if (parsed.positionals.length !== sub.positionals.length) {
    throw new UsageError(`expected ${sub.positionals.join(" ") || "no arguments"}\n\n${HELP[topic]}`);
  }
  await sub.run(await adminClient(parsed, deps), parsed, deps);
  return EXIT.ok;
}

/** `kgate status`: vclusters, open connections and bytes in/out, one table. */
export async function runStatusCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    deps.stdout(HELP.status);
    return EXIT.ok;
  }
  const parsed = parseArgs(args, STATUS_FLAG_SPECS);
  if (parsed.positionals.length) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"\n\n${HELP.status}`);
  const interval = str(parsed, "interval");
  const seconds = interval === undefined ? undefined : Number(interval);
  if (seconds !== undefined && !(seconds > 0 && seconds <= 3600)) throw new UsageError("--interval must be a number of seconds, more than 0 and at most 3600");
  const client = await adminClient(parsed, deps);
  const status = seconds === undefined ? await fetchStatus(client) : await fetchStatusWithRates(client, seconds);
  deps.stdout(parsed.flags.json ? JSON.stringify(status, null, 2) : formatStatus(status));
  return EXIT.ok;
}

async function adminClient(parsed: ParsedArgs, deps: CliDeps): Promise<AdminClient> {
  const target = await resolveAdminTarget(
    { adminUrl: str(parsed, "admin-url"), adminToken: str(parsed, "admin-token"), config: str(parsed, "config") },
    deps.runtime,
  );
  return new AdminClient(target.url, target.token, deps.fetch ?? fetch);
}

function parseLabels(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--label expects KEY=VALUE, got "${pair}"`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}
