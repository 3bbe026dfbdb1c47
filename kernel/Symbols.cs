using NotifierSpec.Reference;

namespace NotifierSpec.Kernel;

/// <summary>What one kernel function of the catalogue says about a running kernel: the function, the release its call site
/// is dated to (the first "(vX.Y)" of its `dated`), and whether the running kernel's symbol table has it.</summary>
public sealed record SymbolCheck(string Function, string File, Version Dated, bool Present);

/// <summary>
/// The catalogue's dating held against a running kernel's symbol table (/proc/kallsyms): a call site the catalogue dates to
/// a release after the running one whose enclosing function the running kernel has contradicts the dating (or the function
/// predates its notifier call, which its `dated` must then say). A function dated to the running release or before that the
/// kernel lacks proves nothing (inlined, or its config off); one dated after it that the kernel lacks agrees. This is how
/// the derived linux-6.18 vocabulary (no 6.18 source tree here) is held against the 6.18 kernel these machines run.
/// </summary>
public static class KernelSymbols
{
    public const string Kallsyms = "/proc/kallsyms";

    /// <summary>The function names of /proc/kallsyms text ("ADDRESS TYPE NAME [MODULE]"; a name's ".isra.0" / ".constprop.0"
    /// suffix dropped).</summary>
    public static HashSet<string> Parse(string text)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var p = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (p.Length >= 3) names.Add(p[2].Split('.')[0]);
        }
        return names;
    }

    /// <summary>The release of a site's `dated` in the commit form (Reference.Dating: `commit HASH "TITLE" (vX.Y)`), null for
    /// "first seen in ..." or no dating.</summary>
    public static Version? DatedTo(string? dated) =>
        dated is not null && Dating.Parse(dated).Release is { } r ? Version.Parse(r) : null;

    /// <summary>Every dated kernel function of the vocabularies read from a source tree (catalogue order: oldest first) that
    /// the oldest tree does not have (a function the catalogue says came later), once each, with whether symbols has it.</summary>
    public static List<SymbolCheck> Check(IEnumerable<KernelVocabulary> vocabularies, ISet<string> symbols) =>
        Check([.. vocabularies.Where(v => v.SourceTree is not null && v.KernelSites.Length > 0).Select(v => (IReadOnlyList<KernelSite>)v.KernelSites)], symbols);

    /// <summary>Check over the kernel sites of each tree, oldest first.</summary>
    public static List<SymbolCheck> Check(IReadOnlyList<IReadOnlyList<KernelSite>> trees, ISet<string> symbols)
    {
        if (trees.Count == 0) return [];
        var oldest = trees[0].Select(k => k.Function).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<SymbolCheck>();
        foreach (var k in trees.Skip(1).SelectMany(t => t))
            if (!oldest.Contains(k.Function) && DatedTo(k.Dated) is { } at && seen.Add(k.Function))
                list.Add(new SymbolCheck(k.Function, k.File, at, symbols.Contains(k.Function)));
        return list;
    }

    /// <summary>The checks that contradict the dating for a kernel of release running: present, dated after it.</summary>
    public static List<SymbolCheck> Contradictions(IEnumerable<SymbolCheck> checks, Version running) =>
        [.. checks.Where(c => c.Present && c.Dated > running)];
}
