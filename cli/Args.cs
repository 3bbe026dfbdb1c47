using System.Globalization;
using System.Text.RegularExpressions;

namespace NotifierSpec.Cli;

/// <summary>Thrown for bad command-line usage; printed as one line, exit code 255.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A tiny, strict option parser shared by every command: `--name value`, `--flag`, and positional
/// arguments. Refused with one line (exit 255), never ignored: an unknown option, an option given twice,
/// more positional arguments than the command takes (a value after a flag: `events --json yes`), two
/// options of an exclusive group (`hammer --count 10 --time 1s`), an integer that is not one or is out
/// of the option's range.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    public IReadOnlyList<string> Positional { get; }

    private Args(List<string> positional) => Positional = positional;

    /// <param name="valued">options that take a value, e.g. "--seed"</param>
    /// <param name="flags">options without a value, e.g. "--json"</param>
    /// <param name="maxPositional">how many positional arguments the command takes</param>
    /// <param name="exclusive">groups of options of which at most one may be given</param>
    public static Args Parse(string command, IReadOnlyList<string> argv, IEnumerable<string> valued, IEnumerable<string> flags,
        int maxPositional = int.MaxValue, IEnumerable<string[]>? exclusive = null)
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
                if (args._options.ContainsKey(a)) throw new UsageException($"notifier {command}: option {a} is given twice");
                if (v.Contains(a))
                {
                    if (i + 1 >= argv.Count) throw new UsageException($"notifier {command}: option {a} needs a value");
                    args._options[a] = argv[++i];
                }
                else if (f.Contains(a)) args._options[a] = null;
                else throw new UsageException($"notifier {command}: unknown option {a}");
            }
            else
            {
                if (positional.Count >= maxPositional)
                {
                    string hint = i > 0 && f.Contains(argv[i - 1]) ? $" ({argv[i - 1]} takes no value)" : "";
                    throw new UsageException($"notifier {command}: unexpected argument '{a}'{hint}");
                }
                positional.Add(a);
            }
        }
        foreach (var g in exclusive ?? [])
        {
            var given = g.Where(args._options.ContainsKey).ToList();
            if (given.Count > 1) throw new UsageException($"notifier {command}: {string.Join(" and ", given)} cannot be given together");
        }
        return args;
    }

    public bool Has(string name) => _options.ContainsKey(name);
    public string? Get(string name) => _options.TryGetValue(name, out var s) ? s : null;

    private static readonly Regex Integer = new(@"^[+-]?[0-9]+$", RegexOptions.CultureInvariant);

    /// <summary>An integer option in [min, max]: "out of range" for an integer outside it, "expects an integer" otherwise.</summary>
    public int GetInt(string command, string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Get(name);
        if (s is null) return fallback;
        if (!Integer.IsMatch(s)) throw new UsageException($"notifier {command}: option {name} expects an integer, got '{s}'");
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new UsageException($"notifier {command}: option {name}: {s} is out of range [{min}, {max}]");
        return n;
    }

    /// <summary>A duration option (30s, 10m, 1h, 500ms; checker/search/Sizes.Interval), more than zero unless zeroAllowed.</summary>
    public TimeSpan? GetDuration(string command, string name, bool zeroAllowed = false)
    {
        var s = Get(name);
        if (s is null) return null;
        var t = NotifierSpec.Checker.Sizes.Interval(s, out var why) ?? throw new UsageException($"notifier {command}: {name}: {why}");
        if (t == TimeSpan.Zero && !zeroAllowed) throw new UsageException($"notifier {command}: {name}: {s} is not more than zero");
        return t;
    }

    public ulong GetULong(string command, string name, ulong fallback)
    {
        var s = Get(name);
        if (s is null) return fallback;
        if (!Integer.IsMatch(s)) throw new UsageException($"notifier {command}: option {name} expects a non-negative integer, got '{s}'");
        if (!ulong.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ulong n))
            throw new UsageException($"notifier {command}: option {name}: {s} is out of range [0, {ulong.MaxValue}]");
        return n;
    }
}
