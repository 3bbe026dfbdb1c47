using System.Text;
using Microsoft.Z3;

namespace NotifierSpec.Spec;

/// <summary>
/// Turns a Z3 model into readable text: elements named p0.. (pages), f0.. (frames), d0..
/// (devices), i0.. (invalidations); a state as one line per page, frame set, device, device
/// PTE, snapshot and begun invalidation; steps named after the kernel function (action).
/// </summary>
public sealed class Render
{
    private readonly Model _m;
    private readonly Microsoft.Z3.Model _z;
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<Sort, Expr[]> _universe = [];

    public Render(Model m, Microsoft.Z3.Model z)
    {
        if (Cycle(z) is { } cycle)
            throw new SpecException($"spec: Z3 gave a model whose definitions are cyclic ({string.Join(" -> ", cycle)}); not evaluated (evaluation would not end: docs/spec.md, \"Z3 on Linux\")");
        _m = m;
        _z = z;
        Name(m.S.Page, "p");
        Name(m.S.Frame, "f");
        Name(m.S.Dev, "d");
        Name(m.S.Inv, "i");
    }

    private void Name(Sort sort, string prefix)
    {
        Expr[] u;
        if (_m.Bounds is not null) u = _m.Elements(sort);
        else try { u = _z.SortUniverse(sort) ?? []; } catch (Z3Exception) { u = []; }
        _universe[sort] = u;
        for (int k = 0; k < u.Length; k++) _names[u[k].ToString()] = prefix + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A cycle among the model's definitions (a constant or function whose interpretation refers, through other
    /// interpretations, to itself), as names from the first back to it; null when there is none. Model.Eval expands
    /// definitions, so on a cyclic model it may never return (4.8.12 gives such models: Prover.SolverOptions).
    /// </summary>
    public static List<string>? Cycle(Microsoft.Z3.Model z)
    {
        var defs = new Dictionary<uint, (FuncDecl Decl, List<Expr> Bodies)>();
        foreach (var f in z.ConstDecls) defs[f.Id] = (f, [z.ConstInterp(f)]);
        foreach (var f in z.FuncDecls)
        {
            var fi = z.FuncInterp(f);
            defs[f.Id] = (f, [fi.Else, .. fi.Entries.SelectMany(e => e.Args.Append(e.Value))]);
        }
        // the defined symbols each definition mentions (as-array names its function)
        var uses = new Dictionary<uint, HashSet<uint>>();
        foreach (var (id, (_, bodies)) in defs)
        {
            var used = new HashSet<uint>();
            var seen = new HashSet<uint>();
            var todo = new Stack<Expr>(bodies.Where(b => b is not null));
            while (todo.Count > 0)
            {
                var e = todo.Pop();
                if (!seen.Add(e.Id)) continue;
                if (e is Quantifier q) { todo.Push(q.Body); continue; }
                if (!e.IsApp) continue;
                var d = e.FuncDecl;
                if (defs.ContainsKey(d.Id)) used.Add(d.Id);
                foreach (var p in d.Parameters)
                    if (p.ParameterKind == Z3_parameter_kind.Z3_PARAMETER_FUNC_DECL && defs.ContainsKey(p.FuncDecl.Id)) used.Add(p.FuncDecl.Id);
                foreach (var a in e.Args) todo.Push(a);
            }
            uses[id] = used;
        }
        // depth-first: a use of a symbol still on the path closes a cycle
        var state = new Dictionary<uint, int>();
        var path = new List<uint>();
        List<string>? Visit(uint id)
        {
            if (state.TryGetValue(id, out var st))
                return st == 1 ? path.Skip(path.IndexOf(id)).Append(id).Select(x => defs[x].Decl.Name is IntSymbol n ? $"k!{n.Int}" : defs[x].Decl.Name.ToString()).ToList() : null;
            state[id] = 1;
            path.Add(id);
            foreach (var u in uses[id].Order())
                if (Visit(u) is { } c) return c;
            path.RemoveAt(path.Count - 1);
            state[id] = 2;
            return null;
        }
        foreach (var id in defs.Keys.Order())
            if (Visit(id) is { } c) return c;
        return null;
    }

    private Expr Eval(Expr e) => _z.Eval(e, true);
    private bool True(Expr e) => Eval(e).IsTrue;
    private string Show(Expr e)
    {
        var v = Eval(e);
        if (v.IsTrue) return "true";
        if (v.IsFalse) return "false";
        var s = v.ToString();
        return _names.TryGetValue(s, out var n) ? n : s;
    }

    private Expr[] U(Sort s) => _universe[s];

    private string ShowRange(Expr rangeArray)
    {
        var pages = U(_m.S.Page).Where(p => True(_m.Ctx.MkSelect((ArrayExpr)rangeArray, p))).Select(Show);
        return "{" + string.Join(",", pages) + "}";
    }

    private static string Access(bool read, bool write) => write ? "rw" : read ? "ro" : "none";

    /// <summary>The state as lines (stable order), for printing and diffing.</summary>
    public List<string> Lines(State s)
    {
        var ctx = _m.Ctx;
        var lines = new List<string>();
        foreach (var p in U(_m.S.Page))
        {
            string pte = !True(s.At("cpu_present", p)) ? "none"
                : $"{Show(s.At("cpu_frame", p))} {(True(s.At("cpu_read", p)) ? Access(true, True(s.At("cpu_write", p))) : "prot-none")}";
            var extra = new List<string>();
            if (True(s.At("soft_dirty", p))) extra.Add("soft-dirty");
            if (True(s.At("uffd_wp", p))) extra.Add("uffd-wp");
            if (True(s.At("dirtied", p))) extra.Add("written-since-clear_refs");
            if (True(s.At("page_pending", p))) extra.Add("invalidate_page-pending");
            lines.Add($"{Show(p)}: cpu pte {pte}{(extra.Count > 0 ? " " + string.Join(" ", extra) : "")}; vma {Access(True(s.At("vma_read", p)), True(s.At("vma_write", p)))}");
        }
        var freed = U(_m.S.Frame).Where(f => True(s.At("freed", f))).Select(Show).ToList();
        lines.Add($"freed frames: {(freed.Count == 0 ? "none" : string.Join(",", freed))}");
        foreach (var d in U(_m.S.Dev))
        {
            var phase = Show(s.At("phase", d));
            lines.Add($"{Show(d)}: {(True(s.At("two_pass", d)) ? "two-pass listener, " : "")}fault path {phase}{(True(s.At("collided", d)) ? ", set_seq ran since read_begin (collided)" : "")}");
            foreach (var p in U(_m.S.Page))
            {
                if (True(s.At("dev_present", d, p)))
                    lines.Add($"{Show(d)} device pte {Show(p)} -> {Show(s.At("dev_frame", d, p))} {Access(true, True(s.At("dev_write", d, p)))}{(True(s.At("stale", d, p)) ? " (frame freed since install)" : "")}");
                if (phase != "idle" && True(s.At("snap_valid", d, p)))
                    lines.Add($"{Show(d)} hmm_range_fault snapshot {Show(p)} -> {Show(s.At("snap_frame", d, p))} {Access(true, True(s.At("snap_write", d, p)))}");
            }
        }
        foreach (var i in U(_m.S.Inv))
        {
            if (!True(s.At("begun", i))) continue;
            var ev = Show(s.At("event", i));
            var info = _m.Vocabulary.Events.FirstOrDefault(e => e.Name == ev);
            var range = "{" + string.Join(",", U(_m.S.Page).Where(p => True(s.At("in_range", i, p))).Select(Show)) + "}";
            var called = "{" + string.Join(",", U(_m.S.Dev).Where(d => True(s.At("called", i, d))).Select(Show)) + "}";
            var flags = new List<string>();
            var due = U(_m.S.Dev).Where(d => True(s.At("finish_due", i, d))).Select(Show).ToList();
            if (due.Count > 0) flags.Add("finish due {" + string.Join(",", due) + "}");
            if (True(s.At("cp_uffd_wp", i))) flags.Add("MM_CP_UFFD_WP");
            if (True(s.At("cp_uffd_resolve", i))) flags.Add("MM_CP_UFFD_WP_RESOLVE");
            if (True(s.At("nonblock", i))) flags.Add("nonblock");
            if (True(s.At("refused", i))) flags.Add("refused (-EAGAIN)");
            flags.Add(True(s.At("ended", i)) ? "ended" : "not ended");
            var prot = info?.Effect == Effect.Protection ? $" new prot {Access(True(s.At("np_read", i)), True(s.At("np_write", i)))}" : "";
            lines.Add($"{Show(i)}: {ev} range {range}{prot}, callbacks returned {called}, {string.Join(", ", flags)}");
        }
        foreach (var g in new[] { "accessed_freed", "accessed_incoherent", "uncovered_change" })
            if (True(s.At(g))) lines.Add($"ghost {g}");
        return lines;
    }

    private string Witness(Expr[] vars) =>
        vars.Length == 0 ? "" : " at " + string.Join(", ", vars.Select(v => $"{v.ToString().Split('!')[0]}={Show(v)}"));

    public string ShowAction(ActionInstance a) =>
        $"{a.Name}({string.Join(", ", a.Args.Select(x => $"{x.Name}={(x.Value.Sort is ArraySort ? ShowRange(x.Value) : Show(x.Value))}"))})";

    private static void Indent(StringBuilder sb, IEnumerable<string> lines, string prefix = "    ")
    {
        foreach (var l in lines) sb.Append(prefix).AppendLine(l);
    }

    private static void Diff(StringBuilder sb, List<string> pre, List<string> post)
    {
        var before = new HashSet<string>(pre);
        var after = new HashSet<string>(post);
        foreach (var l in pre.Where(l => !after.Contains(l))) sb.Append("    - ").AppendLine(l);
        foreach (var l in post.Where(l => !before.Contains(l))) sb.Append("    + ").AppendLine(l);
    }

    public string InitReport(State s, Conjunct c, Expr[] vars)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"an initial state breaks {c.Name}{Witness(vars)}:");
        Indent(sb, Lines(s));
        return sb.ToString();
    }

    public string CtiReport(State pre, ActionInstance a, Conjunct c, Expr[] vars)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"counterexample to induction: {ShowAction(a)} breaks {c.Name}{Witness(vars)}");
        sb.AppendLine("  pre-state (satisfies every conjunct):");
        var before = Lines(pre);
        Indent(sb, before);
        sb.AppendLine($"  action: {ShowAction(a)}");
        sb.AppendLine("  post-state changes:");
        Diff(sb, before, Lines(a.Post));
        return sb.ToString();
    }

    public string TraceReport(List<State> states, List<(IntExpr Selector, List<ActionInstance> Instances)> steps, Conjunct c, Expr[] vars)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"counterexample: {steps.Count} step(s) from an initial state to a state breaking {c.Name}{Witness(vars)}");
        sb.AppendLine("  initial state:");
        var prev = Lines(states[0]);
        Indent(sb, prev);
        for (int k = 0; k < steps.Count; k++)
        {
            int a = ((IntNum)Eval(steps[k].Selector)).Int;
            sb.AppendLine($"  step {k + 1}: {ShowAction(steps[k].Instances[a])}");
            var next = Lines(states[k + 1]);
            Diff(sb, prev, next);
            prev = next;
        }
        sb.AppendLine($"  broken: {c.Name}{Witness(vars)}");
        return sb.ToString();
    }
}
