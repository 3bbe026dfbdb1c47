namespace NotifierSpec.Checker;

/// <summary>How a run ends when it finds something: TLC's messages, the counterexample, statistics, coverage.</summary>
public sealed partial class ModelChecker
{
    /// <summary>A violated invariant or property, or a deadlock, at state id (extra: a last state that was not
    /// added, e.g. excluded by a constraint or the end of a violating step).</summary>
    private void Report(CheckResult res, Outcome outcome, string? name, long left, int id, Ctx c, Value[]? extra = null, bool actionProp = false, bool initProp = false)
    {
        res.Outcome = outcome;
        res.Violated = name;
        res.Generated = _generated;
        res.Distinct = _trace.Count;
        res.Left = left;
        res.Depth = Math.Max(_trace.LastLevel, 1);
        var trace = _trace.Behaviour(c, id);
        if (extra is not null)
        {
            var last = trace[^1].State;
            c.Level = trace.Count;
            trace.Add(new TraceStep(trace.Count + 1, StepAction(c, last, extra), extra));
        }
        res.Trace = trace;
        string msg = outcome switch
        {
            Outcome.Deadlock => "Error: Deadlock reached.",
            Outcome.Safety when actionProp => $"Error: Action property {name} is violated.",
            Outcome.Safety when initProp => $"Error: Property {name} is violated by the initial state:",
            _ => $"Error: Invariant {name} is violated.",
        };
        // TLC reports a violated PROPERTY [][A]_v or initial-state property as a temporal violation (exit 13);
        // a PROPERTY []P with P a state predicate is one of its invariants (exit 12, "Invariant P is violated")
        if (outcome == Outcome.Safety && (actionProp || initProp)) res.Outcome = Outcome.Liveness;
        _o.WriteLine(msg);
        if (initProp)
        {
            // TLC (ModelChecker.doInit): the message and the state, nothing else
            _printer.PrintState(trace[0].State);
            if (opt.DumpTrace is not null) _printer.DumpItf(opt.DumpTrace, trace);
            return;
        }
        _o.WriteLine("Error: The behavior up to this point is:");
        _printer.Print(trace);
        PrintStats(res);
        PrintCoverage();
        if (opt.DumpTrace is not null) _printer.DumpItf(opt.DumpTrace, trace);
    }

    private void ReportLasso(CheckResult res, LiveChecker.Lasso lasso, StateGraph g, Ctx c)
    {
        res.Outcome = Outcome.Liveness;
        res.Violated = lasso.Property;
        // the cycle ends where it started (the last prefix state): that state is not printed again
        var ids = lasso.Prefix.Concat(lasso.Cycle.Count > 0 ? lasso.Cycle.Take(lasso.Cycle.Count - 1) : []).ToList();
        var trace = new List<TraceStep> { new(1, "<Initial predicate>", g.States[ids[0]]) };
        for (int i = 1; i < ids.Count; i++) trace.Add(new TraceStep(i + 1, StepAction(c, g.States[ids[i - 1]], g.States[ids[i]]), g.States[ids[i]]));
        res.Trace = trace;
        _o.WriteLine($"Error: Temporal property {lasso.Property} was violated.");
        _o.WriteLine("Error: The following behavior constitutes a counter-example:");
        _printer.Print(trace, lasso.Cycle.Count == 0 ? null : g.States[ids[lasso.Prefix.Count - 1]]);
        if (lasso.Cycle.Count == 0) { res.Stuttering = true; _o.WriteLine($"State {trace.Count + 1}: Stuttering"); }
        else
        {
            int back = lasso.Prefix.Count; // the cycle returns to the last prefix state
            res.LassoStart = back;
            _o.WriteLine($"Back to state {back}.");
        }
        _o.WriteLine();
        PrintStats(res);
        if (opt.DumpTrace is not null) _printer.DumpItf(opt.DumpTrace, trace);
    }

    /// <summary>The name of the first action that takes from to to ("?" if none does), at c.Level.</summary>
    private string StepAction(Ctx c, Value[] from, Value[] to)
    {
        foreach (var a in spec.Actions)
        {
            bool hit = false;
            c.Cur = from; c.Nxt = new Value?[spec.Vars.Count];
            try { Enumerator.Enum(c, a.Run, a.RunEnv, () => { if (!hit && c.Nxt!.Zip(to).All(p => p.First!.Equals(p.Second))) hit = true; }, false); }
            catch (EvalError) { }
            if (hit) return a.Describe;
        }
        return "?";
    }

    /// <summary>invariant: the invariant whose evaluation failed on a state after the initial ones (TLC:
    /// EC.TLC_INVARIANT_EVALUATION_FAILED, exit 76; on an initial state TLC reports the bare error, exit 75).
    /// actionProp: the action property whose evaluation failed on the step from id to extra (TLC: "Evaluating action
    /// property AP failed.", the trace ends in extra, and the exit is the error's own, as in the next-state relation).</summary>
    private void ReportError(CheckResult res, Exception failure, int id, Ctx c, bool inNext = false, string? invariant = null, string? actionProp = null, Value[]? extra = null)
    {
        // TLC (ModelChecker.doNextFailed) exits with the error's own code: 255 for a standard module's own error code,
        // 14 for a failed Assert (EC.TLC_VALUE_ASSERT_FAILED), 75 for any other (EC.TLC_NESTED_EXPRESSION)
        res.Outcome = invariant is not null ? Outcome.InvariantError
            : !(inNext || actionProp is not null) ? Outcome.Error
            : failure is AssertError ? Outcome.AssertFailed
            : failure is EvalError { ModuleEvaluating: true } ? Outcome.ModuleError : Outcome.Error;
        string? failed = invariant is not null ? $"Evaluating invariant {invariant} failed."
            : actionProp is not null ? $"Evaluating action property {actionProp} failed." : null;
        res.Message = failed is null ? Positioned(failure) : WhereOf(failure) is { } w
            ? $"{w.File}:{w.Line}:{w.Col}: {failed} {failure.Message.Replace('\n', ' ')}" : $"{failed} {failure.Message.Replace('\n', ' ')}";
        _o.WriteLine(failed is null ? "Error: " + failure.Message : $"Error: {failed}\n{failure.Message}");
        var trace = _trace.Behaviour(c, id);
        if (extra is not null)
        {
            c.Level = trace.Count;
            trace.Add(new TraceStep(trace.Count + 1, StepAction(c, trace[^1].State, extra), extra));
        }
        res.Trace = trace;
        _o.WriteLine("Error: The behavior up to this point is:");
        _printer.Print(trace);
        if (WhereOf(failure) is { } w2) _o.WriteLine($"The error occurred when evaluating the expression at {w2.File}:{w2.Line}:{w2.Col} (module {w2.Module}).");
        PrintStats(res);
        if (opt.DumpTrace is not null) _printer.DumpItf(opt.DumpTrace, trace);
    }

    /// <summary>A temporal property's predicate (or a fairness condition's action) failed to evaluate on the state
    /// graph. TLC evaluates them while it searches and exits with the error's own code: 14 for a failed Assert, 255
    /// for any other ("an unexpected exception"); on a state after the initial ones its first line is "The error occurred
    /// when TLC was evaluating the nested expressions at the following positions:" (this checker knows one position:
    /// the innermost), then the error and the behaviour to the state; on an initial state the error, then "While
    /// working on the initial state:" and the state (TLC then exits 0, which this checker does not copy: a silent
    /// pass). The state is the one the predicate was evaluated on (for an action, the step's first state); TLC's trace
    /// may end one step earlier, at the state whose successors it was adding when the error happened.</summary>
    private void ReportLiveError(CheckResult res, Exception e, StateGraph g, Ctx c)
    {
        res.Outcome = e is AssertError ? Outcome.AssertFailed : Outcome.ModuleError;
        res.Message = Positioned(e);
        int id = IdOf(g, c.Cur);
        bool initial = id >= 0 && g.Inits.Contains(id);
        if (id >= 0 && !initial)
        {
            _o.WriteLine("Error: The error occurred when TLC was evaluating the nested");
            _o.WriteLine("expressions at the following positions:");
            if (WhereOf(e) is { } w)
                _o.WriteLine(w.EndLine > 0 ? $"0. Line {w.Line}, column {w.Col} to line {w.EndLine}, column {w.EndCol} in {w.Module}" : $"0. Line {w.Line}, column {w.Col} in {w.Module}");
            _o.WriteLine();
            _o.WriteLine();
        }
        _o.WriteLine("Error: " + e.Message);
        if (id < 0) return;
        var trace = _trace.Behaviour(c, id);
        res.Trace = trace;
        if (initial)
        {
            _o.WriteLine("While working on the initial state:");
            _printer.PrintState(trace[^1].State);
        }
        else
        {
            _o.WriteLine("Error: The behavior up to this point is:");
            _printer.Print(trace);
        }
        PrintStats(res);
    }

    /// <summary>The number of state st in the graph (-1 if it is none of them): by reference, else by value (a spilled
    /// graph reads its states back as new arrays). Only on an error's path.</summary>
    private static int IdOf(StateGraph g, Value?[]? st)
    {
        if (st is null || st.Any(v => v is null)) return -1;
        var states = g.States;
        for (int i = 0; i < states.Count; i++) if (ReferenceEquals(states[i], st)) return i;
        for (int i = 0; i < states.Count; i++) if (states[i].Length == st.Length && states[i].Zip(st).All(p => p.First.Equals(p.Second))) return i;
        return -1;
    }

    private static Loc? WhereOf(Exception e) => e switch { EvalError ee => ee.Where, AssertError ae => ae.Where, _ => null };

    /// <summary>The one-line message of an evaluation error or failed Assert: FILE:LINE:COL: message.</summary>
    private static string Positioned(Exception e) =>
        WhereOf(e) is { } w ? $"{w.File}:{w.Line}:{w.Col}: {e.Message.Replace('\n', ' ')}" : e.Message.Replace('\n', ' ');

    public static string FormatProb(double p)
    {
        if (p == 0) return "0.0";
        return p.ToString("0.0E0", System.Globalization.CultureInfo.InvariantCulture);
    }

    private void PrintStats(CheckResult r)
    {
        _o.WriteLine($"{r.Generated} states generated, {r.Distinct} distinct states found, {r.Left} states left on queue.");
        _o.WriteLine($"The depth of the complete state graph search is {r.Depth}.");
    }

    private void PrintCoverage()
    {
        if (!opt.Coverage) return;
        _o.WriteLine("Action coverage (generated / distinct new states):");
        var groups = spec.Actions.GroupBy(a => a.Describe).ToList();
        foreach (var g in groups)
            _o.WriteLine($"  {g.Key}: {g.Sum(a => _actGen[a.Index])} generated, {g.Sum(a => _actNew[a.Index])} distinct");
        var never = groups.Where(g => g.Sum(a => _actGen[a.Index]) == 0).Select(g => g.First().Name).Distinct().ToList();
        if (never.Count > 0) _o.WriteLine($"  never fired: {string.Join(", ", never)}");
    }
}
