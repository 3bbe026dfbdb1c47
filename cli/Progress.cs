using Spectre.Console;

namespace NotifierSpec.Cli;

/// <summary>
/// A progress line on stderr for long runs (contract, validate, check --json, hammer, kernel, audit, refine, prove --json,
/// bench-reference --json):
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

    private string _text = "starting";

    private Progress(string command, StatusContext? status, Func<TimeSpan> clock) => (_command, _status, _clock) = (command, status, clock);

    /// <summary>Runs work with a progress line on the terminal's stderr, or with none (quiet, or stderr is not the terminal).
    /// A command that writes its text to stdout as it goes (a row per model or run) names stdout as streamsTo: on the
    /// terminal those rows are its progress and would run into the line, so there is none; redirected, there is one.</summary>
    public static T Run<T>(string command, TextWriter stderr, bool quiet, Func<Progress, T> work, TextWriter? streamsTo = null)
    {
        bool rowsOnTerminal = streamsTo is not null && ReferenceEquals(streamsTo, Console.Out) && !Console.IsOutputRedirected;
        bool terminal = !quiet && !rowsOnTerminal && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        return Run(command, terminal ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : null, () => sw.Elapsed, work);
    }

    /// <summary>Runs work with a progress line on console (null: none); clock gives the time shown, redrawn at every tick
    /// with the last report (a long step with no report still shows its time going on). The ticker calls its action every
    /// second until disposed (a timer; tests pass their own, so that no test waits for a clock).</summary>
    public static T Run<T>(string command, IAnsiConsole? console, Func<TimeSpan> clock, Func<Progress, T> work, Func<Action, IDisposable>? ticker = null) =>
        console is null
            ? work(new Progress(command, null, clock))
            : console.Status().Spinner(Spinner.Known.Line).Start(Markup.Escape($"{command}: starting"), ctx =>
            {
                var p = new Progress(command, ctx, clock);
                using var tick = (ticker ?? EverySecond)(p.Show);
                return work(p);
            });

    private static IDisposable EverySecond(Action action) => new Timer(_ => action(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    public void Report(string text)
    {
        _text = text;
        Show();
    }

    /// <summary>Sets the line and draws it now (Spectre's own refresh would draw it only at its next interval).</summary>
    private void Show()
    {
        if (_status is null) return;
        _status.Status(Markup.Escape($"{_command}: {_text} ({_clock().TotalSeconds:F0} s)"));
        _status.Refresh();
    }

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
