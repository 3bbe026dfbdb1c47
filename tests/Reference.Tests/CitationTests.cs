using System.Text.RegularExpressions;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>
/// Every citation key used in the repository's source and docs (R1, M3, B12, INV-1, AUX-a, HDR,
/// SEED-CALLSITES, ...) resolves to an entry of docs/kernel-facts.md, and every entry there names a
/// file, a function and a release. No citation points to the brief outside the repository.
/// </summary>
public class CitationTests
{
    /// <summary>The shape of a citation key. Deliberately wider than the keys that exist (any R/M/B
    /// number, any INV-n, any AUX letter) so that an unknown key such as R99 is caught, not skipped.</summary>
    public static readonly Regex Key = new(
        @"\b(?:[RMB]\d{1,2}|INV-\d+(?:-HW)?|AUX-[a-z]|SEED(?:-[A-Z]+)?|UP-[A-Z]+|V[468]|HMM07|EV52|ENUM52"
        + @"|HDR(?:-MM|-K|-413)?|C-MM|C-2012|HMMRST|MNRST|THMM|UAPI)\b",
        RegexOptions.CultureInvariant);

    private static readonly Regex Heading = new(@"^## (\S+)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    private static readonly Regex Release = new(@"\bLinux \d+\.\d+\b|\bseed v\d\b", RegexOptions.CultureInvariant);
    private static readonly Regex SourceFile = new(@"\b[\w.-]+(?:/[\w.-]+)*\.(?:c|h|rst|txt)\b", RegexOptions.CultureInvariant);
    private static readonly Regex Function = new(@"\b[A-Za-z_]\w*\(\)", RegexOptions.CultureInvariant);

    private static readonly string[] Extensions = [".cs", ".tla", ".md", ".cfg", ".json"];
    private static readonly string[] SkippedDirectories = ["bin", "obj", ".git", "corpus"];

    /// <summary>The entries of a kernel-facts text: key -> entry body (up to the next heading).</summary>
    public static Dictionary<string, string> Entries(string facts)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var headings = Heading.Matches(facts);
        for (int i = 0; i < headings.Count; i++)
        {
            int start = headings[i].Index + headings[i].Length;
            int next = facts.IndexOf("\n#", start, StringComparison.Ordinal);
            string body = facts[start..(next < 0 ? facts.Length : next)];
            if (!entries.TryAdd(headings[i].Groups[1].Value, body))
                throw new InvalidOperationException($"kernel-facts.md: key {headings[i].Groups[1].Value} has two entries");
        }
        return entries;
    }

    /// <summary>What is wrong with one entry: empty when it has an anchor named after the key and a
    /// "Source:" naming a release, a file and a function.</summary>
    public static List<string> EntryProblems(string key, string body)
    {
        var problems = new List<string>();
        if (!body.Contains($"<a id=\"{key}\"></a>", StringComparison.Ordinal))
            problems.Add($"{key}: no anchor <a id=\"{key}\"></a>");
        int at = body.IndexOf("\nSource:", StringComparison.Ordinal);
        if (at < 0)
        {
            problems.Add($"{key}: no 'Source:' line");
            return problems;
        }
        string source = body[at..];
        int differs = source.IndexOf("\nDiffers from the brief:", StringComparison.Ordinal);
        if (differs >= 0) source = source[..differs];
        if (!Release.IsMatch(source)) problems.Add($"{key}: the source names no release (Linux N.M or seed vN)");
        if (!SourceFile.IsMatch(source)) problems.Add($"{key}: the source names no file");
        if (!Function.IsMatch(source)) problems.Add($"{key}: the source names no function (written name())");
        return problems;
    }

    /// <summary>The keys cited in a text that have no entry, as "where: key".</summary>
    public static IEnumerable<string> Unresolved(string where, string text, IReadOnlyDictionary<string, string> entries)
    {
        foreach (Match m in Key.Matches(text))
            if (!entries.ContainsKey(m.Value))
                yield return $"{where}:{1 + text.AsSpan(0, m.Index).Count('\n')}: {m.Value}";
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("NotifierSpec.sln not found above " + AppContext.BaseDirectory);
    }

    private static string FactsPath(string root) => Path.Combine(root, "docs", "kernel-facts.md");

    /// <summary>The repository's source and docs, without build output, test corpora (third-party
    /// TLA+ where B1 is a module name), the facts file itself and this file (its planted keys).</summary>
    private static IEnumerable<string> Scanned(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string sub in Directory.EnumerateDirectories(dir))
                if (!SkippedDirectories.Contains(Path.GetFileName(sub))) pending.Push(sub);
            foreach (string file in Directory.EnumerateFiles(dir))
                if (Extensions.Contains(Path.GetExtension(file))
                    && file != FactsPath(root)
                    && Path.GetFileName(file) != "CitationTests.cs")
                    yield return file;
        }
    }

    [Fact]
    public void Every_citation_key_in_the_repository_has_an_entry_in_kernel_facts()
    {
        string root = Root();
        var entries = Entries(File.ReadAllText(FactsPath(root)));
        var files = Scanned(root).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 100, $"only {files.Count} files scanned under {root}");
        var unresolved = files.SelectMany(f => Unresolved(Path.GetRelativePath(root, f), File.ReadAllText(f), entries)).ToList();
        Assert.Empty(unresolved);
        // the scan does see citations: R8 is cited all over reference/, spec/ and tla/
        Assert.Contains(files, f => Key.Matches(File.ReadAllText(f)).Any(m => m.Value == "R8"));
    }

    [Fact]
    public void Every_entry_names_a_release_a_file_and_a_function()
    {
        var entries = Entries(File.ReadAllText(FactsPath(Root())));
        Assert.True(entries.Count >= 50, $"only {entries.Count} entries");
        Assert.Empty(entries.SelectMany(e => EntryProblems(e.Key, e.Value)));
        // every entry key has the shape the scan looks for, so a cited key and its entry match
        Assert.All(entries.Keys, k => Assert.Matches($"^{Key}$", k));
    }

    [Fact]
    public void No_citation_points_to_the_brief_outside_the_repository()
    {
        string root = Root();
        var outside = Scanned(root)
            .Where(f => File.ReadAllText(f).Contains("kernel-notifier.md", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();
        Assert.Empty(outside);
    }

    // Planted failures: the checks above must reject these.

    [Theory]
    [InlineData("the listener skips R99 here", "R99")]
    [InlineData("(M7/B10, M13)", "M13")]
    [InlineData("see INV-9 and AUX-f", "INV-9,AUX-f")]
    [InlineData("// R8, B12, INV-1 (ii), SEED-CALLSITES, UP-POLICY", "")]
    public void An_unknown_key_is_reported_and_known_keys_are_not(string text, string expected)
    {
        var entries = Entries(File.ReadAllText(FactsPath(Root())));
        var keys = Unresolved("planted.cs", text, entries).Select(u => u[(u.LastIndexOf(' ') + 1)..]);
        Assert.Equal(expected, string.Join(",", keys));
    }

    [Fact]
    public void An_unknown_key_is_reported_with_file_and_line()
    {
        var entries = Entries("## R1\n<a id=\"R1\"></a>\nfact\nSource: Linux 7.2 mm/memory.c unmap_vmas()\n");
        Assert.Equal(["a.tla:2: R99"], Unresolved("a.tla", "R1 ok\nbut R99 not\n", entries));
    }

    [Theory]
    [InlineData("fact without a source\n", "R1: no 'Source:' line")]
    [InlineData("fact\nSource: include/linux/mmu_notifier.h mmu_interval_set_seq()\n", "R1: the source names no release (Linux N.M or seed vN)")]
    [InlineData("fact\nSource: Linux 7.2, mmu_interval_set_seq()\n", "R1: the source names no file")]
    [InlineData("fact\nSource: Linux 7.2 include/linux/mmu_notifier.h\n", "R1: the source names no function (written name())")]
    [InlineData("fact\nSource: Linux 6.1 mm/oom_kill.c\nDiffers from the brief: __oom_reap_task_mm()\n", "R1: the source names no function (written name())")]
    [InlineData("fact\nSource: Linux 7.2 mm/memory.c unmap_vmas()\n", "")]
    public void An_entry_without_release_file_or_function_is_reported(string body, string expected)
    {
        Assert.Equal(expected, string.Join("; ", EntryProblems("R1", "\n<a id=\"R1\"></a>\n" + body)));
    }

    [Fact]
    public void An_entry_without_its_anchor_is_reported()
    {
        Assert.Equal(["R1: no anchor <a id=\"R1\"></a>"], EntryProblems("R1", "\nfact\nSource: Linux 7.2 mm/memory.c unmap_vmas()\n"));
    }
}
