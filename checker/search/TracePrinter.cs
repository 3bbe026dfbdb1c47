using System.Text;

namespace NotifierSpec.Checker;

/// <summary>
/// A behaviour as TLC prints it (its "State N:" blocks, tlc2/tool/TLCTrace.printTrace) and as an ITF JSON file
/// (--dump-trace, Apalache's trace format).
/// </summary>
public sealed class TracePrinter(TlaSpec spec, TextWriter o)
{
    /// <summary>Prints a behavior as TLC's error trace: the first state whole, then each state's changes. With a cfg
    /// ALIAS, each state is shown as TLC shows it: the fields of the alias record evaluated in that state and its
    /// successor (the last state: itself, or the state a lasso goes back to), tlc2/tool/TLCTrace.java printTrace and
    /// tlc2/tool/impl/Tool.java evalAlias; an alias that fails to evaluate shows the variables and _ALIASEvalError.</summary>
    public void Print(List<TraceStep> trace, Value[]? after = null)
    {
        (string[] Names, Value[] Vals)? prev = null;
        for (int k = 0; k < trace.Count; k++)
        {
            var step = trace[k];
            var shown = Shown(step, k + 1 < trace.Count ? trace[k + 1].State : after ?? step.State);
            o.WriteLine($"State {step.Index}: {step.Action}");
            if (prev is not { } p)
                for (int i = 0; i < shown.Names.Length; i++) o.WriteLine($"/\\ {shown.Names[i]} = {Show.V(shown.Vals[i])}");
            else
            {
                int changed = 0;
                for (int i = 0; i < shown.Names.Length; i++)
                {
                    int j = Array.IndexOf(p.Names, shown.Names[i]);
                    if (j >= 0 && p.Vals[j].Equals(shown.Vals[i])) continue;
                    changed++;
                    if (j < 0) o.WriteLine($"/\\ {shown.Names[i]} = {Show.V(shown.Vals[i])}");
                    else foreach (var line in Diff(shown.Names[i], p.Vals[j], shown.Vals[i])) o.WriteLine("/\\ " + line);
                }
                if (changed == 0) o.WriteLine("(no variable changed)");
            }
            o.WriteLine();
            prev = shown;
        }
    }

    /// <summary>One state's variables without a "State N:" header, as TLC prints the initial state an error or a
    /// property is about ("While working on the initial state:", "Property P is violated by the initial state:").</summary>
    public void PrintState(Value[] st)
    {
        var shown = Shown(new TraceStep(1, "<Initial predicate>", st), st);
        for (int i = 0; i < shown.Names.Length; i++) o.WriteLine($"/\\ {shown.Names[i]} = {Show.V(shown.Vals[i])}");
        o.WriteLine();
    }

    /// <summary>What a trace shows of a state: its variables, or the fields of the ALIAS record.</summary>
    private (string[] Names, Value[] Vals) Shown(TraceStep step, Value[] successor)
    {
        var vars = (spec.Vars.ToArray(), step.State);
        if (spec.Alias is null) return vars;
        try
        {
            var v = spec.Alias.Eval(new Ctx(spec) { Cur = step.State, Nxt = successor, Level = step.Index }, null);
            if (v is FcnBase f && f.IsRecord())
                return ([.. Enumerable.Range(0, f.Count).Select(i => ((StrV)f.KeyAt(i)).S)], [.. Enumerable.Range(0, f.Count).Select(f.ValAt)]);
            return Failed($"the ALIAS is not a record: {Show.V(v)}");
        }
        catch (Exception e) when (e is EvalError or AssertError) { return Failed(e.Message); }

        (string[], Value[]) Failed(string message) =>
            ([.. spec.Vars, "_ALIASEvalError"], [.. step.State, spec.Interner.Str(message)]);
    }

    /// <summary>Nested difference: the innermost changed components, as path = new (was old).</summary>
    public static IEnumerable<string> Diff(string path, Value a, Value b)
    {
        if (a is FcnBase fa && b is FcnBase fb && fa is not LazyFcnV && fb is not LazyFcnV && fa.Count == fb.Count && fa.Count > 0)
        {
            bool sameDom = true;
            for (int i = 0; i < fa.Count; i++) if (!fa.KeyAt(i).Equals(fb.KeyAt(i))) { sameDom = false; break; }
            if (sameDom)
            {
                bool rec = fa.IsRecord();
                for (int i = 0; i < fa.Count; i++)
                {
                    if (fa.ValAt(i).Equals(fb.ValAt(i))) continue;
                    var k = fa.KeyAt(i);
                    string p = rec ? $"{path}.{((StrV)k).S}" : $"{path}[{Show.V(k)}]";
                    foreach (var l in Diff(p, fa.ValAt(i), fb.ValAt(i))) yield return l;
                }
                yield break;
            }
        }
        yield return $"{path} = {Show.V(b)}  (was {Show.V(a)})";
    }

    public void DumpItf(string file, List<TraceStep> trace)
    {
        var sb = new StringBuilder();
        sb.Append("{\"#meta\":{\"format\":\"ITF\",\"format-description\":\"https://apalache-mc.org/docs/adr/015adr-trace.html\",\"source\":");
        Json(sb, Path.GetFileName(spec.File));
        sb.Append(",\"description\":\"counterexample from notifier check\"},\"vars\":[");
        sb.Append(string.Join(",", spec.Vars.Select(v => "\"" + v + "\"")));
        sb.Append("],\"states\":[");
        for (int s = 0; s < trace.Count; s++)
        {
            if (s > 0) sb.Append(',');
            sb.Append("{\"#meta\":{\"index\":").Append(s).Append(",\"action\":");
            Json(sb, trace[s].Action);
            sb.Append('}');
            for (int i = 0; i < spec.Vars.Count; i++)
            {
                sb.Append(',');
                Json(sb, spec.Vars[i]);
                sb.Append(':');
                Itf(sb, trace[s].State[i]);
            }
            sb.Append('}');
        }
        sb.Append("]}\n");
        File.WriteAllText(file, sb.ToString());
    }

    private static void Json(StringBuilder sb, string s) => sb.Append(System.Text.Json.JsonSerializer.Serialize(s));

    public static void Itf(StringBuilder sb, Value v)
    {
        switch (v)
        {
            case BoolV b: sb.Append(b.B ? "true" : "false"); break;
            case IntV i: sb.Append("{\"#bigint\":\"").Append(i.N).Append("\"}"); break;
            case StrV s: Json(sb, s.S); break;
            case ModelV m: sb.Append("{\"#unserializable\":"); Json(sb, m.Name); sb.Append('}'); break;
            case SetBase s:
                sb.Append("{\"#set\":[");
                var el = s.Normalize().Elems;
                for (int i = 0; i < el.Length; i++) { if (i > 0) sb.Append(','); Itf(sb, el[i]); }
                sb.Append("]}");
                break;
            case TupleV t:
                sb.Append('[');
                for (int i = 0; i < t.Elems.Length; i++) { if (i > 0) sb.Append(','); Itf(sb, t.Elems[i]); }
                sb.Append(']');
                break;
            case FcnBase f when f.IsRecord():
                sb.Append('{');
                for (int i = 0; i < f.Count; i++) { if (i > 0) sb.Append(','); Json(sb, ((StrV)f.KeyAt(i)).S); sb.Append(':'); Itf(sb, f.ValAt(i)); }
                sb.Append('}');
                break;
            case FcnBase f:
                sb.Append("{\"#map\":[");
                for (int i = 0; i < f.Count; i++) { if (i > 0) sb.Append(','); sb.Append('['); Itf(sb, f.KeyAt(i)); sb.Append(','); Itf(sb, f.ValAt(i)); sb.Append(']'); }
                sb.Append("]}");
                break;
            default: Json(sb, v.ToString()); break;
        }
    }
}
