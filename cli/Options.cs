using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NotifierSpec.Cli;

/// <summary>Thrown by a command for bad usage found after parsing; printed as one line, exit 255.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The project's typed System.CommandLine options: each checks its value while parsing and refuses a bad one with
/// the project's one-line message (Cli prints it as `notifier COMMAND: message`, exit 255), never ignores it:
/// an option given twice, an integer that is not one or is out of the option's range, a duration
/// (checker/search/Sizes.Interval), a size (Sizes.Memory), a name a command does not know; a group of options of
/// which at most one may be given (Exclusive). Flags take no value (`events --json yes`: 'yes' is an extra argument).
/// </summary>
public static class Opt
{
    /// <summary>Every option: refused when given twice (System.CommandLine would take the last or complain in its words).</summary>
    private static T Once<T>(T o) where T : Option
    {
        o.Validators.Add(r => { if (r.IdentifierTokenCount > 1) r.AddError($"option {o.Name} is given twice"); });
        return o;
    }

    public static Option<bool> Flag(string name, string description) =>
        Once(new Option<bool>(name) { Description = description, Arity = ArgumentArity.Zero });

    public static Option<string?> Text(string name, string value, string description) =>
        Once(new Option<string?>(name) { Description = description, HelpName = value });

    /// <summary>A text option whose value check returns the problem (null: fine), e.g. an unknown vocabulary.</summary>
    public static Option<string?> Text(string name, string value, string description, Func<string, string?> problem, Func<IEnumerable<string>>? completions = null)
    {
        var o = Text(name, value, description);
        o.Validators.Add(r => { if (r.Tokens.Count == 1 && problem(r.Tokens[0].Value) is { } why) r.AddError(why); });
        if (completions is not null) o.CompletionSources.Add(_ => completions());
        return o;
    }

    /// <summary>A value check from a lookup that throws ArgumentException for an unknown name (its message is the problem).</summary>
    public static Func<string, string?> Known(Func<string, object> find) => name =>
    {
        try { find(name); return null; }
        catch (ArgumentException e) { return e.Message; }
    };

    private static readonly Regex Integer = new(@"^[+-]?[0-9]+$", RegexOptions.CultureInvariant);

    /// <summary>An integer in [min, max] (shown as its default in the help): "out of range" for an integer outside it, "expects an integer" otherwise.</summary>
    public static Option<int> Int(string name, string value, string description, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Once(new Option<int>(name)
        {
            Description = description, HelpName = value, DefaultValueFactory = _ => fallback,
            CustomParser = r => r.Tokens.Count == 1 ? ParseInt(r, name, min, max) ?? fallback : fallback,
        });

    /// <summary>An integer in [min, max] whose default is not a constant (null when not given), e.g. --workers (all cores).</summary>
    public static Option<int?> IntOrNull(string name, string value, string description, int min = int.MinValue, int max = int.MaxValue) =>
        Once(new Option<int?>(name) { Description = description, HelpName = value, CustomParser = r => r.Tokens.Count == 1 ? ParseInt(r, name, min, max) : null });

    private static int? ParseInt(ArgumentResult r, string name, int min, int max)
    {
        string s = r.Tokens[0].Value;
        if (!Integer.IsMatch(s)) { r.AddError($"option {name} expects an integer, got '{s}'"); return null; }
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
        { r.AddError($"option {name}: {s} is out of range [{min}, {max}]"); return null; }
        return n;
    }

    public static Option<ulong> ULong(string name, string value, string description, ulong fallback) =>
        Once(new Option<ulong>(name)
        {
            Description = description, HelpName = value, DefaultValueFactory = _ => fallback,
            CustomParser = r =>
            {
                if (r.Tokens.Count != 1) return fallback;
                string s = r.Tokens[0].Value;
                if (!Integer.IsMatch(s)) { r.AddError($"option {name} expects a non-negative integer, got '{s}'"); return fallback; }
                if (!ulong.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ulong n))
                { r.AddError($"option {name}: {s} is out of range [0, {ulong.MaxValue}]"); return fallback; }
                return n;
            },
        });

    /// <summary>A duration (30s, 10m, 1h, 500ms; checker/search/Sizes.Interval), more than zero unless zeroAllowed.</summary>
    public static Option<TimeSpan?> Duration(string name, string value, string description, bool zeroAllowed = false) =>
        Once(new Option<TimeSpan?>(name)
        {
            Description = description, HelpName = value,
            CustomParser = r =>
            {
                if (r.Tokens.Count != 1) return null;
                string s = r.Tokens[0].Value;
                var t = Checker.Sizes.Interval(s, out var why);
                if (t is null) r.AddError($"{name}: {why}");
                else if (t == TimeSpan.Zero && !zeroAllowed) r.AddError($"{name}: {s} is not more than zero");
                return t;
            },
        });

    /// <summary>A memory size such as 512M or 2G, at least 64K (checker/search/Sizes.Memory), in bytes.</summary>
    public static Option<long?> Size(string name, string value, string description) =>
        Once(new Option<long?>(name)
        {
            Description = description, HelpName = value,
            CustomParser = r =>
            {
                if (r.Tokens.Count != 1) return null;
                var n = Checker.Sizes.Memory(r.Tokens[0].Value, out var why);
                if (n is null) r.AddError($"{name}: {why}");
                return n;
            },
        });

    /// <summary>At most one option of each group: "A and B cannot be given together" (the given ones, in the group's
    /// order); each option's help says which others it excludes.</summary>
    public static void Exclusive(Command command, params Option[][] groups)
    {
        foreach (var group in groups)
            command.Validators.Add(r =>
            {
                var given = group.Where(o => r.GetResult(o) is { Implicit: false }).ToList();
                if (given.Count > 1) r.AddError($"{string.Join(" and ", given.Select(o => o.Name))} cannot be given together");
            });
        foreach (var o in groups.SelectMany(g => g).Distinct())
            o.Description += $" (not with {string.Join(", ", groups.Where(g => g.Contains(o)).SelectMany(g => g).Where(x => x != o).Distinct().Select(x => x.Name))})";
    }

    /// <summary>Whether the option is on the command line (an option with a default is there implicitly otherwise).</summary>
    public static bool Given(this ParseResult p, Option o) => p.GetResult(o) is { Implicit: false };
}
