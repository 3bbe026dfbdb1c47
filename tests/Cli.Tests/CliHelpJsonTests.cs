using System.Text.Json;
using System.Text.RegularExpressions;
using NotifierSpec.Cli;
using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// Every command's help (`notifier help CMD`, `CMD --help`, `CMD -h`), `--version`, the exit codes each help lists
/// against docs/exit-codes.md, and each command's `--json` output against its schema in docs/schemas/ (JsonSchema.Net,
/// tests/Cli.Tests/JsonSchemas.cs; seen failing in JsonSchemaTests) with exact values for one case per command.
/// </summary>
public class CliHelpJsonTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NotifierSpec.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("NotifierSpec.sln not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> CommandNames() => [.. Cli.Names];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Help_CMD_and_CMD_help_and_CMD_h_print_the_same_help_with_exit_codes(string name)
    {
        var (code, text, err) = Run("help", name);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.StartsWith("Description:\n", text);
        Assert.Contains($"\nUsage:\n  notifier {name} ", text);
        Assert.Contains("\nOptions:\n", text);
        Assert.Contains("\n  -h, --help", text);
        Assert.Contains("\nExit codes:\n", text);
        foreach (int c in Help.Exits[name]) Assert.Contains($"\n  {c,3}  {Help.Meaning(c)}\n", text);
        Assert.Equal((0, text, ""), Run(name, "--help"));
        Assert.Equal((0, text, ""), Run(name, "-h"));
    }

    [Fact]
    public void Check_h_is_help_not_a_file_name_and_help_wins_over_bad_options()
    {
        var (code, text, err) = Run("check", "-h");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("\nUsage:\n  notifier check [<SPEC.tla>] [options]\n", text);
        Assert.Contains("\n  --config <X.cfg>  ", text);
        Assert.Contains("\n  151  .cfg error\n", text);
        // help anywhere after the command, before the parser sees an unknown option or a bad value
        Assert.Equal((0, text, ""), Run("check", "--frobnicate", "--help"));
        Assert.Equal(0, Run("hammer", "--count", "0", "-h").Code);
    }

    [Fact]
    public void Help_of_an_unknown_command_is_one_line_exit_255()
    {
        Assert.Equal((255, "", "notifier: unknown command 'nope' (try: notifier --help)\n"), Run("help", "nope"));
        Assert.Equal((255, "", "notifier help: unexpected argument 'x'\n"), Run("help", "check", "x"));
    }

    [Fact]
    public void Top_level_help_lists_every_command_and_the_exit_code_table()
    {
        var (code, text, err) = Run("--help");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("\nUsage:\n  notifier [command] [options]\n", text);
        foreach (var c in Cli.Names) Assert.Contains($"\n  {c} ", text);
        Assert.Equal(Cli.Names.Order(), Help.Exits.Keys.Order());
        foreach (var (c, m) in Help.ExitCodeTable) Assert.Contains($"\n  {c,3}  {m}\n", text);
        Assert.Equal((0, text, ""), Run("help"));
        Assert.Equal((0, text, ""), Run("-h"));
        Assert.Equal(Run("help", "help"), Run("help", "--help")); // help's own help
        Assert.Equal((255, text, ""), Run()); // no command: the help, exit 255
    }

    [Fact]
    public void Version_is_the_informational_version_without_a_git_hash()
    {
        Assert.Equal((0, "notifier 1.0.0\n", ""), Run("--version"));
        Assert.Equal((255, "", "notifier: unexpected argument 'x' after --version\n"), Run("--version", "x"));
    }

    /// <summary>docs/exit-codes.md's table: code -> the commands that can return it ("all": every command).</summary>
    private static Dictionary<int, string[]> DocumentedExitCodes()
    {
        var rows = new Dictionary<int, string[]>();
        foreach (var line in File.ReadLines(Path.Combine(Root(), "docs", "exit-codes.md")))
        {
            var m = Regex.Match(line, @"^\| *([0-9]+) *\|.*\| ([^|]+) \|$");
            if (m.Success) rows[int.Parse(m.Groups[1].Value)] = m.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries).Select(c => c.Split(' ')[0]).ToArray();
        }
        return rows;
    }

    [Fact]
    public void Each_commands_help_lists_exactly_the_exit_codes_docs_exit_codes_md_gives_it()
    {
        var docs = DocumentedExitCodes();
        Assert.Equal(Help.ExitCodeTable.Select(e => e.Code).Order(), docs.Keys.Order());
        foreach (var (name, exits) in Help.Exits)
        {
            var documented = docs.Where(kv => kv.Value.Contains("all") || kv.Value.Contains(name)).Select(kv => kv.Key).Order().ToList();
            Assert.True(documented.SequenceEqual(exits.Order()), $"{name}: help lists {string.Join(",", exits.Order())}, docs/exit-codes.md {string.Join(",", documented)}");
        }
    }

    // ---- --json against docs/schemas ----

    private static JsonElement Conforming(string schema, string stdout) => JsonSchemas.Conforming(schema, stdout);

    private static string ScenarioTrace(string scenario)
    {
        var path = Path.Combine(Path.GetTempPath(), $"clijson-{Environment.ProcessId}-{scenario}.jsonl");
        Reference.TraceFile.Write(path, Reference.Scenarios.Find(scenario)!.Run().Session);
        return path;
    }

    [Fact]
    public void Check_json_of_one_spec_has_the_counts_and_no_TLC_text()
    {
        var spec = Path.Combine(Root(), "tla", "models", "MCFailInvalidatePageRange.tla");
        var (code, stdout, stderr) = Run("check", spec, "--workers", "1", "--json");
        Assert.Equal(12, code);
        Assert.Equal("", stderr);
        var r = Conforming("check", stdout);
        Assert.Equal(spec, r.GetProperty("spec").GetString());
        Assert.Equal(12, r.GetProperty("exit").GetInt32());
        Assert.Equal("safety", r.GetProperty("result").GetString());
        Assert.Equal("RangeCoversChange", r.GetProperty("violated").GetString());
        Assert.Equal(2, r.GetProperty("distinct").GetInt64());
        Assert.Equal(2, r.GetProperty("generated").GetInt64());
        Assert.Equal(2, r.GetProperty("depth").GetInt32());
        Assert.Equal(2, r.GetProperty("trace_length").GetInt32());
    }

    [Fact]
    public void Check_json_of_a_manifest_has_one_entry_per_model()
    {
        var models = Path.Combine(Root(), "tla", "models");
        var manifest = Path.Combine(Path.GetTempPath(), $"clijson-{Environment.ProcessId}-manifest.json");
        File.WriteAllText(manifest, JsonSerializer.Serialize(new
        {
            models = new object[]
            {
                new { name = "MCFailInvalidatePageRange", spec = Path.Combine(models, "MCFailInvalidatePageRange.tla"), config = Path.Combine(models, "MCFailInvalidatePageRange.cfg"),
                      result = "safety failure", violated = "RangeCoversChange", distinctStates = 2, stateDepth = 3, traceLength = 2 },
                new { name = "Skipped", spec = "x.tla", config = "x.cfg", ci = false, result = "success" },
            },
        }));
        var (code, stdout, stderr) = Run("check", "--manifest", manifest, "--workers", "1", "--json");
        File.Delete(manifest);
        Assert.Equal(12, code);
        Assert.Equal("", stderr);
        var r = Conforming("check-manifest", stdout);
        Assert.Equal(1, r.GetProperty("ran").GetInt32());
        Assert.Equal(0, r.GetProperty("as_recorded").GetInt32());
        var m = r.GetProperty("models");
        Assert.Equal("fail", m[0].GetProperty("status").GetString());
        Assert.Equal("stateDepth 2 (expected 3)", m[0].GetProperty("differences")[0].GetString());
        Assert.Equal("""{"name":"Skipped","status":"skip"}""", JsonSerializer.Serialize(m[1]));
    }

    [Fact]
    public void Check_bench_json_has_the_counts_for_one_and_two_workers()
    {
        var spec = Path.Combine(Root(), "tla", "models", "MCExitSafe.tla");
        var (code, stdout, stderr) = Run("check", "--bench", spec, "--json");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal("", stderr);
        var r = Conforming("check-bench", stdout);
        Assert.Equal(spec, r.GetProperty("spec").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("config").ValueKind);
        // tla/manifest.json: MCExitSafe, 1,411 distinct states, whatever the worker count
        Assert.Equal([(1, 1411L), (2, 1411L)], r.GetProperty("runs").EnumerateArray().Select(x => (x.GetProperty("workers").GetInt32(), x.GetProperty("distinct").GetInt64())));
        Assert.Equal(r.GetProperty("runs")[0].GetProperty("generated").GetInt64(), r.GetProperty("runs")[1].GetProperty("generated").GetInt64());
    }

    [Fact]
    public void Scenario_json_names_the_rule_each_scenario_breaks()
    {
        var (code, stdout, stderr) = Run("scenario", "anon_write", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var r = Conforming("scenario", stdout);
        Assert.Equal(1, r.GetProperty("as_expected").GetInt32());
        Assert.Equal(1, r.GetProperty("total").GetInt32());
        var s = r.GetProperty("scenarios")[0];
        Assert.Equal("anon_write", s.GetProperty("name").GetString());
        Assert.True(s.GetProperty("passed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("rule").ValueKind);
        Assert.Equal(0, s.GetProperty("failed_checks").GetArrayLength());
    }

    [Fact]
    public void Replay_json_of_an_accepted_trace()
    {
        var path = ScenarioTrace("anon_write");
        var (code, stdout, stderr) = Run("replay", path, "--json");
        File.Delete(path);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var r = Conforming("replay", stdout);
        Assert.Equal(path, r.GetProperty("file").GetString());
        Assert.Equal("accepted", r.GetProperty("verdict").GetString());
        Assert.Equal(16, r.GetProperty("lines").GetInt32());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("rule").ValueKind);
    }

    [Fact]
    public void Replay_json_of_a_malformed_trace_is_one_line_on_stderr_and_no_json()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clijson-{Environment.ProcessId}-bad.jsonl");
        File.WriteAllText(path, "{\"kind\":\"config\"\n");
        var (code, stdout, stderr) = Run("replay", path, "--json");
        File.Delete(path);
        Assert.Equal(255, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(path + ":1:", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Refine_json_of_a_scenario_trace_has_the_step_counts()
    {
        var path = ScenarioTrace("anon_write");
        var (code, stdout, stderr) = Run("refine", path, "--json");
        File.Delete(path);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var r = Conforming("refine", stdout);
        Assert.Equal("refines", r.GetProperty("verdict").GetString());
        Assert.Equal(16, r.GetProperty("lines").GetInt32());
        Assert.Equal(11, r.GetProperty("spec_steps").GetInt32());
        Assert.Equal(4, r.GetProperty("stutters").GetInt32());
        Assert.Equal(2, r.GetProperty("actions").GetProperty("pte_update[fill]").GetInt32());
    }

    [Fact]
    public void Validate_json_of_a_scenario_trace_is_accepted()
    {
        var path = ScenarioTrace("anon_write");
        var (code, stdout, stderr) = Run("validate", path, "--json");
        File.Delete(path);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal("", stderr);
        var r = Conforming("validate", stdout);
        Assert.Equal("accepted", r.GetProperty("verdict").GetString());
        Assert.Equal(0, r.GetProperty("exit").GetInt32());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("line").ValueKind);
        Assert.StartsWith($"{path}: accepted (16 lines, a behaviour of TraceNotifierSpec matches every line; ", r.GetProperty("message").GetString());
    }

    [Fact]
    public void Bench_reference_json_has_each_run_and_their_median()
    {
        var (code, stdout, stderr) = Run("bench-reference", "--steps", "3000", "--runs", "3", "--seed", "5", "--pages", "8", "--json");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal("", stderr);
        var r = Conforming("bench-reference", stdout);
        Assert.Equal((0, 3000, 5, 8, 2), (r.GetProperty("exit").GetInt32(), r.GetProperty("steps").GetInt32(), r.GetProperty("seed").GetInt32(), r.GetProperty("pages").GetInt32(), r.GetProperty("mirrors").GetInt32()));
        var runs = r.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], runs.Select(x => x.GetProperty("run").GetInt32()));
        Assert.Equal([5, 6, 7], runs.Select(x => x.GetProperty("seed").GetInt32()));
        Assert.All(runs, x => Assert.Equal(3000, x.GetProperty("steps").GetInt32()));
        Assert.Equal(runs.Select(x => x.GetProperty("steps_per_second").GetDouble()).Order().ElementAt(1), r.GetProperty("median_steps_per_second").GetDouble());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("violation").ValueKind);
    }

    [Fact]
    public void Hammer_json_of_a_short_campaign()
    {
        var (code, stdout, stderr) = Run("hammer", "--count", "20", "--batch", "10", "--workers", "1", "--seed", "7", "--json");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        var r = Conforming("hammer", stdout);
        Assert.Equal("campaign", r.GetProperty("mode").GetString());
        Assert.True(r.GetProperty("passed").GetBoolean());
        Assert.Equal(20, r.GetProperty("tests").GetInt64());
        Assert.Equal(7UL, r.GetProperty("seed").GetUInt64());
        Assert.Equal(1, r.GetProperty("workers").GetInt32());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("failure").ValueKind);
    }

    [Fact]
    public void Prove_json_of_a_failing_variant_has_its_counterexample_and_exit_12()
    {
        var (code, stdout, stderr) = Run("prove", "--variant", "unmap-at-end", "--json");
        Assert.Equal(12, code);
        Assert.Equal("", stderr);
        var r = Conforming("prove", stdout);
        Assert.Equal(12, r.GetProperty("exit").GetInt32());
        Assert.True(r.GetProperty("failed").GetBoolean());
        var run = Assert.Single(r.GetProperty("runs").EnumerateArray());
        Assert.Equal("unmap-at-end", run.GetProperty("variant").GetString());
        Assert.Equal("notifier prove --variant unmap-at-end", run.GetProperty("reproduce").GetString());
        Assert.Equal(r.GetProperty("queries").GetInt32(), run.GetProperty("queries").GetArrayLength());
        Assert.Contains(run.GetProperty("queries").EnumerateArray(), q => q.GetProperty("failed").GetBoolean() && q.GetProperty("report").GetString()!.Contains("NoStaleDeviceMapping"));
    }

    [Fact]
    public void Events_json_of_v7()
    {
        var (code, stdout, stderr) = Run("events", "--vocabulary", "v7", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var r = Conforming("events", stdout);
        Assert.Equal("v7", r.GetProperty("vocabulary").GetString());
        Assert.Equal(9, r.GetProperty("events").GetArrayLength());
        Assert.Equal("copy_page_range", r.GetProperty("call_sites")[0].GetProperty("call_site").GetString());
        Assert.Equal("MMU_FORK", r.GetProperty("call_sites")[0].GetProperty("event").GetString());
    }

    [Fact]
    public void Audit_json_of_the_planted_tree()
    {
        var tree = Path.Combine(Root(), "tests", "Reference.Tests", "audit-fixtures", "planted");
        var (code, stdout, stderr) = Run("audit", tree, "--vocabulary", "linux-7.2", "--json");
        Assert.Equal(12, code);
        Assert.Equal("", stderr);
        var r = Conforming("audit", stdout);
        Assert.Equal("linux-7.2", r.GetProperty("vocabulary").GetString());
        Assert.Equal(17, r.GetProperty("calls").GetInt32());
        Assert.Equal(135, r.GetProperty("differences").GetInt32());
        Assert.Equal(1, r.GetProperty("known").GetInt32());
        Assert.Equal(136, r.GetProperty("findings").GetArrayLength());
    }

    [Fact]
    public void Audit_found_json_of_the_planted_tree_is_every_call_in_file_and_line_order()
    {
        var tree = Path.Combine(Root(), "tests", "Reference.Tests", "audit-fixtures", "planted");
        var (code, stdout, stderr) = Run("audit", tree, "--found", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var calls = Conforming("audit-found", stdout).EnumerateArray().ToList();
        Assert.Equal(17, calls.Count); // audit --json of the same tree: 17 calls
        var order = calls.Select(c => (c.GetProperty("file").GetString()!, c.GetProperty("line").GetInt32())).ToList();
        Assert.Equal(order.OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2), order);
        // the text form names the same calls, a line each
        var (_, text, _) = Run("audit", tree, "--found");
        Assert.Equal(calls.Select(c => $"{c.GetProperty("file").GetString()}:{c.GetProperty("line").GetInt32()} {c.GetProperty("function").GetString()} {c.GetProperty("api").GetString()}"),
            text.TrimEnd('\n').Split('\n').Select(l => string.Join(' ', l.Split(' ').Take(3))));
    }
}

/// <summary>Opens the live-kernel VM (one per process): in the "live kernel" collection with KernelLiveCommandTests.</summary>
[Collection("live kernel")]
public class CliKernelJsonTests
{
    [Theory]
    [InlineData(new[] { "--pages", "1" }, "notifier kernel: option --pages: 1 is out of range [2, 1024]")]
    [InlineData(new[] { "--ops", "mmap 0 4 rw; bogus 1" }, "--ops:1:14: operation 2 'bogus 1': unknown operation (known: mmap munmap mprotect mremap mremap_dontunmap dontneed free host_read host_write guest_read guest_write fork child_read child_write clear_refs ksm uffd_register uffd_wp uffd_unregister uffd_move mmap_thp collapse migrate pageout mlock munlock)")]
    public void Kernel_json_of_bad_usage_is_an_error_verdict_with_the_stderr_line(string[] bad, string message)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(255, Cli.Run(["kernel", "--json", "--quiet", .. bad], o, e));
        Assert.Equal(message + "\n", e.ToString());
        var r = JsonSchemas.Conforming("kernel", o.ToString());
        Assert.Equal(("error", 255, message), (r.GetProperty("verdict").GetString(), r.GetProperty("exit").GetInt32(), r.GetProperty("message").GetString()));
        // the summary form does not take an error verdict: the schema's oneOf tells the two apart
        Assert.NotEmpty(JsonSchemas.Problems("kernel", "{\"verdict\":\"error\",\"exit\":12,\"message\":\"x\"}"));
    }

    [Fact]
    public void Kernel_json_of_a_short_sequence_or_the_one_line_without_kvm()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(["kernel", "--ops", "mmap 0 4 rw; host_write 1 42; guest_read 1; munmap 1 3; guest_read 1", "--pages", "4", "--vocabulary", "upstream", "--no-trace", "--quiet", "--json"], o, e);
        if (code == KernelCommand.NoKvm)
        {
            // the one line on stderr, and the error verdict with it on stdout
            Assert.StartsWith("notifier kernel: ", e.ToString());
            Assert.Single(e.ToString().TrimEnd('\n').Split('\n'));
            using var err = JsonDocument.Parse(o.ToString());
            Assert.Equal(("error", 30, e.ToString().TrimEnd('\n')), (err.RootElement.GetProperty("verdict").GetString(), err.RootElement.GetProperty("exit").GetInt32(), err.RootElement.GetProperty("message").GetString()));
            return;
        }
        Assert.True(code == 0, $"exit {code}: {o}{e}");
        var r = JsonSchemas.Conforming("kernel", o.ToString());
        Assert.Equal("no_mismatch", r.GetProperty("verdict").GetString());
        Assert.Equal(5, r.GetProperty("operations").GetInt64());
        Assert.Equal(1, r.GetProperty("sequences").GetInt32());
        Assert.Equal(4, r.GetProperty("pages").GetInt32());
        Assert.Equal("upstream", r.GetProperty("vocabulary").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("call_paths").ValueKind);
        Assert.Equal("--no-trace", r.GetProperty("call_paths_not_compared").GetString());
        Assert.Equal((0, 0, 0), (r.GetProperty("compactions").GetInt64(), r.GetProperty("migrated_pages").GetInt64(), r.GetProperty("migrated_unmodelled").GetInt64()));
    }
}

public class CliQuietTests
{
    [Fact]
    public void Prove_quiet_of_a_correct_vocabulary_prints_only_the_summary_line()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, Cli.Run(["prove", "--vocabulary", "v7", "--quiet"], o, e));
        Assert.Equal("", e.ToString());
        Assert.Matches(@"^[0-9]+ queries in [0-9.]+ s; slowest [0-9.]+ ms \(v7/correct: .*\)\n$", o.ToString());
    }
}

public class ProgressTests
{
    /// <summary>A Spectre console that says it is a terminal (ANSI, interactive, no colours), writing to err.</summary>
    private static Spectre.Console.IAnsiConsole Terminal(StringWriter err) => Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
    {
        Ansi = Spectre.Console.AnsiSupport.Yes, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        Interactive = Spectre.Console.InteractionSupport.Yes, Out = new Spectre.Console.AnsiConsoleOutput(err),
    });

    /// <summary>On a terminal (here a Spectre console that says it is one, over a writer): Spectre.Console's status
    /// display shows the last report (text and time) while the run lasts and is cleared, the cursor shown again, at its end;
    /// of the checker's lines only its Progress(N) lines are reports.</summary>
    [Fact]
    public void The_progress_line_shows_the_last_report_and_is_cleared_at_the_end()
    {
        var err = new StringWriter();
        var console = Terminal(err);
        int result = Progress.Run("contract", console, () => TimeSpan.FromSeconds(4), p =>
        {
            p.Report("2/3 vocabularies");
            using (var lines = p.CheckerLines())
            {
                lines.WriteLine("Running breadth-first search [x]");
                lines.Write("Progress(7): 10 states generated [x]\nProgress(8)");
            }
            return 42;
        });
        Assert.Equal(42, result);
        var text = err.ToString();
        Assert.StartsWith("\e[?25l", text); // the cursor hidden while the line is drawn
        // the spinner's frame (one of - \ | /) depends on the time since the display started
        Assert.Matches(@"[-\\|/] contract: Progress\(7\): 10 states generated \[x\] \(4 s\)\n", text);
        Assert.DoesNotContain("Running breadth-first", text);
        Assert.DoesNotContain("Progress(8)", text); // a line not ended is no report
        Assert.EndsWith("\e[2K\e[?25h", text); // cleared, the cursor shown
    }

    /// <summary>A long step with no report (audit's scan, refine's check) still shows its time going on: the line is
    /// redrawn at every tick (every second) with the last report and the clock's time. The test ticks itself: no clock.</summary>
    [Fact]
    public void The_progress_line_is_redrawn_every_second_with_the_last_report()
    {
        var err = new StringWriter();
        var console = Terminal(err);
        int reads = 0;
        Action? tick = null;
        bool disposed = false;
        Progress.Run("audit", console, () => TimeSpan.FromSeconds(reads++), p =>
        {
            p.Report("scanning TREE"); // drawn at 0 s
            tick!();                   // the ticks of 1 s and 2 s, no report since
            tick!();
            return 0;
        }, ticker: a => { tick = a; return new Disposer(() => disposed = true); });
        var text = err.ToString();
        foreach (int s in new[] { 0, 1, 2 })
            Assert.Matches(@$"[-\\|/] audit: scanning TREE \({s} s\)\n", text);
        Assert.Equal(3, reads);
        Assert.True(disposed); // the ticks stop with the run
    }

    private sealed class Disposer(Action onDispose) : IDisposable { public void Dispose() => onDispose(); }

    [Fact]
    public void Quiet_or_a_writer_that_is_not_the_terminal_gets_no_progress()
    {
        var err = new StringWriter();
        foreach (bool quiet in new[] { true, false }) // a test's writer is not the process's stderr
            Assert.Equal(7, Progress.Run("validate", err, quiet, p =>
            {
                p.Report("x");
                Assert.Same(TextWriter.Null, p.CheckerLines());
                return 7;
            }));
        Assert.Equal("", err.ToString());
    }
}

public class CliMoreJsonTests
{
    private static JsonElement Conforming(string schema, string stdout) => JsonSchemas.Conforming(schema, stdout);

    [Fact]
    public void Hammer_json_of_one_mutant_names_the_property_that_kills_it()
    {
        var o = new StringWriter();
        Assert.Equal(0, Cli.Run(["hammer", "--mutant", "UnmapAtEnd", "--count", "30", "--workers", "1", "--json"], o, new StringWriter()));
        var r = Conforming("hammer", o.ToString());
        Assert.Equal("mutants", r.GetProperty("mode").GetString());
        Assert.Equal(30, r.GetProperty("tests_per_cell").GetInt32());
        Assert.Equal(1, r.GetProperty("killed").GetInt32());
        Assert.Equal(1, r.GetProperty("total").GetInt32());
        var cell = r.GetProperty("mutants")[0].GetProperty("cells")[0];
        Assert.Equal("RulesHold", cell.GetProperty("property").GetString());
        Assert.Equal("NoStaleDeviceMapping", cell.GetProperty("reason").GetString());
    }

    [Fact]
    public void Scenario_list_json_is_every_scenario_with_its_origin()
    {
        var o = new StringWriter();
        Assert.Equal(0, Cli.Run(["scenario", "--list", "--json"], o, new StringWriter()));
        var r = Conforming("scenario-list", o.ToString());
        Assert.Equal(Reference.Scenarios.All.Select(s => s.Name), r.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(Reference.Scenarios.All.Select(s => s.Origin), r.EnumerateArray().Select(e => e.GetProperty("origin").GetString()));
    }
}
