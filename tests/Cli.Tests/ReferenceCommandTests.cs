using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Cli.Tests;

// `notifier replay`, `audit`, `events` and `scenario` (moved from Reference.Tests: only CLI tests reference cli/).

public class ReplayCommandTests
{
    [Fact]
    public void Replay_command_exit_codes_are_0_12_and_255()
    {
        string dir = Directory.CreateTempSubdirectory("replay").FullName;
        string ok = Path.Combine(dir, "ok.jsonl"), bad = Path.Combine(dir, "bad.jsonl"), broken = Path.Combine(dir, "broken.jsonl");
        TraceFile.Write(ok, Scenarios.Find("anon_write")!.Run().Session);
        TraceFile.Write(bad, Scenarios.Find("teardown_at_end")!.Run().Session);
        File.WriteAllText(broken, "{\"kind\":\"config\",\"pages\":\"lots\"}\n");
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(0, NotifierSpec.Cli.Cli.Run(["replay", ok], o, e));
        Assert.Contains("accepted", o.ToString());
        o = new StringWriter();
        Assert.Equal(12, NotifierSpec.Cli.Cli.Run(["replay", bad], o, e));
        int line = Scenarios.Find("teardown_at_end")!.Run().Session.FirstViolationLine!.Value + 1;
        Assert.StartsWith($"{bad}:{line}: rule NoStaleDeviceMapping violated: dev0 maps page 0", o.ToString());
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["replay", broken], o, e));
        Assert.Equal($"{broken}:1:18: malformed trace: field 'pages': expected an integer, got the string \"lots\"", e.ToString().Trim());
        Assert.Single(e.ToString().Trim().Split('\n'));
    }

    /// <summary>uffdio_move's len (docs/trace-format.md): a THP move replays; a len out of [1, pages] or reaching past
    /// the address space is one line of bad input, exit 255.</summary>
    [Fact]
    public void Replay_takes_uffdio_move_len_and_refuses_a_bad_one()
    {
        string dir = Directory.CreateTempSubdirectory("replay").FullName;
        string ok = Path.Combine(dir, "thp.jsonl");
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2, [new MirrorConfig("dev0")]));
        s.Cpu(new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true));
        s.Cpu(new Call.UffdRegister(4, 8));
        s.Cpu(new Call.CpuWrite(1, 9));
        s.DeviceRead(0, 1);
        s.Cpu(new Call.UffdMove(0, 4, 4));
        Assert.True(s.State.Ptes[4] is { Huge: true });
        TraceFile.Write(ok, s);
        var lines = File.ReadAllLines(ok);
        Assert.Single(lines, l => l.Contains("\"op\":\"uffdio_move\"") && l.Contains("\"len\":4"));
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(0, NotifierSpec.Cli.Cli.Run(["replay", ok], o, e));
        string head = string.Join('\n', lines.Take(1)) + "\n";
        foreach (var (call, col, message) in new[]
        {
            ("{\"kind\":\"call\",\"actor\":\"cpu\",\"op\":\"uffdio_move\",\"page\":0,\"dst\":4,\"len\":0}", 66, "field 'len': 0 is out of range [1, 16]"),
            ("{\"kind\":\"call\",\"actor\":\"cpu\",\"op\":\"uffdio_move\",\"page\":14,\"dst\":0,\"len\":4}", 30, "uffdio_move: range [14, 18) is outside the address space [0, 16) or empty"),
        })
        {
            string bad = Path.Combine(dir, "bad.jsonl");
            File.WriteAllText(bad, head + call + "\n");
            e = new StringWriter();
            Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["replay", bad], new StringWriter(), e));
            Assert.Equal($"{bad}:2:{col}: malformed trace: {message}", e.ToString().Trim());
        }
        Directory.Delete(dir, true);
    }
}

public class AuditCommandTests
{
    private static string Fixture(string name)
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NotifierSpec.sln"))) d = d.Parent;
        Assert.NotNull(d);
        return Path.Combine(d!.FullName, "tests", "Reference.Tests", "audit-fixtures", name);
    }

    [Fact]
    public void Audit_command_exit_codes_and_one_line_errors()
    {
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(12, NotifierSpec.Cli.Cli.Run(["audit", Fixture("planted"), "--vocabulary", "linux-7.2"], o, e));
        // an aligned row (Spectre.Console): kind, where, function, api, message
        Assert.Matches(@"(?m)^event +mm/memory\.c:35 +remove_device_exclusive_entry +range_init_owner: +sends MMU_NOTIFY_EXCLUSIVE; vocabulary linux-7\.2 says MMU_NOTIFY_CLEAR$", o.ToString());
        Assert.Equal("", e.ToString());

        // an unreadable tree is bad input in the project's one-line form `DIR:1:1: message` (as a missing trace, manifest
        // or spec file), exit 255; with --found too
        foreach (var (tree, message) in new[]
        {
            (Fixture("notakernel"), "not a kernel source tree (no include/linux/mmu_notifier.h and mm/)"),
            (Fixture("no-such-tree"), "no such directory"),
            (Path.Combine(Fixture("planted"), "Makefile"), "not a directory"),
        })
            foreach (var extra in new[] { Array.Empty<string>(), ["--found"], ["--json"] })
            {
                o = new StringWriter(); e = new StringWriter();
                Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["audit", tree, .. extra], o, e));
                Assert.Equal(($"{tree}:1:1: {message}\n", ""), (e.ToString().Replace("\r\n", "\n"), o.ToString()));
            }

        e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["audit", Fixture("equal"), "--vocabulary", "linux-2.6"], o, e));
        Assert.Equal($"notifier audit: unknown vocabulary 'linux-2.6' ({Vocabularies.NameList})", e.ToString().Trim());

        e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["audit", Fixture("equal"), "--vocabulary", "linux-6.18"], o, e));
        Assert.StartsWith("notifier audit: vocabulary linux-6.18 has no kernel call-site list", e.ToString().Trim());

        o = new StringWriter();
        Assert.Equal(0, NotifierSpec.Cli.Cli.Run(["audit", Fixture("equal"), "--found"], o, e));
        Assert.Equal(16, o.ToString().Trim().Split('\n').Length);
    }
}

public class AuditVocabularyTests
{
    private static string Fixture(string name)
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NotifierSpec.sln"))) d = d.Parent;
        return Path.Combine(d!.FullName, "tests", "Reference.Tests", "audit-fixtures", name);
    }

    private static string LastLine(string text) => text.Trim().Split('\n')[^1];

    /// <summary>Without --vocabulary, audit takes linux-VERSION.PATCHLEVEL from the tree's Makefile when the catalogue has
    /// it and says so; a release it lacks, or no Makefile, falls back to upstream, saying why; --vocabulary overrides.</summary>
    [Fact]
    public void Audit_picks_the_vocabulary_from_the_trees_makefile_and_says_which()
    {
        var o = new StringWriter(); var e = new StringWriter();
        string planted = Fixture("planted");
        Assert.Equal(12, NotifierSpec.Cli.Cli.Run(["audit", planted, "--quiet"], o, e));
        Assert.StartsWith($"audit {planted} against linux-7.2 (the tree's Makefile: VERSION = 7, PATCHLEVEL = 2): 17 calls, 135 difference(s)", LastLine(o.ToString()));
        Assert.Equal("", e.ToString());

        o = new StringWriter();
        Assert.Equal(12, NotifierSpec.Cli.Cli.Run(["audit", planted, "--vocabulary", "linux-6.12", "--quiet"], o, e));
        Assert.StartsWith($"audit {planted} against linux-6.12 (--vocabulary):", LastLine(o.ToString()));

        o = new StringWriter();
        string equal = Fixture("equal");
        NotifierSpec.Cli.Cli.Run(["audit", equal, "--quiet"], o, e);
        Assert.StartsWith($"audit {equal} against upstream (default: the tree has no readable Makefile):", LastLine(o.ToString()));

        string dir = Path.Combine(Path.GetTempPath(), $"audit-makefile-{Environment.ProcessId}");
        try
        {
            foreach (var f in Directory.EnumerateFiles(equal, "*", SearchOption.AllDirectories))
            {
                string to = Path.Combine(dir, Path.GetRelativePath(equal, f));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(f, to);
            }
            File.WriteAllText(Path.Combine(dir, "Makefile"), "VERSION = 2\nPATCHLEVEL = 6\nSUBLEVEL = 32\n");
            o = new StringWriter();
            NotifierSpec.Cli.Cli.Run(["audit", dir, "--quiet"], o, e);
            Assert.StartsWith($"audit {dir} against upstream (default: the tree's Makefile says linux-2.6, which the catalogue has no kernel call sites for):", LastLine(o.ToString()));
            File.WriteAllText(Path.Combine(dir, "Makefile"), "VERSION = 6\nPATCHLEVEL = 12\n");
            o = new StringWriter();
            NotifierSpec.Cli.Cli.Run(["audit", dir, "--json"], o, e);
            var doc = System.Text.Json.Nodes.JsonNode.Parse(o.ToString())!;
            Assert.Equal(("linux-6.12", "the tree's Makefile: VERSION = 6, PATCHLEVEL = 12"), ((string?)doc["vocabulary"], (string?)doc["vocabulary_from"]));
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class EventsCommandTests
{
    [Fact]
    public void Events_command_prints_the_table_as_json()
    {
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(0, NotifierSpec.Cli.Cli.Run(["events", "--vocabulary", "v7", "--json"], o, e));
        var doc = System.Text.Json.Nodes.JsonNode.Parse(o.ToString())!;
        Assert.Equal("v7", (string?)doc["vocabulary"]);
        Assert.Equal(EventTables.Table(Vocabulary.V7).Length,
            doc["call_sites"]!.AsArray().Count(r => r!["models"]!.AsArray().Any(m => (string?)m == "reference") && Catalogue.Default.Site((string)r["call_site"]!).ReferenceVia is null));
        Assert.Equal(Catalogue.Default.File.ModelSites.Count, doc["call_sites"]!.AsArray().Count);
        Assert.Equal("MMU_MIGRATE", (string?)doc["call_sites"]!.AsArray().Single(r => (string?)r!["call_site"] == "copy_hugetlb_page_range")!["event"]);
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["events", "--vocabulary", "v9"], o, e));
        Assert.Equal("notifier events: unknown vocabulary 'v9' (v7, v7-reviewed, linux-6.1, linux-6.12, linux-6.18, linux-7.2, linux-7.3, upstream)", e.ToString().Trim());
    }
}

/// <summary>Issue 12 item 2 through the command: every row of `events` that differs from the vocabulary it is based on says
/// when and by which commit (hash, title, release) or since which tree, and `changes` lists those rows against the base.</summary>
public class EventsDatingTests
{
    private static (string Out, System.Text.Json.Nodes.JsonNode? Json) Events(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(0, NotifierSpec.Cli.Cli.Run(["events", .. args], o, e));
        Assert.Equal("", e.ToString());
        return (o.ToString(), args.Contains("--json") ? System.Text.Json.Nodes.JsonNode.Parse(o.ToString()) : null);
    }

    /// <summary>The changes of each vocabulary as `events --json` gives them: call site, before -> after, commit.</summary>
    [Fact]
    public void Events_json_lists_each_vocabularys_dated_changes_against_its_base()
    {
        var lines = new List<string>();
        foreach (var v in Vocabularies.Names)
        {
            var doc = Events("--vocabulary", v, "--json").Json!;
            var changes = doc["changes"]!.AsArray();
            lines.Add($"{v} <- {(string?)doc["based_on"] ?? "-"}: {changes.Count}");
            foreach (var c in changes)
                lines.Add($"  {c!["call_site"]}: {c["before"]!["event"]}/{c["before"]!["owner"] ?? "-"} -> {c["event"]}/{c["owner"] ?? "-"} since {c["since"] ?? "-"}"
                    + (c["commit"] is { } k ? $" {k["hash"]} \"{k["title"]}\" v{k["release"]}" : $" [{((string)c["dated"]!)[..20]}]"));
        }
        Assert.Equal([
            "v7 <- -: 0",
            "v7-reviewed <- v7: 4",
            "  split_huge_page: MMU_HSPLIT/- -> MMU_HUGE_PAGE_SPLIT/- since - [seed v8 (2015-10-21,]",
            "  write_protect_page: MMU_WRITE_PROTECT/- -> MMU_KSM_WRITE_PROTECT/- since - [seed v8 (2015-10-21,]",
            "  clear_refs_write: MMU_ISDIRTY/- -> MMU_CLEAR_SOFT_DIRTY/- since - [seed v8 (2015-10-21,]",
            "  change_protection: MMU_MPROT/- -> MMU_UNMAP|MMU_WRITE_PROTECT|MMU_READ_WRITE/- since - [review of seed v7 (J]",
            "linux-6.1 <- -: 0",
            "linux-6.12 <- linux-6.1: 10",
            "  change_protection: MMU_NOTIFY_PROTECTION_VMA/- -> MMU_NOTIFY_PROTECTION_VMA/- since 6.12 7f06e3aa2e83 \"mm/mprotect: push mmu notifier to PUDs\" v6.12",
            "  uffd_wp_range: MMU_NOTIFY_PROTECTION_VMA/- -> MMU_NOTIFY_PROTECTION_VMA/- since 6.12 7f06e3aa2e83 \"mm/mprotect: push mmu notifier to PUDs\" v6.12",
            "  change_prot_numa: MMU_NOTIFY_PROTECTION_VMA/- -> MMU_NOTIFY_PROTECTION_VMA/- since 6.12 7f06e3aa2e83 \"mm/mprotect: push mmu notifier to PUDs\" v6.12",
            "  do_pagemap_scan: -/- -> MMU_NOTIFY_PROTECTION_VMA/- since 6.7 52526ca7fdb9 \"fs/proc/task_mmu: implement IOCTL to get and optionally clear info about PTEs\" v6.7",
            "  move_pages_ptes: -/- -> MMU_NOTIFY_CLEAR/- since 6.8 adef440691ba \"userfaultfd: UFFDIO_MOVE uABI\" v6.8",
            "  move_pages_huge_pmd: -/- -> MMU_NOTIFY_CLEAR/- since 6.8 adef440691ba \"userfaultfd: UFFDIO_MOVE uABI\" v6.8",
            "  retract_page_tables: MMU_NOTIFY_CLEAR/- -> MMU_NOTIFY_CLEAR/- since 6.6 1d65b771bc08 \"mm/khugepaged: retract_page_tables() without mmap or vma lock\" v6.6",
            "  mmap_region: -/- -> MMU_NOTIFY_UNMAP/- since 6.12 79f3d123caed \"mm/mmap: fix race in mmap_region() with ftruncate()\" v6.12",
            "  unmap_hugepage_range: MMU_NOTIFY_UNMAP/- -> MMU_NOTIFY_CLEAR/- since 6.2 369258ce41c6 \"hugetlb: remove duplicate mmu notifications\" v6.2",
            "  migrate_vma_pages: MMU_NOTIFY_MIGRATE/migrate->pgmap_owner -> MMU_NOTIFY_MIGRATE/migrate->pgmap_owner since 6.6 ec8832d007cb \"mmu_notifiers: don't invalidate secondary TLBs as part of mmu_notifier_invalidate_range_end()\" v6.6",
            "linux-6.18 <- linux-6.12: 4",
            "  make_device_exclusive: MMU_NOTIFY_EXCLUSIVE/args->owner -> MMU_NOTIFY_EXCLUSIVE/owner since 6.15 599b684a7854 \"mm/rmap: convert make_device_exclusive_range() to make_device_exclusive()\" v6.15",
            "  remove_device_exclusive_entry: MMU_NOTIFY_EXCLUSIVE/NULL -> MMU_NOTIFY_CLEAR/NULL since 6.15 720ba85040a6 \"mm/mmu_notifier: use MMU_NOTIFY_CLEAR in remove_device_exclusive_entry()\" v6.15",
            "  move_pages_ptes: MMU_NOTIFY_CLEAR/- -> MMU_NOTIFY_CLEAR/- since 6.18 50944692052b \"userfaultfd: opportunistic TLB-flush batching for present pages in MOVE\" v6.18",
            "  do_huge_zero_wp_pmd: -/- -> MMU_NOTIFY_CLEAR/- since 6.13 1ced09e0331f \"mm: allocate THP on hugezeropage wp-fault\" v6.13",
            "linux-7.2 <- linux-6.18: 3",
            "  zap_page_range: MMU_NOTIFY_CLEAR/- -> MMU_NOTIFY_CLEAR/- since 7.1 784a742e7b6d \"mm: rename zap_page_range_single_batched() to zap_vma_range_batched()\" v7.1",
            "  zap_page_range_single: MMU_NOTIFY_CLEAR/- -> MMU_NOTIFY_CLEAR/- since 7.1 784a742e7b6d \"mm: rename zap_page_range_single_batched() to zap_vma_range_batched()\" v7.1",
            "  oom_reap_task_mm: MMU_NOTIFY_UNMAP/- -> MMU_NOTIFY_CLEAR/- since 7.1 f52f202ddebb \"mm/oom_kill: use MMU_NOTIFY_CLEAR in __oom_reap_task_mm()\" v7.1",
            "linux-7.3 <- linux-7.2: 0",
            "upstream <- linux-7.2: 0",
        ], lines);
    }

    /// <summary>Every row of `events --json` carries the dating of its last change; the rows changed against the base are
    /// exactly the `changes`, and each has a commit or a first tree (v7-reviewed: the review's dating).</summary>
    [Fact]
    public void Every_row_that_differs_from_its_base_says_when_and_by_which_commit()
    {
        foreach (var v in Vocabularies.Names)
        {
            var doc = Events("--vocabulary", v, "--json").Json!;
            JsonSchemas.Conforming("events", doc.ToJsonString());
            var rows = doc["call_sites"]!.AsArray();
            Assert.Equal(doc["changes"]!.AsArray().Select(c => (string?)c!["call_site"]), rows.Where(r => (bool)r!["changed_from_base"]!).Select(r => (string?)r!["call_site"]));
            foreach (var r in rows.Where(r => (bool)r!["changed_from_base"]!))
            {
                Assert.NotNull((string?)r!["dated"]);
                if (v is not ("v7" or "v7-reviewed")) Assert.True(r["commit"] is not null || r["first_seen_in"] is not null, $"{v} {r["call_site"]}");
            }
        }
        // linux-7.2's mprotect row: changed in linux-6.12 (the bracket moved to change_pud_range), not against linux-6.18
        var mprotect = Events("--vocabulary", "linux-7.2", "--json").Json!["call_sites"]!.AsArray().Single(r => (string?)r!["call_site"] == "change_protection")!;
        Assert.Equal(("linux-6.12", false, "6.12", "7f06e3aa2e83", "mm/mprotect: push mmu notifier to PUDs", "6.12"),
            ((string?)mprotect["changed_in"], (bool)mprotect["changed_from_base"]!, (string?)mprotect["since"], (string?)mprotect["commit"]!["hash"],
             (string?)mprotect["commit"]!["title"], (string?)mprotect["commit"]!["release"]));
    }

    /// <summary>The text form: the rows changed against the base marked * in the "changed" column, then the changes with
    /// commit hash, title and release.</summary>
    [Fact]
    public void Events_text_dates_the_changes_against_the_base()
    {
        string text = Events("--vocabulary", "linux-7.2").Out.Replace("\r\n", "\n");
        Assert.Matches(@"(?m)^oom_reap_task_mm +MMU_NOTIFY_CLEAR +invalidate_range_start_nonblock/end +v7\.1 f52f202ddebb \* +linux-7\.2 mm/oom_kill\.c", text);
        Assert.Matches(@"(?m)^change_protection +MMU_NOTIFY_PROTECTION_VMA +invalidate_range_start/end +v6\.12 7f06e3aa2e83 +linux-7\.2 mm/mprotect\.c", text);
        Assert.Matches(@"(?m)^copy_page_range +MMU_NOTIFY_PROTECTION_PAGE +invalidate_range_start/end +- +linux-7\.2 mm/memory\.c", text);
        Assert.EndsWith("""
            3 change(s) against linux-6.18 (the rows marked *):
              zap_page_range: MMU_NOTIFY_CLEAR as before, the call site changed: commit 784a742e7b6d "mm: rename zap_page_range_single_batched() to zap_vma_range_batched()" (v7.1)
              zap_page_range_single: MMU_NOTIFY_CLEAR as before, the call site changed: commit 784a742e7b6d "mm: rename zap_page_range_single_batched() to zap_vma_range_batched()" (v7.1)
              oom_reap_task_mm: MMU_NOTIFY_UNMAP -> MMU_NOTIFY_CLEAR: commit f52f202ddebb "mm/oom_kill: use MMU_NOTIFY_CLEAR in __oom_reap_task_mm()" (v7.1)

            """, text);
        Assert.EndsWith("0 change(s) against linux-7.2 (the rows marked *):\n", Events("--vocabulary", "linux-7.3").Out.Replace("\r\n", "\n"));
        Assert.DoesNotContain("change(s) against", Events("--vocabulary", "linux-6.1").Out);
    }
}

public class ScenarioCommandTests
{
    private static (int Code, string Out, string Err) Scenario(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = NotifierSpec.Cli.Cli.Run(["scenario", .. args], o, e);
        return (code, o.ToString().Replace("\r\n", "\n"), e.ToString());
    }

    /// <summary>Issue 12, "scenarios take any vocabulary": `--vocabulary V` runs the scenarios in V instead of their own,
    /// their checks unchanged. `exclusive` (its own: upstream) restores the PTE with MMU_NOTIFY_CLEAR (owner NULL) since
    /// 6.15: as expected in linux-7.2, not in linux-6.12, whose remove_device_exclusive_entry sends MMU_NOTIFY_EXCLUSIVE.</summary>
    [Fact]
    public void Scenario_runs_in_the_vocabulary_given_and_its_outcome_differs_between_two()
    {
        Assert.Equal((0, """
            vocabulary linux-7.2 in every scenario (its own otherwise)
            ok exclusive all rules hold
            1/1 scenarios as expected

            """, ""), Scenario("exclusive", "--vocabulary", "linux-7.2"));
        var (code, stdout, stderr) = Scenario("exclusive", "--vocabulary", "linux-6.12");
        Assert.Equal((12, ""), (code, stderr));
        Assert.StartsWith("""
            vocabulary linux-6.12 in every scenario (its own otherwise)
            FAIL exclusive all rules hold
            """, stdout);
        Assert.Equal(["     FAIL restore event (MMU_NOTIFY_CLEAR since 6.15, remove_device_exclusive_entry): expected MMU_NOTIFY_CLEAR, got MMU_NOTIFY_EXCLUSIVE"],
            stdout.Split('\n').Where(l => l.StartsWith("     FAIL", StringComparison.Ordinal)));
        Assert.EndsWith("0/1 scenarios as expected\n", stdout);
        // the JSON names the vocabulary run, overall and per scenario; without --vocabulary each its own
        var json = Scenario("exclusive", "oom_reaper_eagain", "--vocabulary", "linux-6.12", "--json");
        Assert.Equal(12, json.Code);
        JsonSchemas.Conforming("scenario", json.Out);
        var doc = System.Text.Json.Nodes.JsonNode.Parse(json.Out)!;
        Assert.Equal("linux-6.12 exclusive linux-6.12 False, oom_reaper_eagain linux-6.12 True",
            $"{doc["vocabulary"]} " + string.Join(", ", doc["scenarios"]!.AsArray().Select(x => $"{x!["name"]} {x["vocabulary"]} {(bool)x["passed"]!}")));
        var own = System.Text.Json.Nodes.JsonNode.Parse(Scenario("exclusive", "mprotect_none_v7_wp_listener", "--json").Out)!;
        Assert.Equal(" exclusive upstream True, mprotect_none_v7_wp_listener v7 True",
            $"{(string?)own["vocabulary"]} " + string.Join(", ", own["scenarios"]!.AsArray().Select(x => $"{x!["name"]} {x["vocabulary"]} {(bool)x["passed"]!}")));
    }

    /// <summary>A scenario whose steps cannot run in the vocabulary given (v7's invalidate_page writeback in a kernel
    /// vocabulary) fails one check with the reason, no stack trace; an unknown vocabulary is one line, exit 255.</summary>
    [Fact]
    public void Scenario_in_a_vocabulary_it_cannot_run_in_fails_a_check_and_an_unknown_one_is_refused()
    {
        var (code, stdout, stderr) = Scenario("writeback_v7_invalidate_page", "--vocabulary", "linux-7.2");
        Assert.Equal((12, ""), (code, stderr));
        Assert.Equal(["     FAIL ran to its end: expected yes, got no: InvalidOperationException: Sequence contains no matching element"],
            stdout.Split('\n').Where(l => l.StartsWith("     FAIL", StringComparison.Ordinal)));
        Assert.Equal((255, "", "notifier scenario: unknown vocabulary 'linux-2.6' (v7, v7-reviewed, linux-6.1, linux-6.12, linux-6.18, linux-7.2, linux-7.3, upstream)\n"),
            Scenario("--vocabulary", "linux-2.6"));
    }

    [Fact]
    public void Scenario_command_prints_every_outcome_and_exits_zero()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int rc = NotifierSpec.Cli.Cli.Run(["scenario"], o, e);
        Assert.Equal(0, rc);
        Assert.Contains($"{Scenarios.All.Length}/{Scenarios.All.Length} scenarios as expected", o.ToString());
        Assert.Contains("breaks NoStaleDeviceMapping", o.ToString());
    }

    [Fact]
    public void Unknown_scenario_is_a_one_line_error()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int rc = NotifierSpec.Cli.Cli.Run(["scenario", "nope"], o, e);
        Assert.Equal(255, rc);
        Assert.Equal("notifier scenario: unknown scenario 'nope' (notifier scenario --list)", e.ToString().Trim());
    }
}

public class CliInputTests
{
    [Fact]
    public void An_unwritable_trace_path_is_a_one_line_error()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int rc = NotifierSpec.Cli.Cli.Run(["scenario", "anon_read", "--trace", "/nonexistent-dir/x.jsonl"], o, e);
        Assert.Equal(255, rc);
        Assert.Single(e.ToString().Trim().Split('\n'));
        Assert.StartsWith("notifier scenario: Could not find a part of the path", e.ToString());
    }

    [Fact]
    public void A_missing_trace_file_is_a_one_line_error()
    {
        foreach (var command in new[] { "replay", "refine" })
        {
            var o = new StringWriter(); var e = new StringWriter();
            Assert.Equal(255, NotifierSpec.Cli.Cli.Run([command, "/nonexistent.jsonl"], o, e));
            Assert.Equal("/nonexistent.jsonl:1:1: cannot read /nonexistent.jsonl: no such file", e.ToString().Trim());
        }
    }

    [Fact]
    public void Unknown_commands_and_options_are_one_line_errors()
    {
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["frobnicate"], o, e));
        Assert.Equal("notifier: unknown command 'frobnicate' (try: notifier --help)", e.ToString().Trim());
        e = new StringWriter();
        Assert.Equal(255, NotifierSpec.Cli.Cli.Run(["bench-reference", "--steps", "many"], o, e));
        Assert.Equal("notifier bench-reference: option --steps expects an integer, got 'many'", e.ToString().Trim());
    }
}
