using System.CommandLine;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier completion bash`: a bash completion script for notifier. The completions themselves are System.CommandLine's
/// `[suggest:POSITION]` directive (`notifier "[suggest:9]" "check --w"` prints `--workers`): the commands, their options,
/// and the values of options that name something (vocabularies, variants, properties, mutants, scenarios).
/// </summary>
public static class CompletionCommand
{
    private static readonly Argument<string> Shell = new("SHELL") { HelpName = "SHELL", Description = "the shell (bash)" };

    /// <summary>Completes the word under the cursor with what `notifier [suggest:N] LINE` prints for the line after the command's name.</summary>
    public const string Bash = """
        # notifier completion for bash: source it, e.g. `source <(notifier completion bash)`
        _notifier_complete() {
            local line="${COMP_LINE:0:COMP_POINT}"
            local rest="${line#*[[:space:]]}"
            [[ "$rest" == "$line" ]] && return
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#rest}]" "$rest" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _notifier_complete notifier

        """;

    public static Command Define()
    {
        Shell.CompletionSources.Add("bash");
        Shell.Validators.Add(r => { if (r.Tokens.Count == 1 && r.Tokens[0].Value != "bash") r.AddError($"unknown shell '{r.Tokens[0].Value}' (bash)"); });
        var c = new Command("completion", "Prints a shell completion script: `source <(notifier completion bash)` completes commands, options and the names options take.") { Shell };
        c.SetAction(p =>
        {
            p.InvocationConfiguration.Output.Write(Bash);
            return ExitCodes.Ok;
        });
        return c;
    }
}
