namespace NotifierSpec.Cli;

/// <summary>
/// A progress line on stderr for runs over a few seconds (contract, validate, check --json; hammer and kernel have
/// their own): `\rCOMMAND: text`, first after `After`, then at most once per `Every`; Done() ends the line if one was
/// written. Off with --quiet, and off unless stderr is the process's own stderr on a terminal, so scripts, pipes and
/// tests (which pass their own writers) see no progress and stderr stays the one-line error channel.
/// </summary>
public sealed class Progress(string command, TextWriter stderr, bool enabled, Func<TimeSpan> clock)
{
    public static readonly TimeSpan After = TimeSpan.FromSeconds(3), Every = TimeSpan.FromSeconds(1);

    private TimeSpan _last = TimeSpan.MinValue;
    private bool _written;

    public static Progress For(string command, TextWriter stderr, bool quiet)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        return new(command, stderr, !quiet && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected, () => sw.Elapsed);
    }

    public void Report(string text)
    {
        if (!enabled) return;
        var now = clock();
        if (now < After || (_written && now - _last < Every)) return;
        _last = now;
        _written = true;
        stderr.Write($"\r{command}: {text} ({now.TotalSeconds:F0} s)   ");
        stderr.Flush();
    }

    public void Done()
    {
        if (_written) stderr.WriteLine();
        _written = false;
    }

    /// <summary>A writer for the checker's output that passes its Progress(...) lines on as progress, drops the rest.</summary>
    public TextWriter CheckerLines() => !enabled ? TextWriter.Null : new LineSink(line => { if (line.StartsWith("Progress(", StringComparison.Ordinal)) Report(line); });

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
