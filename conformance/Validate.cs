using System.Text;
using System.Text.Json.Nodes;
using NotifierSpec.Checker;

namespace NotifierSpec.Conformance;

/// <summary>
/// `notifier validate`: trace validation of a reference trace
/// against the TLA+ spec (tla/trace/TraceNotifierSpec.tla, CCF's Trace* approach). The checker explores
/// TraceSpec (one worker, BFS); the trace is accepted iff some behaviour matches every line (the invariant
/// TraceNotAccepted fails). Otherwise the first unmatched line is 1 + the largest line count any reachable
/// state reached, reported with its text, the spec action it maps to, and the spec state before it.
/// Verdicts: accepted, rejected, outside the spec (a row of Coverage, the spec's ASSUME on the config, or a field the
/// spec reads left out),
/// incomplete, the trace spec could not be evaluated, malformed (reference/TraceCheck, as replay and refine).
/// </summary>
public static partial class TraceChecks
{
    /// <summary>Finds tla/trace/TraceNotifierSpec.tla above the working directory or the program's folder.</summary>
    public static string FindSpec()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "tla", "trace", "TraceNotifierSpec.tla");
                if (File.Exists(p)) return p;
            }
        return Path.Combine("tla", "trace", "TraceNotifierSpec.tla");
    }

    public static TraceVerdict Validate(string path, string? specPath = null, bool allowIncomplete = false, TextWriter? progress = null,
        IReadOnlyList<CoverageRow>? coverage = null)
    {
        // the trace format first, as replay and refine read it (reference/TraceCheck)
        if (TraceInput.Check(TraceCheckKind.Validate, path, allowIncomplete, false, out _) is { } refused) return refused;
        var interner = new Interner();
        List<(int Line, string Text, Value Value)> lines;
        try { lines = JsonLines.Read(path, interner); }
        catch (JsonLinesError e) { return V(VerdictKind.Malformed, e.Line, e.ToString(), null, 0, 0); }
        if (lines.Count == 0) return V(VerdictKind.Malformed, 1, $"{path}:1:1: empty trace (line 1 must be the config line)", null, 0, 0);
        if (SpecBounds(path, lines[0]) is { } bounds) return V(VerdictKind.OutsideSpec, lines[0].Line, bounds, null, 0, 0);
        if (Coverage.Outside(CoverageCheck.Validate, path, coverage) is { } o) return V(VerdictKind.OutsideSpec, o.Line, $"{path}:{o.Line}: {o.Why}: outside the spec (conformance/Coverage.cs, tla/README.md)", null, 0, 0);

        specPath ??= FindSpec();
        var env = new Dictionary<string, string> { ["NOTIFIER_TRACE"] = Path.GetFullPath(path) };
        TlaSpec spec;
        try { spec = TlaSpec.Load(specPath, Path.ChangeExtension(specPath, ".cfg"), TextWriter.Null, env); }
        catch (TlaError e) { return V(VerdictKind.Malformed, null, e.ToString().Replace('\n', ' '), null, 0, 0); }
        catch (EvalError e) { return NotFitting(path, lines, e.Message, 0, 0); }
        // what validate shows comes from the trace spec (TraceLine, LineAction, TraceAlias), not from a copy of it
        if (Definition(spec, "TraceLine", 0) is not { } traceLine || Definition(spec, "LineAction", 1) is not { } lineAction
            || Definition(spec, "TraceAlias", 0) is not { } alias)
            return V(VerdictKind.Malformed, null, $"{specPath}:1:1: the trace spec does not define TraceLine, LineAction(i) and TraceAlias", null, 0, 0);
        long LineOf(Value[] st) => Eval(spec, traceLine, st) is IntV n ? n.N : 0;
        var mc = new ModelChecker(spec, new CheckOptions
        {
            Workers = 1, NoDeadlock = true, Coverage = false,
            Out = progress ?? TextWriter.Null, ProgressEvery = TimeSpan.FromSeconds(2),
            Score = LineOf,
        });
        var r = mc.Run();
        // the file's line numbers (blank lines are skipped by ndJsonDeserialize)
        int FileLine(long idx) => idx >= 1 && idx <= lines.Count ? lines[(int)idx - 1].Line : lines[^1].Line + 1;
        switch (r.Outcome)
        {
            case Outcome.Safety when r.Violated == "TraceNotAccepted":
                return V(VerdictKind.Accepted, null, $"{path}: accepted ({lines.Count} lines, a behaviour of TraceNotifierSpec matches every line; {r.Distinct} states, {r.Seconds:F2}s)", null, r.Seconds, r.Distinct)
                    with { LineActionDifferences = LineActionDifferences(spec, lineAction, r.Trace ?? [], LineOf, FileLine) };
            case Outcome.Success when r.Best is { Count: > 0 } best:
            {
                long next = r.BestScore;
                int idx = (int)next;
                var (fileLine, text, val) = lines[idx - 1];
                var sb = new StringBuilder();
                sb.AppendLine($"  line {fileLine}: {text}");
                sb.AppendLine($"  maps to: {Show(Eval(spec, lineAction, best[^1].State, IntV.Of(idx)))}");
                sb.AppendLine($"  the behaviour that matched lines 1..{FileLine(idx - 1)} ({best.Count - 1} steps) ends with:");
                foreach (var st in best.Skip(Math.Max(1, best.Count - 4)))
                    sb.AppendLine($"    line {FileLine(LineOf(st.State) - 1)}: {ActionName(st.Action)}");
                sb.AppendLine("  spec state before the line (TraceAlias of the trace spec: pages and frames in reference numbering):");
                if (Eval(spec, alias, best[^1].State) is FcnBase shown)
                    for (int k = 0; k < shown.Count; k++) sb.AppendLine($"    {Show(shown.KeyAt(k))} = {NotifierSpec.Checker.Show.V(shown.ValAt(k))}");
                return V(VerdictKind.Rejected, fileLine, $"{path}:{fileLine}: rejected: no behaviour of the spec matches this line ({next - 1} lines matched)", sb.ToString(), r.Seconds, r.Distinct);
            }
            default:
                return NotFitting(path, lines, r.Message ?? r.Outcome.ToString(), r.Seconds, r.Distinct);
        }
    }

    private static TraceVerdict V(VerdictKind kind, int? line, string message, string? detail, double seconds, long states) =>
        new(TraceCheckKind.Validate, kind, line, message, detail) { Seconds = seconds, States = states };

    private static readonly System.Text.RegularExpressions.Regex MissingField =
        new(@"nonexistent field '([a-z_]+)' of record \[(.*)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static string? RecordField(string record, string field)
    {
        var m = System.Text.RegularExpressions.Regex.Match(record, $@"(?:^|, ){field} \|-> ""([a-z_]+)""");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>
    /// The trace spec could not evaluate a well-formed trace (it passed reference/TraceCheck). A line that leaves out a
    /// field the trace spec reads (a coarser trace, which replay allows; a mirror flag left to its default) is outside
    /// the spec (exit 20) at that line; anything else is an evaluation failure of the spec (exit 75), never "malformed".
    /// </summary>
    private static TraceVerdict NotFitting(string path, List<(int Line, string Text, Value Value)> lines, string message, double secs, long states)
    {
        message = message.Replace('\n', ' ');
        var m = MissingField.Match(message);
        if (m.Success && lines.Count > 0)
        {
            string field = m.Groups[1].Value, record = m.Groups[2].Value;
            string? kind = RecordField(record, "kind"), op = RecordField(record, "op");
            if (kind is "call" or "step" && op is not null)
                foreach (var (n, text, v) in lines.Skip(1))
                    if (S(v, "kind") == kind && S(v, "op") == op && F(v, field) is null)
                        return V(VerdictKind.OutsideSpec, n, $"{path}:{n}:{NotifierSpec.Reference.Replay.Col(text, "op")}: field '{field}' left out of a {kind} '{op}' line: the trace spec reads it (a coarser trace is outside the spec)", null, secs, states);
            if (kind is "interval" or "mm" or "invalidate_page" or "secondary_tlb")
                return V(VerdictKind.OutsideSpec, lines[0].Line, $"{path}:{lines[0].Line}:{NotifierSpec.Reference.Replay.Col(lines[0].Text, "mirrors")}: field 'mirrors.{field}' left out of the config line: the trace spec reads it (give it explicitly; a default is outside the spec)", null, secs, states);
        }
        return V(VerdictKind.EvalFailure, null, $"{path}:1:1: the trace spec could not be evaluated on this trace: {message}", null, secs, states);
    }

    // "<IsStart(...) line 167, col 5 to ... of module TraceNotifierSpec>" -> "IsStart(...)"
    private static string ActionName(string a)
    {
        a = a.Trim('<', '>');
        int cut = a.IndexOf(" line ", StringComparison.Ordinal);
        return cut > 0 ? a[..cut] : a;
    }

    private static Value? F(Value rec, string field) =>
        rec is FcnBase f ? Enumerable.Range(0, f.Count).Where(i => f.KeyAt(i) is StrV s && s.S == field).Select(f.ValAt).FirstOrDefault() : null;
    private static string? S(Value rec, string field) => F(rec, field) is StrV s ? s.S : null;

    /// <summary>What the trace spec assumes of the config line beyond the trace format (tla/NotifierSpec.tla's
    /// ASSUME Pages \subseteq Frames), said as the config value it is about rather than as a false assumption.</summary>
    private static string? SpecBounds(string path, (int Line, string Text, Value Value) cfg)
    {
        if (F(cfg.Value, "pages") is IntV p && F(cfg.Value, "frames") is IntV f && f.N < p.N)
            return $"{path}:{cfg.Line}:{NotifierSpec.Reference.Replay.Col(cfg.Text, "frames")}: field 'frames': {f.N} frames for {p.N} pages: the spec needs at least one frame per page (tla/NotifierSpec.tla ASSUME Pages \\subseteq Frames): outside the spec";
        return null;
    }

    /// <summary>Where the trace spec's LineAction disagrees with the action its TraceNext took in the behaviour that
    /// matched every line: "line N: LineAction says X, TraceNext took Y" (none when the two agree).</summary>
    private static List<string> LineActionDifferences(TlaSpec spec, OpDef lineAction, List<TraceStep> behaviour, Func<Value[], long> lineOf, Func<long, int> fileLine)
    {
        var differences = new List<string>();
        for (int k = 1; k < behaviour.Count; k++)
        {
            long line = lineOf(behaviour[k - 1].State);
            string said = Show(Eval(spec, lineAction, behaviour[k - 1].State, IntV.Of(line)));
            string took = ActionName(behaviour[k].Action);
            string Head(string a) => a.Split(' ', '(')[0];
            if (Head(said) != Head(took)) differences.Add($"line {fileLine(line)}: LineAction says {Head(said)}, TraceNext took {Head(took)}");
        }
        return differences;
    }

    /// <summary>A definition of the trace spec's root module with `arity` arguments, or null.</summary>
    public static OpDef? Definition(TlaSpec spec, string name, int arity) =>
        spec.Root.Top.Find(name) is DefSym { D: var d } && d.Params.Length == arity ? d : null;

    /// <summary>Evaluates a definition of the trace spec in a state (arguments as values).</summary>
    public static Value Eval(TlaSpec spec, OpDef def, Value[] state, params Value[] args) =>
        new OpCall(def, args.Select(a => (Node)new Lit(a) { Loc = def.Loc }).ToArray()) { Loc = def.Loc, Level = def.Body!.Level }
            .Eval(new Ctx(spec) { Cur = state }, null);

    /// <summary>A string value as its text, anything else as TLA+.</summary>
    private static string Show(Value v) => v is StrV s ? s.S : NotifierSpec.Checker.Show.V(v);
}
