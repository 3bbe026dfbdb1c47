using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NotifierSpec.Reference;
using Xunit;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli.Tests;

/// <summary>
/// One validity check for traces (reference/TraceCheck) shared by `notifier replay`, `validate` and
/// `refine` (issue 11): each bad trace is refused by all three with the same one line on stderr
/// (file:line:col: message) and the same exit code: 255 malformed, 21 incomplete.
/// </summary>
public class TraceInputTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    internal static List<string> ScenarioLines(string name)
    {
        var w = new StringWriter();
        TraceFile.Write(w, Scenarios.Find(name)!.Run().Session);
        return w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static string Write(string name, IEnumerable<string> lines)
    {
        string dir = Directory.CreateTempSubdirectory("trace-input").FullName;
        string path = Path.Combine(dir, name + ".jsonl");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static string Config(List<string> l, Action<JsonObject> edit)
    {
        var o = JsonNode.Parse(l[0])!.AsObject();
        edit(o);
        return o.ToJsonString();
    }

    private static int Index(List<string> l, string text) => l.FindIndex(x => x.Contains(text, StringComparison.Ordinal));

    private static List<string> ReplaceAt(List<string> l, int i, string line) => [.. l.Take(i), line, .. l.Skip(i + 1)];

    /// <summary>name -> (trace, expected message after "malformed trace: ", expected line:col).</summary>
    public static TheoryData<string> MalformedCases() => new(Malformed().Keys);

    private static Dictionary<string, (List<string> Lines, string Position, string Message)> Malformed()
    {
        var l = ScenarioLines("anon_read");
        var t = ScenarioLines("anon_teardown");
        int mmap = Index(l, "\"op\":\"mmap\""), page = Index(l, "\"page\":"), ev = Index(t, "\"event\":");
        string mirror0 = JsonNode.Parse(l[0])!["mirrors"]![0]!.ToJsonString();
        // the column is where the offending field's name starts in the line (or the key's second occurrence)
        static string At(int line, string text, string key) => $"{line}:{text.IndexOf($"\"{key}\"", StringComparison.Ordinal) + 1}";
        (List<string>, string, string) Cfg(Action<JsonObject> edit, string key, string message)
        {
            string c = Config(l, edit);
            return (ReplaceAt(l, 0, c), At(1, c, key), message);
        }
        string dupKey = l[3][..^1] + ",\"op\":\"x\"}", extra = l[5][..^1] + ",\"zzz\":1}";
        return new()
        {
            ["prot rwx"] = (ReplaceAt(l, mmap, l[mmap].Replace("\"prot\":\"rw\"", "\"prot\":\"rwx\"")), At(mmap + 1, l[mmap], "prot"), "field 'prot': unknown value 'rwx' (expected none, r, rw)"),
            ["page zero"] = (ReplaceAt(l, page, Regex.Replace(l[page], "\"page\":\\d+", "\"page\":\"zero\"")), At(page + 1, l[page], "page"), "field 'page': expected an integer, got the string \"zero\""),
            ["page null"] = (ReplaceAt(l, page, Regex.Replace(l[page], "\"page\":\\d+", "\"page\":null")), At(page + 1, l[page], "page"), "field 'page': expected an integer, got null"),
            ["page out of range"] = (ReplaceAt(l, page, Regex.Replace(l[page], "\"page\":\\d+", "\"page\":16")), At(page + 1, l[page], "page"), "field 'page': 16 is out of range [0, 15]"),
            ["huge page size 0"] = Cfg(o => o["huge_page_size"] = 0, "huge_page_size", "field 'huge_page_size': 0 is out of range [1, 16]"),
            ["fault chunk 0"] = Cfg(o => o["mirrors"]![0]!["fault_chunk"] = 0, "fault_chunk", "field 'fault_chunk': 0 is out of range [1, 16]"),
            ["unknown reaction"] = Cfg(o => o["mirrors"]![0]!["policy"]!["default"] = "explode", "default", "field 'policy.default': unknown reaction 'explode' (unmap, write-protect, ignore, consult-vma)"),
            ["unknown event in a policy"] = Cfg(o => o["mirrors"]![0]!["policy"]!["reactions"]!["MMU_BOGUS"] = "unmap", "reactions", "field 'policy.reactions': unknown event 'MMU_BOGUS'"),
            ["numeric event in a policy"] = Cfg(o => o["mirrors"]![0]!["policy"]!["reactions"]!["3"] = "unmap", "reactions", "field 'policy.reactions': unknown event '3'"),
            ["unknown event in a step"] = (ReplaceAt(t, ev, Regex.Replace(t[ev], "\"event\":\"[A-Z_]+\"", "\"event\":\"MMU_BOGUS\"")), At(ev + 1, t[ev], "event"), "field 'event': unknown value 'MMU_BOGUS'"),
            ["unknown mutant"] = Cfg(o => o["mutants"] = new JsonArray("NoSuchMutant"), "mutants", "field 'mutants': unknown mutant 'NoSuchMutant'"),
            ["two mirrors with one name"] = Cfg(o => o["mirrors"]!.AsArray().Add(JsonNode.Parse(mirror0)), "name", "field 'mirrors.name': two mirrors named 'dev0'"),
            ["unknown config field"] = Cfg(o => o["color"] = "blue", "color", "field 'color': unknown field (expected kind, pages, huge_page_size, frames, vocabulary, mirrors, mutants, huge_zero_page, madvise_free_split, mremap_break_ksm, ksm_write_copies, pte_folio_split, mm_forbids_zeropage, nested_folio_split)"),
            ["unknown mirror field"] = Cfg(o => o["mirrors"]![0]!["colour"] = 1, "colour", "field 'mirrors.colour': unknown field (expected name, kind, policy, skip_read_retry, read_retry_outside_lock, fault_chunk, span, exclusive_owner_null)"),
            ["pages 2^31"] = Cfg(o => o["pages"] = 2147483648L, "pages", "field 'pages': 2147483648 is out of range [1, 4096]"),
            ["pages 2^40"] = Cfg(o => o["pages"] = 1L << 40, "pages", "field 'pages': 1099511627776 is out of range [1, 4096]"),
            ["frames 2^20"] = Cfg(o => o["frames"] = 1 << 20, "frames", "field 'frames': 1048576 is out of range [2, 16384]"),
            ["17 mirrors"] = Cfg(o => o["mirrors"] = new JsonArray(Enumerable.Range(0, 17).Select(i => (JsonNode?)new JsonObject { ["name"] = $"d{i}", ["kind"] = "interval" }).ToArray()), "mirrors", "field 'mirrors': 17 mirrors, more than 16"),
            ["unknown line field"] = (ReplaceAt(l, 5, extra), At(6, extra, "zzz"), "field 'zzz': not a field of step 'cpu_write' (its fields: frame, page, value)"),
            ["blank line"] = ([.. l.Take(5), "", .. l.Skip(5)], "6:1", "empty line"),
            ["duplicated key"] = (ReplaceAt(l, 3, dupKey), $"4:{dupKey.LastIndexOf("\"op\"", StringComparison.Ordinal) + 1}", "invalid JSON: the key 'op' appears twice in the object"),
        };
    }

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Replay_validate_and_refine_refuse_a_malformed_trace_with_the_same_line_and_exit_255(string name)
    {
        var (lines, position, message) = Malformed()[name];
        string path = Write(name.Replace(' ', '_'), lines);
        string expected = $"{path}:{position}: malformed trace: {message}";
        foreach (var cmd in new[] { "replay", "validate", "refine" })
        {
            var (code, stdout, stderr) = Run(cmd, path);
            Assert.Equal((cmd, 255, "", expected), (cmd, code, stdout, stderr.TrimEnd('\n')));
        }
    }

    [Fact]
    public void Invalid_utf8_is_malformed_input_at_its_byte_not_a_replacement_character()
    {
        var l = ScenarioLines("anon_read");
        string path = Write("utf8", l.Take(3));
        byte[] bad = [.. Encoding.UTF8.GetBytes(l[3][..^2]), 0xFF, 0xFE, .. "\"}\n"u8.ToArray()];
        File.AppendAllText(path, "");
        using (var f = File.Open(path, FileMode.Append)) f.Write(bad);
        int col = l[3].Length - 1;
        foreach (var cmd in new[] { "replay", "validate", "refine" })
        {
            var (code, _, stderr) = Run(cmd, path);
            Assert.Equal((cmd, 255, $"{path}:4:{col}: malformed trace: invalid UTF-8: byte 0xFF at byte {col} of the line"), (cmd, code, stderr.TrimEnd('\n')));
        }
    }

    [Fact]
    public void A_line_over_the_bound_is_refused_at_the_bound_without_reading_it_whole()
    {
        var l = ScenarioLines("anon_read");
        string path = Write("long", l.Take(1));
        using (var w = new StreamWriter(path, append: true))
        {
            w.Write(l[1][..^1] + ",\"zzz\":\"");
            var chunk = new string('a', 1 << 16);
            for (int i = 0; i < 64; i++) w.Write(chunk); // 4 MB
            w.Write("\"}\n");
        }
        foreach (var cmd in new[] { "replay", "validate", "refine" })
        {
            var (code, _, stderr) = Run(cmd, path);
            Assert.Equal((cmd, 255, $"{path}:2:{TraceLimits.MaxLineBytes + 1}: malformed trace: line longer than {TraceLimits.MaxLineBytes} bytes"), (cmd, code, stderr.TrimEnd('\n')));
        }
    }

    [Fact]
    public void A_directory_is_not_a_trace_and_is_said_so()
    {
        string dir = Directory.CreateTempSubdirectory("trace-dir").FullName;
        foreach (var cmd in new[] { "replay", "validate", "refine" })
        {
            var (code, _, stderr) = Run(cmd, dir);
            Assert.Equal((cmd, 255, $"{dir}:1:1: cannot read {dir}: it is a directory"), (cmd, code, stderr.TrimEnd('\n')));
        }
    }

    public static TheoryData<string, string, string> IncompleteCases() => new()
    {
        // scenario, the line the trace is cut after, what is still open
        { "anon_teardown", "\"op\":\"invalidate_range_start\"", "cpu's munmap (begun at line 13, after invalidate_range_start of [2, 4) without its invalidate_range_end); dev0's device_read (begun at line 7)" },
        { "anon_read", "\"op\":\"device_lock\"", "dev0's device_read (begun at line 13, holding device_lock)" },
        { "anon_write", "\"op\":\"mmap\"", "cpu's mmap (begun at line 2)" },
    };

    [Theory]
    [MemberData(nameof(IncompleteCases))]
    public void A_trace_that_stops_inside_an_operation_is_incomplete_exit_21_unless_allowed(string scenario, string cutAfter, string open)
    {
        var l = ScenarioLines(scenario);
        int cut = Index(l, cutAfter);
        string path = Write(scenario + "-cut", l.Take(cut + 1));
        foreach (var cmd in new[] { "replay", "validate", "refine" })
        {
            var (code, _, stderr) = Run(cmd, path);
            Assert.Equal((cmd, 21, $"{path}:{cut + 1}:1: incomplete trace: the trace ends inside an operation: {open} (--allow-incomplete accepts it)"), (cmd, code, stderr.TrimEnd('\n')));
        }
        var (rc, rout, _) = Run("replay", path, "--allow-incomplete");
        Assert.Equal((0, $"{path}: accepted ({cut + 1} lines, all rules hold)"), (rc, rout.Trim()));
        Assert.Equal(0, Run("validate", path, "--allow-incomplete").Code);
    }

    [Fact]
    public void Every_scenario_trace_and_random_reference_runs_pass_the_shared_check()
    {
        foreach (var s in Scenarios.All)
        {
            var lines = ScenarioLines(s.Name);
            var r = TraceCheck.Lines(lines);
            Assert.True(r.Validity == TraceValidity.Valid, $"{s.Name}: {r.Line}:{r.Column}: {r.Message}");
        }
        // random runs reach every line shape the reference writes (refused calls, EAGAIN, EBUSY, exits...)
        var cfg = new MmConfig(8, 4, 32, NotifierSpec.Reference.Vocabulary.Upstream, [new MirrorConfig("dev0", Policy: Policy.Hmm), new MirrorConfig("dev1", MirrorKind.Mm), new MirrorConfig("iommu0", MirrorKind.SecondaryTlb)]);
        for (int seed = 1; seed <= 40; seed++)
        {
            var session = RandomRun.Run(cfg, seed, 400, record: true, allowExit: seed % 4 == 0);
            var w = new StringWriter();
            TraceFile.Write(w, session);
            var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var r = TraceCheck.Lines(lines, allowIncomplete: true);
            Assert.True(r.Validity == TraceValidity.Valid, $"seed {seed}: {r.Line}:{r.Column}: {r.Message}");
        }
    }

    [Fact]
    public void Validate_says_which_config_value_the_spec_does_not_accept_instead_of_a_false_assumption()
    {
        var l = ScenarioLines("anon_write");
        string cfg = Config(l, o => o["frames"] = 8);
        string path = Write("frames", [cfg, .. l.Skip(1)]);
        var (code, _, stderr) = Run("validate", path);
        Assert.Equal(20, code);
        Assert.Equal($"{path}:1:{cfg.IndexOf("\"frames\"", StringComparison.Ordinal) + 1}: field 'frames': 8 frames for 16 pages: the spec needs at least one frame per page (tla/NotifierSpec.tla ASSUME Pages \\subseteq Frames): outside the spec", stderr.TrimEnd('\n'));
        Assert.DoesNotContain("Assumption", stderr);
    }

    [Theory]
    [InlineData("anon_read", "mmu_interval_read_retry", "result")]
    [InlineData("anon_teardown", "tlb_flush", "start")]
    [InlineData("anon_teardown", "tlb_flush", "end")]
    public void A_coarser_line_that_replay_allows_is_outside_the_trace_spec_for_validate_not_malformed(string scenario, string op, string field)
    {
        // found by the trace fuzzer (TraceFuzz, "remove field"): validate said "malformed" (255) and then
        // "could not be evaluated" (75; TLA+ prints record fields in any order) where replay accepts
        var l = ScenarioLines(scenario);
        int at = Index(l, $"\"op\":\"{op}\"");
        var o = JsonNode.Parse(l[at])!.AsObject();
        Assert.True(o.Remove(field));
        string coarse = o.ToJsonString();
        string path = Write("coarse", ReplaceAt(l, at, coarse));
        Assert.Equal(0, Run("replay", path).Code);
        var (code, _, stderr) = Run("validate", path);
        Assert.Equal((20, $"{path}:{at + 1}:{coarse.IndexOf("\"op\"", StringComparison.Ordinal) + 1}: field '{field}' left out of a step '{op}' line: the trace spec reads it (a coarser trace is outside the spec)"),
            (code, stderr.TrimEnd('\n')));
    }

    [Theory]
    [InlineData("skip_read_retry")]
    [InlineData("read_retry_outside_lock")]
    public void A_mirror_flag_left_to_its_default_is_outside_the_trace_spec_for_validate(string flag)
    {
        var l = ScenarioLines("anon_write");
        string cfg = Config(l, o => o["mirrors"]![0]!.AsObject().Remove(flag));
        string path = Write("noflag", [cfg, .. l.Skip(1)]);
        Assert.Equal(0, Run("replay", path).Code);
        var (code, _, stderr) = Run("validate", path);
        Assert.Equal((20, $"{path}:1:{cfg.IndexOf("\"mirrors\"", StringComparison.Ordinal) + 1}: field 'mirrors.{flag}' left out of the config line: the trace spec reads it (give it explicitly; a default is outside the spec)"),
            (code, stderr.TrimEnd('\n')));
    }

    [Fact]
    public void A_missing_config_size_is_said_missing()
    {
        var l = ScenarioLines("anon_write");
        string path = Write("nohuge", [Config(l, o => o.Remove("huge_page_size")), .. l.Skip(1)]);
        foreach (var cmd in new[] { "replay", "validate", "refine" })
            Assert.Equal((cmd, 255, $"{path}:1:1: malformed trace: field 'huge_page_size': missing (an integer in [1, 16])"), (cmd, Run(cmd, path).Code, Run(cmd, path).Err.TrimEnd('\n')));
    }
}
