// `jlog completion bash|zsh|fish`: a completion script made from the commander program itself, so the
// commands and flags it offers are always the ones this jlog has.
import type { Command, Option } from 'commander';
import { usageError } from '../errors.js';
import { out } from './output.js';
import { createProgram } from './program.js';

interface Flag {
  long: string;
  description: string;
  takesValue: boolean;
  choices: readonly string[];
}

interface Cmd {
  name: string;
  description: string;
  flags: Flag[];
  /** Choices of the first positional argument, when it has fixed ones. */
  argChoices: readonly string[];
}

function flagOf(o: Option): Flag | null {
  if (o.hidden || o.long === undefined) return null;
  return {
    long: o.long,
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
  };
}

const HELP: Flag = { long: '--help', description: 'show help', takesValue: false, choices: [] };

/** The commands and flags of the program, as plain data. */
export function describeProgram(program: Command = createProgram()): Cmd[] {
  return program.commands
    .filter((c) => !(c as Command & { _hidden?: boolean })._hidden)
    .map((c) => ({
      name: c.name(),
      description: c.description(),
      flags: [...c.options.map(flagOf).filter((f): f is Flag => f !== null), HELP],
      argChoices: c.registeredArguments[0]?.argChoices ?? [],
    }));
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashScript(cmds: Cmd[]): string {
  const cases = cmds.map((c) => {
    const values = c.flags
      .filter((f) => f.choices.length > 0)
      .map(
        (f) => `      ${f.long}) COMPREPLY=($(compgen -W ${sq(f.choices.join(' '))} -- "$cur")); return ;;`,
      );
    const free = c.flags
      .filter((f) => f.takesValue && f.choices.length === 0)
      .map((f) => f.long)
      .join('|');
    return [
      `    ${c.name})`,
      `      flags=${sq(c.flags.map((f) => f.long).join(' '))}`,
      `      args=${sq(c.argChoices.join(' '))}`,
      '      case "$prev" in',
      ...values,
      ...(free === '' ? [] : [`      ${free}) return ;;`]),
      '      esac',
      '      ;;',
    ].join('\n');
  });
  return `# jlog completion for bash: source <(jlog completion bash), or save it in
# ~/.local/share/bash-completion/completions/jlog
_jlog() {
  local cur prev flags args
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${sq(cmds.map((c) => c.name).join(' ') + ' --help --version')} -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
    *) return ;;
  esac
  if [[ "$cur" == -* || -z "$args" ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$args $flags" -- "$cur"))
  fi
}
complete -F _jlog jlog
`;
}

/** zsh `_arguments` text: `[`, `]` and `:` in descriptions are escaped. */
const zdesc = (s: string): string => s.replace(/([[\]:\\])/g, '\\$1').replace(/'/g, `'\\''`);

export function zshScript(cmds: Cmd[]): string {
  const list = cmds.map((c) => `    '${c.name}:${zdesc(c.description)}'`).join('\n');
  const cases = cmds.map((c) => {
    const specs = c.flags.map((f) => {
      const value = f.takesValue
        ? `:${f.long.slice(2)}:${f.choices.length > 0 ? `(${f.choices.join(' ')})` : ' '}`
        : '';
      return `'${f.long}[${zdesc(f.description)}]${value}'`;
    });
    if (c.argChoices.length > 0) specs.push(`'1:${c.name}:(${c.argChoices.join(' ')})'`);
    return `    ${c.name}) _arguments ${specs.join(' ')} ;;`;
  });
  return `#compdef jlog
# jlog completion for zsh: source <(jlog completion zsh), or save it as _jlog in a directory of $fpath
_jlog() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'jlog command' commands
    return
  fi
  local cmd=$words[2]
  shift words
  (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
  esac
}
if [ "$funcstack[1]" = "_jlog" ]; then _jlog "$@"; else compdef _jlog jlog; fi
`;
}

export function fishScript(cmds: Cmd[]): string {
  const lines = [
    '# jlog completion for fish: jlog completion fish > ~/.config/fish/completions/jlog.fish',
    'complete -c jlog -f',
  ];
  for (const c of cmds) {
    lines.push(`complete -c jlog -n __fish_use_subcommand -a ${c.name} -d ${sq(c.description)}`);
    const when = `-n ${sq(`__fish_seen_subcommand_from ${c.name}`)}`;
    if (c.argChoices.length > 0) lines.push(`complete -c jlog ${when} -a ${sq(c.argChoices.join(' '))}`);
    for (const f of c.flags) {
      const value = f.takesValue ? (f.choices.length > 0 ? ` -x -a ${sq(f.choices.join(' '))}` : ' -r') : '';
      lines.push(`complete -c jlog ${when} -l ${f.long.slice(2)}${value} -d ${sq(f.description)}`);
    }
  }
  return lines.join('\n') + '\n';
}

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export async function run(args: string[]): Promise<number> {
  const shell = args[0] ?? '';
  if (!(shell in SHELLS))
    throw usageError(`no completion for '${shell}'`, 'run jlog completion bash, zsh or fish');
  out(SHELLS[shell as keyof typeof SHELLS](describeProgram()).trimEnd());
  return 0;
}
