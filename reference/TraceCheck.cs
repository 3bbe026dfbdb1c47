namespace NotifierSpec.Reference;

public enum TraceValidity { Valid, Malformed, Incomplete }

/// <summary>The shared verdict on a trace's form: Valid, Malformed (line, column, message) or Incomplete
/// (it ends inside an operation); `Replay` is the reference's replay of a well-formed trace.</summary>
public sealed record TraceCheckResult(TraceValidity Validity, int Line, int Column, string Message, ReplayResult? Replay, int Lines);

/// <summary>
/// The one validity check of a trace file, shared by `notifier replay`, `validate` and `refine` so that
/// all three refuse the same traces at the same position with the same message:
/// 1. every line is read and checked (TraceReader: bounds, UTF-8, JSON; TraceConfig / TraceSchema: the
///    config and every line's fields, types and ranges) before anything judges the trace;
/// 2. a well-formed complete trace is replayed on the reference; when the reference reaches the end with
///    no line refused and no rule violated but an operation still in flight (after invalidate_range_start
///    and before its end, a device holding device_lock, any call whose steps are not all there), the trace
///    is Incomplete, unless `allowIncomplete`. A partial trace (replay --partial) may end anywhere.
/// </summary>
public static class TraceCheck
{
    public static TraceCheckResult File(string path, bool allowIncomplete = false, bool partial = false) =>
        Check(() => TraceReader.ReadFile(path), allowIncomplete, partial);

    public static TraceCheckResult Lines(IReadOnlyList<string> lines, bool allowIncomplete = false, bool partial = false) =>
        Check(() => TraceReader.FromLines(lines), allowIncomplete, partial);

    public static TraceCheckResult Check(Func<IEnumerable<TraceRecord>> records, bool allowIncomplete, bool partial)
    {
        MmConfig? cfg = null;
        int n = 0;
        foreach (var rec in records())
        {
            n = rec.Line;
            try { cfg = Replay.CheckRecord(rec, cfg); }
            catch (TraceFormatException e) { return new(TraceValidity.Malformed, rec.Line, e.Column, e.Message, null, n); }
        }
        if (cfg is null) return new(TraceValidity.Malformed, 1, 1, "empty trace: the first line must be the config line", null, 0);

        // the op in flight at the end, and the line that started it
        int cpuSince = 0;
        var mirrorSince = new int[cfg.MirrorList.Length];
        MmState? last = null;
        ReplayResult r;
        if (partial) r = Replay.Run(records(), partial: true);
        else
        {
            // Replay.Run's verdict, with the lines where operations began
            r = Replay.Walk(records(), (line, pre, o) =>
            {
                if (pre.Op is null && o.State.Op is not null) cpuSince = line;
                for (int m = 0; m < mirrorSince.Length; m++)
                    if (pre.Mirrors[m].Op is null && o.State.Mirrors[m].Op is not null) mirrorSince[m] = line;
                last = o.State;
                return o.Violation is null;
            });
            if (r.Verdict == ReplayVerdict.Accepted && r.Message == "stopped")
            {
                // Walk stopped at the first violation: the same answer Run gives
                r = Replay.Run(records());
            }
        }
        if (r.Verdict == ReplayVerdict.Malformed) return new(TraceValidity.Malformed, r.Line, r.Column, r.Message, r, n);
        if (partial || allowIncomplete || r.Verdict != ReplayVerdict.Accepted || r.Final is not { } s) return new(TraceValidity.Valid, 0, 0, "valid", r, n);
        var open = new List<string>();
        if (s.Op is { } op)
        {
            string where = op.Inv is { Refused: false } inv ? $", after invalidate_range_start of [{inv.Range.Start}, {inv.Range.End}) without its invalidate_range_end" : "";
            open.Add($"{op.Actor}'s {op.Name} (begun at line {cpuSince}{where})");
        }
        for (int m = 0; m < s.Mirrors.Length; m++)
            if (s.Mirrors[m].Op is { } dop)
                open.Add($"{s.Config.MirrorList[m].Name}'s {dop.Name} (begun at line {mirrorSince[m]}{(s.Mirrors[m].Locked ? ", holding device_lock" : "")})");
        if (open.Count == 0) return new(TraceValidity.Valid, 0, 0, "valid", r, n);
        return new(TraceValidity.Incomplete, n, 1, $"the trace ends inside an operation: {string.Join("; ", open)} (--allow-incomplete accepts it)", r, n);
    }
}
