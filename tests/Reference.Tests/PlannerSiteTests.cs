using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Issue 14: one planner method per call site, named after its kernel function (as lib/test_hmm.c names its
/// dmirror_* functions). Read from reference/Planner.cs's syntax (Roslyn): every call site of catalogue/vocabulary.json
/// that the reference runs has a method of its name in PascalCase, and that method, and no other, brackets it.</summary>
public class PlannerSiteTests
{
    /// <summary>The call sites the reference runs (model_sites whose models include "reference").</summary>
    private static readonly IReadOnlyList<string> Sites = Catalogue.Default.ReferenceCallSites.Select(s => s.Site).ToList();

    /// <summary>mmu_notifier_release is no bracket: exit_mmap calls every listener's ->release (Prim.Release).</summary>
    private const string Release = "mmu_notifier_release";

    /// <summary>wp_page_copy -> WpPageCopy.</summary>
    public static string MethodOf(string site) =>
        string.Concat(site.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>What is wrong with the planner source's call-site methods, one line each, in source order then site order;
    /// empty when every site has its method and each Bracket(CallSite.x, ...) lies in method X.</summary>
    public static IReadOnlyList<string> Problems(string source, IReadOnlyList<string> sites)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetCompilationUnitRoot();
        var planner = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.Text == "Planner");
        var methods = planner.Members.OfType<MethodDeclarationSyntax>().ToList();
        var problems = new List<string>();
        var bracketed = new Dictionary<string, HashSet<string>>();   // method -> sites it brackets
        foreach (var call in planner.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (call.Expression is not IdentifierNameSyntax { Identifier.Text: "Bracket" }) continue;
            string method = call.Ancestors().OfType<MethodDeclarationSyntax>().FirstOrDefault()?.Identifier.Text ?? "(no method)";
            int line = call.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            if (call.ArgumentList.Arguments.FirstOrDefault()?.Expression is not MemberAccessExpressionSyntax
                { Expression: IdentifierNameSyntax { Identifier.Text: "CallSite" } } site)
            {
                problems.Add($"Planner.cs:{line}: {method} brackets a site that is not a literal CallSite member");
                continue;
            }
            string name = site.Name.Identifier.Text;
            if (!sites.Contains(name)) problems.Add($"Planner.cs:{line}: {method} brackets {name}, not a call site the reference runs");
            else if (method != MethodOf(name)) problems.Add($"Planner.cs:{line}: {name} is bracketed in {method}, not in {MethodOf(name)}");
            bracketed.TryAdd(method, []);
            bracketed[method].Add(name);
        }
        foreach (string site in sites)
        {
            string name = MethodOf(site);
            var of = methods.Where(m => m.Identifier.Text == name).ToList();
            if (of.Count != 1) { problems.Add($"{site}: {of.Count} methods named {name}, expected one"); continue; }
            if (site == Release)
            {
                if (bracketed.ContainsKey(name) || !of[0].DescendantNodes().OfType<ObjectCreationExpressionSyntax>().Any(o => o.Type.ToString() == "Prim.Release"))
                    problems.Add($"{site}: {name} must add Prim.Release and bracket nothing");
            }
            else if (!bracketed.ContainsKey(name)) problems.Add($"{site}: {name} brackets nothing");
        }
        return problems;
    }

    /// <summary>The catalogue's models field against the planner, for the sites the reference runs as an operation of
    /// its own notified through other sites (reference_call, reference_via): the Planner method returning
    /// (reference_call, ...) calls the method of every reference_via site; and every operation name the planner returns
    /// that names a model site has "reference" in that site's models. Empty when they agree.</summary>
    public static IReadOnlyList<string> ModelsProblems(string source, IReadOnlyList<ModelSite> sites)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetCompilationUnitRoot();
        var planner = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.Text == "Planner");
        // operation name -> the methods returning it as the first element of their result tuple
        var returns = new Dictionary<string, List<MethodDeclarationSyntax>>(StringComparer.Ordinal);
        foreach (var m in planner.Members.OfType<MethodDeclarationSyntax>())
            foreach (var t in m.DescendantNodes().OfType<TupleExpressionSyntax>())
                if (t.Parent is ReturnStatementSyntax or ArrowExpressionClauseSyntax
                    && t.Arguments.FirstOrDefault()?.Expression is LiteralExpressionSyntax { Token.Value: string op })
                {
                    returns.TryAdd(op, []);
                    if (!returns[op].Contains(m)) returns[op].Add(m);
                }
        var problems = new List<string>();
        foreach (var s in sites.Where(s => s.ReferenceVia is not null))
        {
            if (!returns.TryGetValue(s.ReferenceCall!, out var ms)) { problems.Add($"{s.Site}: no Planner method returns the operation {s.ReferenceCall}"); continue; }
            foreach (var m in ms)
            {
                var called = m.DescendantNodes().OfType<InvocationExpressionSyntax>().Select(i => i.Expression).OfType<IdentifierNameSyntax>().Select(i => i.Identifier.Text).ToHashSet();
                foreach (var via in s.ReferenceVia!)
                    if (!called.Contains(MethodOf(via))) problems.Add($"{s.Site}: {m.Identifier.Text} (operation {s.ReferenceCall}) does not call {MethodOf(via)}");
            }
        }
        foreach (var (op, ms) in returns.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (sites.FirstOrDefault(s => s.Site == op) is { } site && !site.Models.Contains("reference"))
                problems.Add($"{op}: the reference runs it ({ms[0].Identifier.Text}) but the catalogue's models say {string.Join(", ", site.Models)}");
        return problems;
    }

    [Fact]
    public void The_models_field_names_every_site_the_reference_runs_as_an_operation()
    {
        var sites = Catalogue.Default.File.ModelSites;
        Assert.Equal([], ModelsProblems(PlannerSource(), sites));
        Assert.Equal(["exit_mmap", "migrate_pages", "mmap_region"], sites.Where(s => s.ReferenceVia is not null).Select(s => s.Site).Order());
        // planted: the catalogue as it was (migrate_pages, exit_mmap tla only), and Migrate no longer calling TryToUnmapOne
        var stale = sites.Select(s => s.Site is "migrate_pages" or "exit_mmap" ? s with { Models = ["tla"], ReferenceCall = null, ReferenceVia = null } : s).ToList();
        Assert.Equal(["exit_mmap: the reference runs it (Exit) but the catalogue's models say tla",
                "migrate_pages: the reference runs it (Migrate) but the catalogue's models say tla"], ModelsProblems(PlannerSource(), stale));
        string src = PlannerSource();
        const string at = "        TryToUnmapOne(r, PteOp.MigrationEntry);";
        Assert.Single(Occurrences(src, at));
        Assert.Equal(["migrate_pages: Migrate (operation migrate_pages) does not call TryToUnmapOne"], ModelsProblems(src.Replace(at, ""), sites));
    }

    private static string PlannerSource()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("NotifierSpec.sln not found above " + AppContext.BaseDirectory);
        return File.ReadAllText(Path.Combine(dir.FullName, "reference", "Planner.cs"));
    }

    [Fact]
    public void The_reference_runs_these_call_sites()
    {
        Assert.Equal(36, Sites.Count);
        Assert.Equal(Sites.Order(), Enum.GetNames<CallSite>().Order());
        Assert.Equal("WpPageCopy", MethodOf("wp_page_copy"));
        Assert.Equal("MmuNotifierRelease", MethodOf(Release));
    }

    [Fact]
    public void Each_call_site_is_bracketed_by_its_own_method_only()
    {
        Assert.Equal([], Problems(PlannerSource(), Sites));
    }

    // Planted misplacements: each must be found.

    [Fact]
    public void A_second_site_moved_into_a_site_method_is_found()
    {
        // write_protect_page's method also brackets replace_page (as TryToMergeWithKsmPage once did)
        string src = PlannerSource();
        const string at = "        Bracket(CallSite.write_protect_page, one, after =>";
        Assert.Single(Occurrences(src, at));
        int line = LineOf(src, at);
        var planted = src.Replace(at, "        Bracket(CallSite.replace_page, one, _ => { });\n" + at);
        Assert.Equal([$"Planner.cs:{line}: replace_page is bracketed in WriteProtectPage, not in ReplacePage"], Problems(planted, Sites));
    }

    [Fact]
    public void An_entry_point_bracketing_a_site_itself_is_found()
    {
        // the shape before issue 14: one method for the call, bracketing both of its sites
        const string src = """
            internal sealed class Planner
            {
                private void WriteProtectPage(int p) { }
                private void ReplacePage(int p) => Bracket(CallSite.replace_page, One(p), _ => { });
                private void KsmMerge(int p, int q)
                {
                    Bracket(CallSite.write_protect_page, One(p), _ => { });
                    ReplacePage(q);
                }
            }
            """;
        Assert.Equal(["Planner.cs:7: write_protect_page is bracketed in KsmMerge, not in WriteProtectPage",
                "write_protect_page: WriteProtectPage brackets nothing"],
            Problems(src, ["write_protect_page", "replace_page"]));
    }

    [Fact]
    public void A_computed_site_and_a_missing_method_are_found()
    {
        // Mprotect's old form: the site chosen in a variable (hugetlb or not), one bracket for both
        const string src = """
            internal sealed class Planner
            {
                private void Mprotect(bool hugetlb)
                {
                    var site = hugetlb ? CallSite.hugetlb_change_protection : CallSite.change_protection;
                    Bracket(site, R, _ => { });
                }
                private void MmuNotifierRelease() => Bracket(CallSite.unmap_vmas, R, _ => { });
            }
            """;
        Assert.Equal(["Planner.cs:6: Mprotect brackets a site that is not a literal CallSite member",
                "Planner.cs:8: unmap_vmas is bracketed in MmuNotifierRelease, not in UnmapVmas",
                "change_protection: 0 methods named ChangeProtection, expected one",
                "hugetlb_change_protection: 0 methods named HugetlbChangeProtection, expected one",
                "unmap_vmas: 0 methods named UnmapVmas, expected one",
                "mmu_notifier_release: MmuNotifierRelease must add Prim.Release and bracket nothing"],
            Problems(src, ["change_protection", "hugetlb_change_protection", "unmap_vmas", Release]));
    }

    private static List<int> Occurrences(string s, string what)
    {
        var at = new List<int>();
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + 1, StringComparison.Ordinal)) at.Add(i);
        return at;
    }

    private static int LineOf(string s, string what) => 1 + s.AsSpan(0, s.IndexOf(what, StringComparison.Ordinal)).Count('\n');
}
