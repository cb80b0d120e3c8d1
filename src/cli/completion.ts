// `kgate completion bash|zsh`: a completion script built from the CLI's own command and flag
// tables, so a new subcommand or flag completes without editing a script by hand.
import { adminCommandFlags, STATUS_FLAGS } from "./admin-commands.ts";
import { DOCTOR_FLAGS } from "./doctor-command.ts";
import { UsageError } from "./parse-args.ts";

const COMPLETION_SHELLS = ["bash", "zsh"] as const;

/** Flags whose value is a file path: the shell completes file names after them. */
const FILE_FLAGS = ["--config", "--properties"];

/** Words after `kgate`: a command's subcommands (depth 2) and each one's flags (depth 3+). */
interface CommandTree {
  readonly commands: readonly string[];
  /** command → flags, for commands without subcommands */
  readonly flags: Readonly<Record<string, readonly string[]>>;
  /** command → subcommand → flags */
  readonly subcommands: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export function commandTree(): CommandTree {
  const subcommands = { ...adminCommandFlags(), completion: Object.fromEntries(COMPLETION_SHELLS.map((s) => [s, []])) };
  const flags = { serve: ["--config", "--help"], version: ["--help"], status: STATUS_FLAGS, doctor: DOCTOR_FLAGS, help: [] };
  return { commands: [...Object.keys(flags), ...Object.keys(subcommands)].sort(), flags, subcommands };
}

export function completionScript(shell: string): string {
  if (shell === "bash") return bashScript(commandTree());
  if (shell === "zsh") return zshScript(commandTree());
  throw new UsageError(`completion for "${shell}" is not available; choose one of: ${COMPLETION_SHELLS.join(", ")}`);
}

/** Shared by both shells: sets $candidates (space-separated words) from $cmd, $sub and the depth. */
function caseBody(tree: CommandTree, depthVar: string): string {
  const lines: string[] = [];
  lines.push(`  if (( ${depthVar} == 1 )); then`);
  lines.push(`    candidates="${tree.commands.join(" ")}"`);
  lines.push(`  else`);
  lines.push(`    case "$cmd" in`);
  for (const [command, flags] of Object.entries(tree.flags)) lines.push(`      ${command}) candidates="${flags.join(" ")}" ;;`);
  for (const [command, subs] of Object.entries(tree.subcommands)) {
    lines.push(`      ${command})`);
    lines.push(`        if (( ${depthVar} == 2 )); then candidates="${Object.keys(subs).join(" ")}"`);
    lines.push(`        else case "$sub" in`);
    for (const [sub, flags] of Object.entries(subs)) lines.push(`          ${sub}) candidates="${flags.join(" ")}" ;;`);
    lines.push(`        esac; fi ;;`);
  }
  lines.push(`    esac`);
  lines.push(`  fi`);
  return lines.join("\n");
}

function bashScript(tree: CommandTree): string {
  return `# kgate completion for bash: source <(kgate completion bash), or save it as
# /etc/bash_completion.d/kgate (or ~/.local/share/bash-completion/completions/kgate)
_kgate() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="\${COMP_WORDS[1]}" sub="\${COMP_WORDS[2]}" depth=$COMP_CWORD candidates=""
  case "$prev" in
    ${FILE_FLAGS.join("|")}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
${caseBody(tree, "depth")}
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
complete -o default -F _kgate kgate
`;
}

function zshScript(tree: CommandTree): string {
  return `#compdef kgate
# kgate completion for zsh: source <(kgate completion zsh) after compinit, or save it as
# _kgate in a directory of $fpath
_kgate() {
  local cmd="\${words[2]}" sub="\${words[3]}" depth=$(( CURRENT - 1 )) candidates=""
  case "\${words[CURRENT-1]}" in
    ${FILE_FLAGS.join("|")}) _files; return ;;
  esac
${caseBody(tree, "depth")}
  compadd -- \${=candidates}
}
if [[ "\${funcstack[1]}" == _kgate ]]; then _kgate "$@"; else compdef _kgate kgate; fi
`;
}
