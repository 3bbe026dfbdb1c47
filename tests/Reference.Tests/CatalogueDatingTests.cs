using System.Text.RegularExpressions;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>Issue 12 item 2, "each change dated and cited by commit title": every call-site row a linux-X.Y vocabulary
/// overrides and every kernel site of a release tree that is new or changed after linux-6.1 has a `dated` value in one of
/// the allowed forms (docs/dating.md), consistent with the trees the catalogue holds.</summary>
public static class CatalogueDating
{
    /// <summary>commit HASH12 "title" (vX.Y): a mainline hash and title found here, and the release it came in.</summary>
    public static readonly Regex CommitForm = new(@"^commit (?<hash>[0-9a-f]{12}) ""(?<title>[^""]+)"" \(v(?<release>\d+\.\d+)\)", RegexOptions.CultureInvariant);
    /// <summary>first seen in the linux-X.Y tree ...: the earliest release tree here that has it (titles found are quoted after).</summary>
    public static readonly Regex FirstSeen = new(@"^first seen in the linux-(?<tree>\d+\.\d+) tree\b", RegexOptions.CultureInvariant);
    /// <summary>unchanged from linux-X.Y ...: a row restated (re-read in a newer tree) without a change; rows only.</summary>
    public static readonly Regex Unchanged = new(@"^unchanged from linux-(?<base>\d+\.\d+)\b", RegexOptions.CultureInvariant);

    public static Version VersionOf(string release) => Version.Parse(release.StartsWith("linux-", StringComparison.Ordinal) ? release["linux-".Length..] : release);

    private static (string, string, string, string?, string?) Key(KernelSite s) => (s.File, s.Function, s.Api, s.Event, s.Owner);

    /// <summary>Every dating problem of a catalogue, one line each (empty when every post-6.1 row and site is dated).</summary>
    public static IReadOnlyList<string> Problems(CatalogueFile f)
    {
        var problems = new List<string>();
        var first = Version.Parse("6.1");
        // the release trees, oldest first: linux-6.1 is the base every later site is compared with
        var trees = f.Vocabularies.Where(v => v.Family == "upstream" && v.SourceTree is not null && v.KernelSites is not null)
            .OrderBy(v => VersionOf(v.Name)).ToList();
        var keys = trees.ToDictionary(v => v.Name, v => v.KernelSites!.Select(Key).ToHashSet());
        var baseKeys = keys["linux-6.1"];
        for (int t = 1; t < trees.Count; t++)
        {
            var voc = trees[t];
            foreach (var s in voc.KernelSites!)
            {
                if (baseKeys.Contains(Key(s))) continue;
                string where = $"{voc.Name} {s.File} {s.Function} {s.Api}";
                // the earliest tree from which every tree up to this one has the site
                int since = t;
                while (since > 1 && keys[trees[since - 1].Name].Contains(Key(s))) since--;
                string firstTree = trees[since].Name, before = trees[since - 1].Name;
                if (s.Dated is null) { problems.Add($"{where}: no dated value"); continue; }
                if (FirstSeen.Match(s.Dated) is { Success: true } fs)
                {
                    if ("linux-" + fs.Groups["tree"].Value != firstTree)
                        problems.Add($"{where}: dated first seen in linux-{fs.Groups["tree"].Value}, but the earliest tree with it is {firstTree}");
                }
                else if (CommitForm.Match(s.Dated) is { Success: true } c)
                {
                    var r = Version.Parse(c.Groups["release"].Value);
                    if (!(r > VersionOf(before) && r <= VersionOf(firstTree)))
                        problems.Add($"{where}: dated v{r}, not after {before} and by {firstTree}, the trees without and with it");
                }
                else problems.Add($"{where}: dated \"{s.Dated}\" is not of an allowed form");
            }
        }
        foreach (var v in f.Vocabularies.Where(v => v.Family == "upstream" && v.BasedOn is not null && v.Release is not null))
        {
            var version = VersionOf(v.Name);
            // its override rows, and its change entries (a change is never "unchanged")
            foreach (var (where, dated, change, since) in (v.Rows ?? []).Select(r => ($"{v.Name} row {r.Site}", r.Dated, false, r.Since))
                .Concat((v.Changes ?? []).Select(c => ($"{v.Name} change {c.Site}", c.Dated, true, (string?)c.Since))))
            {
                if (dated is null) { problems.Add($"{where}: no dated value"); continue; }
                // `since` (what `notifier events` prints as the release) is the commit's release where a commit dates it
                if (CommitForm.Match(dated) is { Success: true } cr && since != cr.Groups["release"].Value)
                    problems.Add($"{where}: since {since ?? "null"}, but dated v{cr.Groups["release"].Value}");
                Version? at = FirstSeen.Match(dated) is { Success: true } fs ? Version.Parse(fs.Groups["tree"].Value)
                    : CommitForm.Match(dated) is { Success: true } c ? Version.Parse(c.Groups["release"].Value)
                    : !change && Unchanged.Match(dated) is { Success: true } u ? Version.Parse(u.Groups["base"].Value) : null;
                if (at is null) problems.Add($"{where}: dated \"{dated}\" is not of an allowed form");
                else if (Unchanged.IsMatch(dated) ? !(at >= first && at < version) : !(at > first && at <= version))
                    problems.Add($"{where}: dated {at}, outside the releases after linux-6.1 up to {v.Name}");
            }
        }
        return problems;
    }

    /// <summary>Every quoted commit or patch title in the dated values.</summary>
    public static IReadOnlyList<string> Titles(CatalogueFile f) =>
        [.. f.Vocabularies.SelectMany(v => (v.Rows ?? []).Select(r => r.Dated).Concat((v.Changes ?? []).Select(c => c.Dated)).Concat((v.KernelSites ?? []).Select(s => s.Dated)))
            .OfType<string>().SelectMany(d => Regex.Matches(d, "\"([^\"]+)\"").Select(m => m.Groups[1].Value)).Distinct().Order(StringComparer.Ordinal)];
}

public class CatalogueDatingTests
{
    private static readonly CatalogueFile File = Catalogue.Default.File;

    private static CatalogueFile WithSites(string vocabulary, Func<KernelSite, KernelSite> edit) => File with
    {
        Vocabularies = [.. File.Vocabularies.Select(v => v.Name == vocabulary ? v with { KernelSites = [.. v.KernelSites!.Select(edit)] } : v)]
    };

    private static bool IsReaperStart(KernelSite s) => s.Function == "zap_vma_for_reaping" && s.Api == "range_init";

    [Fact]
    public void Every_post_6_1_row_and_kernel_site_is_dated_in_an_allowed_form()
    {
        Assert.Equal([], CatalogueDating.Problems(File));
        // what was dated: the sites new or changed after linux-6.1, per tree, and how many by a mainline commit
        var base61 = File.Vocabularies.Single(v => v.Name == "linux-6.1").KernelSites!.Select(s => (s.File, s.Function, s.Api, s.Event, s.Owner)).ToHashSet();
        var counts = File.Vocabularies.Where(v => v.KernelSites is not null && v.Name != "linux-6.1")
            .Select(v => (v.Name, Post: v.KernelSites!.Where(s => !base61.Contains((s.File, s.Function, s.Api, s.Event, s.Owner))).ToList()))
            .Select(x => $"{x.Name} {x.Post.Count} {x.Post.Count(s => CatalogueDating.CommitForm.IsMatch(s.Dated!))}").ToList();
        Assert.Equal(["linux-6.12 41 39", "linux-7.2 60 56", "linux-7.3 63 58"], counts);
        Assert.Equal(19, File.Vocabularies.SelectMany(v => v.Rows ?? []).Count(r => r.Dated is { } d && CatalogueDating.CommitForm.IsMatch(d)));
    }

    [Fact]
    public void A_planted_site_without_a_dated_value_fails()
    {
        var planted = WithSites("linux-7.2", s => IsReaperStart(s) ? s with { Dated = null } : s);
        Assert.Equal(["linux-7.2 mm/memory.c zap_vma_for_reaping range_init: no dated value"], CatalogueDating.Problems(planted));
    }

    [Fact]
    public void A_planted_site_of_another_form_or_first_seen_in_the_wrong_tree_fails()
    {
        var free = WithSites("linux-7.2", s => IsReaperStart(s) ? s with { Dated = "since 6.19 or so" } : s);
        Assert.Equal(["linux-7.2 mm/memory.c zap_vma_for_reaping range_init: dated \"since 6.19 or so\" is not of an allowed form"],
            CatalogueDating.Problems(free));
        var early = WithSites("linux-7.3", s => IsReaperStart(s) ? s with { Dated = "first seen in the linux-6.12 tree" } : s);
        Assert.Equal(["linux-7.3 mm/memory.c zap_vma_for_reaping range_init: dated first seen in linux-6.12, but the earliest tree with it is linux-7.2"],
            CatalogueDating.Problems(early));
        // a site present since 6.12 may not claim 7.2
        var late = WithSites("linux-7.2", s => s.Function == "change_pud_range" && s.Api == "range_init" ? s with { Dated = "first seen in the linux-7.2 tree" } : s);
        Assert.Equal(["linux-7.2 mm/mprotect.c change_pud_range range_init: dated first seen in linux-7.2, but the earliest tree with it is linux-6.12"],
            CatalogueDating.Problems(late));
    }

    [Fact]
    public void A_planted_commit_release_outside_the_trees_without_and_with_the_site_fails()
    {
        var planted = WithSites("linux-7.2", s => s.Function == "do_huge_zero_wp_pmd" && s.Api == "range_init"
            ? s with { Dated = "commit 1ced09e0331f \"mm: allocate THP on hugezeropage wp-fault\" (v6.11)" } : s);
        Assert.Equal(["linux-7.2 mm/huge_memory.c do_huge_zero_wp_pmd range_init: dated v6.11, not after linux-6.12 and by linux-7.2, the trees without and with it"],
            CatalogueDating.Problems(planted));
    }

    [Fact]
    public void A_planted_row_without_a_dated_value_fails()
    {
        var planted = File with
        {
            Vocabularies = [.. File.Vocabularies.Select(v => v.Name == "linux-6.12"
                ? v with { Rows = [.. v.Rows!.Select(r => r.Site == "change_prot_numa" ? r with { Dated = null } : r)] } : v)]
        };
        Assert.Equal(["linux-6.12 row change_prot_numa: no dated value"], CatalogueDating.Problems(planted));
        var vague = File with
        {
            Vocabularies = [.. File.Vocabularies.Select(v => v.Name == "linux-6.12"
                ? v with { Rows = [.. v.Rows!.Select(r => r.Site == "do_pagemap_scan" ? r with { Since = "6.2..6.12" } : r)] } : v)]
        };
        Assert.Equal(["linux-6.12 row do_pagemap_scan: since 6.2..6.12, but dated v6.7"], CatalogueDating.Problems(vague));
    }

    /// <summary>A change entry (a row a release changes without restating it) is dated like a row: planted, the OOM
    /// reaper's change of linux-7.2 without its dated value, and with an "unchanged" one.</summary>
    [Fact]
    public void A_planted_change_without_a_dated_value_fails()
    {
        CatalogueFile Planted(string? dated) => File with
        {
            Vocabularies = [.. File.Vocabularies.Select(v => v.Name == "linux-7.2"
                ? v with { Changes = [.. v.Changes!.Select(c => c.Site == "oom_reap_task_mm" ? c with { Dated = dated } : c)] } : v)]
        };
        Assert.Equal(["linux-7.2 change oom_reap_task_mm: no dated value"], CatalogueDating.Problems(Planted(null)));
        Assert.Equal(["linux-7.2 change oom_reap_task_mm: dated \"unchanged from linux-6.12\" is not of an allowed form"],
            CatalogueDating.Problems(Planted("unchanged from linux-6.12")));
    }

    /// <summary>docs/dating.md's table gives the evidence (a URL, or a mailing-list archive file) for every title the
    /// dated values quote.</summary>
    [Fact]
    public void Every_quoted_title_has_its_evidence_in_docs_dating()
    {
        var table = System.IO.File.ReadAllLines(CatalogueTests.Repo("docs", "dating.md")).Where(l => l.StartsWith('|')).ToList();
        var titles = CatalogueDating.Titles(File);
        Assert.Equal(43, titles.Count);
        Assert.All(titles, t => Assert.Contains(table, l => l.Contains(t, StringComparison.Ordinal)
            && (l.Contains("http", StringComparison.Ordinal) || l.Contains("linux-mailinglist-archives", StringComparison.Ordinal))));
    }
}
