using System.Text;
using System.Text.RegularExpressions;
using NotifierSpec.Conformance;
using Xunit;

namespace NotifierSpec.Checker.Tests;

/// <summary>
/// A mutation fuzzer for the TLA+ front end and the .cfg reader (docs/fuzzing.md): the corpus specs and configs
/// mutated (tokens deleted, duplicated, swapped, inserted; deep nesting; random bytes; tabs; unicode; truncation)
/// and loaded as `notifier check` loads them (ModelRun.Load on its 1 GB-stack thread). Every input must either load or give one line
/// `FILE:LINE:COL: message` on stderr with exit 150 (spec) or 151 (config); an exception escaping, a second
/// line or a stack trace is a finding. The default run is bounded and seeded; NOTIFIER_FUZZ_COUNT (and
/// NOTIFIER_FUZZ_SEED) run a longer one, which also runs whole checks in a child process.
/// </summary>
public class FuzzTests
{
    public sealed record Finding(string Mutation, string File, string Detail, string Input);

    public sealed record FuzzOutcome(int? Exit, string Err);

    /// <summary>Loads a spec and config text the way `notifier check` does; exceptions escape to the harness.</summary>
    public static FuzzOutcome FrontEnd(string dir, string module, string tla, string cfg)
    {
        var tlaPath = Path.Combine(dir, module + ".tla");
        var cfgPath = Path.Combine(dir, module + ".cfg");
        WriteBytes(tlaPath, tla);
        WriteBytes(cfgPath, cfg);
        var err = new StringWriter();
        int? exit = ModelRun.OnCheckThread(() => ModelRun.Load(tlaPath, cfgPath, TextWriter.Null, err, out _));
        return new FuzzOutcome(exit, err.ToString());
    }

    /// <summary>Raw: U+E000 stands for an invalid UTF-8 byte (0xFF) in the file; a lone surrogate becomes U+FFFD.</summary>
    public const char Raw = '\uE000';

    internal static void WriteBytes(string path, string text)
    {
        var enc = new UTF8Encoding(false, false);
        var bytes = new List<byte>();
        foreach (var part in text.Split(Raw)) { bytes.AddRange(enc.GetBytes(part)); bytes.Add(0xFF); }
        bytes.RemoveAt(bytes.Count - 1);
        File.WriteAllBytes(path, bytes.ToArray());
    }

    private static readonly Regex OneLine = new(@"^[^\n]+\.(tla|cfg):\d+:\d+: [^\n]*\S[^\n]*\n$", RegexOptions.CultureInvariant);

    /// <summary>What is wrong with an outcome, or null.</summary>
    public static string? Judge(FuzzOutcome o)
    {
        if (o.Exit is null) return o.Err.Length == 0 ? null : "loaded, but wrote to stderr: " + o.Err;
        if (o.Exit is not (ExitCodes.SpecError or ExitCodes.ConfigError)) return $"exit {o.Exit}";
        if (!OneLine.IsMatch(o.Err)) return "not one line FILE:LINE:COL: message: " + o.Err;
        if (o.Err.Contains("   at ")) return "stack trace: " + o.Err;
        return null;
    }

    private static readonly string[] Tokens =
    [
        "(", ")", "[", "]", "{", "}", "<<", ">>", "/\\", "\\/", "~", "=>", "<=>", "==", "=", "'", ",", ":", "::", "|->", "->", "<-",
        "\\A", "\\E", "\\in", "\\X", "\\cup", "SUBSET", "UNION", "DOMAIN", "ENABLED", "UNCHANGED", "[]", "<>", "~>", "LET", "IN",
        "IF", "THEN", "ELSE", "CASE", "OTHER", "CHOOSE", "EXCEPT", "!", "@", ".", "LAMBDA", "RECURSIVE", "INSTANCE", "WITH",
        "EXTENDS", "CONSTANT", "VARIABLE", "ASSUME", "THEOREM", "LOCAL", "MODULE", "----", "====", "\"", "(*", "*)", "\\*", "WF_", "SF_",
        "_", "0", "-1", "99999999999999999999999", "\\b2", "\\o7", "\\hFF", "1.5", "x", "Init", "Next", "TRUE", "\t", "\n", "\r", " ",
        "INIT", "NEXT", "SPECIFICATION", "INVARIANT", "PROPERTY", "CONSTANTS", "SYMMETRY", "VIEW", "ALIAS", "CHECK_DEADLOCK", "[M]",
    ];

    private static readonly string[] Unicode = ["∧", "∨", "≜", "∈", "⟨", "⟩", "→", "¬", "□", "◇", "é", "\u0301", "\u200B", "\u202E", "\uFEFF", "😀", "\u0000", "\uFFFD", "\uD800"];

    private static List<(int Start, int Len)> Words(string s)
    {
        var res = new List<(int, int)>();
        for (int i = 0; i < s.Length;)
        {
            if (char.IsWhiteSpace(s[i])) { i++; continue; }
            int j = i; while (j < s.Length && !char.IsWhiteSpace(s[j])) j++;
            res.Add((i, j - i)); i = j;
        }
        return res;
    }

    /// <summary>One mutation of text, chosen by rng; name says which.</summary>
    public static string Mutate(string text, Random rng, out string name)
    {
        var w = Words(text);
        int pos = text.Length == 0 ? 0 : rng.Next(text.Length);
        switch (rng.Next(12))
        {
            case 0 when w.Count > 0:
                {
                    name = "delete token";
                    var (s, l) = w[rng.Next(w.Count)];
                    return text.Remove(s, l);
                }
            case 1 when w.Count > 0:
                {
                    name = "duplicate token";
                    var (s, l) = w[rng.Next(w.Count)];
                    return text.Insert(s, text.Substring(s, l) + " ");
                }
            case 2 when w.Count > 1:
                {
                    name = "swap tokens";
                    var a = w[rng.Next(w.Count)]; var b = w[rng.Next(w.Count)];
                    if (a.Start > b.Start) (a, b) = (b, a);
                    if (a.Start + a.Len > b.Start) return text;
                    return text[..a.Start] + text.Substring(b.Start, b.Len) + text[(a.Start + a.Len)..b.Start] + text.Substring(a.Start, a.Len) + text[(b.Start + b.Len)..];
                }
            case 3 or 4:
                name = "insert token";
                return text.Insert(pos, " " + Tokens[rng.Next(Tokens.Length)] + " ");
            case 5:
                {
                    name = "deep nesting";
                    int n = rng.Next(4) == 0 ? 60_000 : rng.Next(1, 3000);
                    var (open, close) = rng.Next(3) switch { 0 => ("(", ")"), 1 => ("{", "}"), _ => ("<<", ">>") };
                    var at = w.Count > 0 ? w[rng.Next(w.Count)] : (pos, 0);
                    return text[..at.Item1] + string.Concat(Enumerable.Repeat(open, n)) + text.Substring(at.Item1, at.Item2) + string.Concat(Enumerable.Repeat(close, rng.Next(2) == 0 ? n : n - 1)) + text[(at.Item1 + at.Item2)..];
                }
            case 6:
                {
                    name = "random bytes";
                    var b = new byte[rng.Next(1, 16)];
                    rng.NextBytes(b);
                    // Latin-1 characters, control characters included, and invalid UTF-8 bytes
                    return text.Insert(pos, string.Concat(b.Select(x => x >= 0xF0 ? Raw : (char)x)));
                }
            case 7:
                {
                    name = "tabs";
                    var sb = new StringBuilder(text);
                    for (int i = 0; i < sb.Length; i++) if (sb[i] == ' ' && rng.Next(3) == 0) sb[i] = '\t';
                    return sb.ToString();
                }
            case 8:
                name = "unicode";
                return text.Insert(pos, Unicode[rng.Next(Unicode.Length)]);
            case 9:
                name = "truncate";
                return text[..pos];
            case 10 when w.Count > 0:
                {
                    name = "long chain";
                    var (s, l) = w[rng.Next(w.Count)];
                    int n = rng.Next(4) == 0 ? 60_000 : rng.Next(1, 5000);
                    string op = rng.Next(3) switch { 0 => " + 1", 1 => " /\\ TRUE", _ => " \\cup {}" };
                    return text.Insert(s + l, string.Concat(Enumerable.Repeat(op, n)));
                }
            default:
                {
                    name = "replace line";
                    var lines = text.Split('\n');
                    lines[rng.Next(lines.Length)] = lines[rng.Next(lines.Length)];
                    return string.Join('\n', lines);
                }
        }
    }

    public sealed record Seed(string Module, string Tla, string Cfg);

    /// <summary>Every corpus spec with a config of the same name (its module name is its file name).</summary>
    public static List<Seed> Seeds()
    {
        var dir = CorpusTests.CorpusDir;
        return Directory.GetFiles(dir, "*.tla").Order(StringComparer.Ordinal)
            .Where(f => File.Exists(Path.ChangeExtension(f, ".cfg")))
            .Select(f => new Seed(Path.GetFileNameWithoutExtension(f), File.ReadAllText(f), File.ReadAllText(Path.ChangeExtension(f, ".cfg"))))
            .ToList();
    }

    /// <summary>Runs count mutants (1-3 mutations of a corpus spec or, one time in four, of its config) through
    /// target; returns the findings and the number of inputs per outcome.</summary>
    public static (List<Finding> Findings, SortedDictionary<string, int> Outcomes) Run(int seed, int count, Func<string, string, string, string, FuzzOutcome> target)
    {
        var rng = new Random(seed);
        var seeds = Seeds();
        var findings = new List<Finding>();
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var dir = Directory.CreateTempSubdirectory("fuzz-").FullName;
        // the modules the seeds EXTEND or INSTANCE sit next to them; a mutated seed is restored after its run
        foreach (var f in Directory.GetFiles(CorpusTests.CorpusDir, "*.tla")) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        try
        {
            for (int i = 0; i < count; i++)
            {
                var s = seeds[rng.Next(seeds.Count)];
                bool cfgSide = rng.Next(4) == 0;
                string text = cfgSide ? s.Cfg : s.Tla;
                var names = new List<string>();
                for (int k = rng.Next(1, 4); k > 0; k--) { text = Mutate(text, rng, out var n); names.Add(n); }
                string tla = cfgSide ? s.Tla : text, cfg = cfgSide ? text : s.Cfg;
                string mutation = (cfgSide ? "cfg: " : "tla: ") + string.Join(", ", names);
                FuzzOutcome o;
                try { o = target(dir, s.Module, tla, cfg); }
                catch (Exception e)
                {
                    findings.Add(new Finding(mutation, s.Module, $"{e.GetType().Name}: {e.Message}", cfgSide ? cfg : tla));
                    outcomes["exception " + e.GetType().Name] = outcomes.GetValueOrDefault("exception " + e.GetType().Name) + 1;
                    continue;
                }
                finally { File.WriteAllText(Path.Combine(dir, s.Module + ".tla"), s.Tla); }
                var bad = Judge(o);
                string key = bad is not null ? "finding" : o.Exit is null ? "loaded" : $"exit {o.Exit}";
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                if (bad is not null) findings.Add(new Finding(mutation, s.Module, bad, cfgSide ? cfg : tla));
            }
        }
        finally { Directory.Delete(dir, true); }
        return (findings, outcomes);
    }

    private static string Report(List<Finding> f) => string.Join("\n", f.Take(5).Select(x => $"{x.File} [{x.Mutation}]: {x.Detail}"));

    /// <summary>The bounded run of the default test suite: fixed seed, fixed count.</summary>
    [Fact]
    public void MutatedCorpusInputsGiveOneLineErrorsOrLoad()
    {
        var (findings, outcomes) = Run(20261205, 500, FrontEnd);
        Assert.True(findings.Count == 0, Report(findings));
        // the mutants reach both sides: some load, some are refused as spec errors, some as config errors
        Assert.True(outcomes.GetValueOrDefault("loaded") > 0 && outcomes.GetValueOrDefault("exit 150") > 0 && outcomes.GetValueOrDefault("exit 151") > 0,
            string.Join(", ", outcomes.Select(kv => $"{kv.Key}: {kv.Value}")));
    }

    /// <summary>The planted bug: a front end that lets an IndexOutOfRangeException escape for a tab after an
    /// operator (as a lexer indexing past a tab would) is caught by the same bounded run.</summary>
    [Fact]
    public void TheHarnessCatchesAnEscapingException()
    {
        FuzzOutcome Buggy(string dir, string module, string tla, string cfg)
        {
            if (tla.Contains("==\t") || tla.Contains("/\\\t")) throw new IndexOutOfRangeException("planted");
            return FrontEnd(dir, module, tla, cfg);
        }
        var (findings, _) = Run(20261205, 200, Buggy);
        Assert.Contains(findings, f => f.Detail == "IndexOutOfRangeException: planted");
    }

    [Fact]
    public void TheHarnessCatchesATwoLineError()
    {
        FuzzOutcome Buggy(string dir, string module, string tla, string cfg)
        {
            var o = FrontEnd(dir, module, tla, cfg);
            return o.Exit == ExitCodes.SpecError ? o with { Err = o.Err + "   at NotifierSpec.Checker.Parser.ParseExpr()\n" } : o;
        }
        var (findings, _) = Run(20261205, 60, Buggy);
        Assert.Contains(findings, f => f.Detail.StartsWith("not one line", StringComparison.Ordinal));
    }

    /// <summary>The long run (docs/fuzzing.md): NOTIFIER_FUZZ_COUNT=N [NOTIFIER_FUZZ_SEED=S] dotnet test
    /// tests/Checker.Tests -c Release --filter FullyQualifiedName~FuzzTests.LongRun. Writes a summary to
    /// NOTIFIER_FUZZ_REPORT if set. Without NOTIFIER_FUZZ_COUNT it does nothing.</summary>
    [Fact]
    public void LongRun()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("NOTIFIER_FUZZ_COUNT"), out int count)) return;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NOTIFIER_FUZZ_SEED"), out var s) ? s : 1;
        var (findings, outcomes) = Run(seed, count, FrontEnd);
        // whole checks of some mutants, in a child process (a crash or a hang there is a finding too)
        var (cliFindings, cliOutcomes) = Run(seed + 1, Math.Max(1, count / 50), CheckInChild);
        var summary = $"seed {seed}, {count} front-end inputs: {string.Join(", ", outcomes.Select(kv => $"{kv.Key}: {kv.Value}"))}\n"
            + $"{Math.Max(1, count / 50)} whole checks: {string.Join(", ", cliOutcomes.Select(kv => $"{kv.Key}: {kv.Value}"))}\n"
            + string.Join("\n", findings.Concat(cliFindings).Select(x => $"FINDING {x.File} [{x.Mutation}]: {x.Detail}"));
        if (Environment.GetEnvironmentVariable("NOTIFIER_FUZZ_REPORT") is { Length: > 0 } rep) File.WriteAllText(rep, summary + "\n");
        Assert.True(findings.Count + cliFindings.Count == 0, summary);
    }

    /// <summary>A whole `notifier check --workers 1` in a child process, 30 s at most: any documented exit code;
    /// spec and config errors one line; never a stack trace or .NET's crash (exit 134).</summary>
    public static FuzzOutcome CheckInChild(string dir, string module, string tla, string cfg)
    {
        var tlaPath = Path.Combine(dir, module + ".tla");
        WriteBytes(tlaPath, tla);
        WriteBytes(Path.Combine(dir, module + ".cfg"), cfg);
        // the notifier built next to this project (cli/bin/CONFIG/net10.0): Checker.Tests does not reference cli/
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "cli", "bin",
            Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!), "net10.0", "notifier.dll"));
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll}: build the solution first (dotnet build NotifierSpec.sln)");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "check", tlaPath, "--workers", "1" }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(true); p.WaitForExit(); return new FuzzOutcome(null, ""); } // a long search is not a finding
        var err = e.Result;
        if (p.ExitCode is ExitCodes.SpecError or ExitCodes.ConfigError) return new FuzzOutcome(p.ExitCode, err);
        // 255: TLC's exit for \o, Append, Len, Head, Tail of a non-sequence, Head or Tail of <<>> in the next-state
        // relation (one positioned line); 76: an invariant that fails to evaluate (EvalErrorExitTests)
        bool moduleError = p.ExitCode == ExitCodes.Error && OneLine.IsMatch(err) && (err.Contains(": Evaluating an expression of the form ")
            || err.Contains(" should be a sequence, but instead it is: ") || err.Contains(" to the empty sequence."));
        if (p.ExitCode is not (0 or 10 or 11 or 12 or 13 or 75 or 76) && !moduleError || err.Contains("   at ") || o.Result.Contains("   at "))
            return new FuzzOutcome(p.ExitCode, "crash or stack trace: " + err);
        return new FuzzOutcome(null, "");
    }
}
