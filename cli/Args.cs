namespace NotifierSpec.Cli;

/// <summary>Thrown for bad command-line usage; printed as one line, exit code 255.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A tiny, strict option parser: `--name value`, `--flag`, and positional arguments.
/// Unknown options are an error, never ignored.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    public IReadOnlyList<string> Positional { get; }

    private Args(List<string> positional) => Positional = positional;

    /// <param name="valued">options that take a value, e.g. "--seed"</param>
    /// <param name="flags">options without a value, e.g. "--json"</param>
    public static Args Parse(string command, IReadOnlyList<string> argv, IEnumerable<string> valued, IEnumerable<string> flags)
    {
        var v = new HashSet<string>(valued, StringComparer.Ordinal);
        var f = new HashSet<string>(flags, StringComparer.Ordinal);
        var positional = new List<string>();
        var args = new Args(positional);
        for (int i = 0; i < argv.Count; i++)
        {
            string a = argv[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (v.Contains(a))
                {
                    if (i + 1 >= argv.Count) throw new UsageException($"notifier {command}: option {a} needs a value");
                    args._options[a] = argv[++i];
                }
                else if (f.Contains(a)) args._options[a] = null;
                else throw new UsageException($"notifier {command}: unknown option {a}");
            }
            else positional.Add(a);
        }
        return args;
    }

    public bool Has(string name) => _options.ContainsKey(name);
    public string? Get(string name) => _options.TryGetValue(name, out var s) ? s : null;

    public int GetInt(string command, string name, int fallback)
    {
        var s = Get(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n))
            throw new UsageException($"notifier {command}: option {name} expects an integer, got '{s}'");
        return n;
    }

    public ulong GetULong(string command, string name, ulong fallback)
    {
        var s = Get(name);
        if (s is null) return fallback;
        if (!ulong.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out ulong n))
            throw new UsageException($"notifier {command}: option {name} expects a non-negative integer, got '{s}'");
        return n;
    }
}
