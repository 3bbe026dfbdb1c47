using Spectre.Console;

namespace NotifierSpec.Cli;

/// <summary>
/// A progress line on stderr for long runs (contract, validate, check --json; hammer and kernel have their own):
/// Spectre.Console's status display (a spinner and `COMMAND: text (N s)`, redrawn in place, cleared when the run
/// ends) around the run. Off with --quiet, and off unless stderr is the process's own stderr on a terminal: scripts,
/// pipes and tests (which pass their own writers) get no progress and no ANSI codes, and stderr stays the one-line
/// error channel.
/// </summary>
public sealed class Progress
{
    private readonly string _command;
    private readonly StatusContext? _status;
    private readonly Func<TimeSpan> _clock;

    private Progress(string command, StatusContext? status, Func<TimeSpan> clock) => (_command, _status, _clock) = (command, status, clock);

    /// <summary>Runs work with a progress line on the terminal's stderr, or with none (quiet, or stderr is not the terminal).</summary>
    public static T Run<T>(string command, TextWriter stderr, bool quiet, Func<Progress, T> work)
    {
        bool terminal = !quiet && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        return Run(command, terminal ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : null, () => sw.Elapsed, work);
    }

    /// <summary>Runs work with a progress line on console (null: none); clock gives the time shown.</summary>
    public static T Run<T>(string command, IAnsiConsole? console, Func<TimeSpan> clock, Func<Progress, T> work) =>
        console is null
            ? work(new Progress(command, null, clock))
            : console.Status().Spinner(Spinner.Known.Line).Start(Markup.Escape($"{command}: starting"), ctx => work(new Progress(command, ctx, clock)));

    public void Report(string text) => _status?.Status(Markup.Escape($"{_command}: {text} ({_clock().TotalSeconds:F0} s)"));

    /// <summary>A writer for the checker's output that passes its Progress(...) lines on as progress, drops the rest.</summary>
    public TextWriter CheckerLines() => _status is null ? TextWriter.Null : new LineSink(line => { if (line.StartsWith("Progress(", StringComparison.Ordinal)) Report(line); });

    private sealed class LineSink(Action<string> onLine) : TextWriter
    {
        private readonly System.Text.StringBuilder _line = new();
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n') { onLine(_line.ToString().TrimEnd('\r')); _line.Clear(); }
                else _line.Append(value);
            }
        }
        public override void Write(string? value)
        {
            if (value is null) return;
            lock (_line)
            {
                int from = 0;
                for (int nl; (nl = value.IndexOf('\n', from)) >= 0; from = nl + 1)
                {
                    _line.Append(value, from, nl - from);
                    onLine(_line.ToString().TrimEnd('\r'));
                    _line.Clear();
                }
                _line.Append(value, from, value.Length - from);
            }
        }
        public override void WriteLine(string? value) => Write((value ?? "") + "\n");
    }
}
