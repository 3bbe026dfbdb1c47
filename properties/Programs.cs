using System.Collections.Immutable;
using System.Text;
using NotifierSpec.Reference;

namespace NotifierSpec.Properties;

/// <summary>
/// One generated action. Actions are interpreted leniently, so that every subsequence of a valid
/// program is valid too and shrinking by deletion never produces an ill-formed program:
/// a call that the state does not allow (a busy mm or device, an exited mm, no frame left) is
/// skipped; a step picks among the actors that can step at that moment.
/// </summary>
public abstract record Act
{
    /// <summary>Submit a CPU call or a device request.</summary>
    public sealed record Do(Call Call) : Act { public override string ToString() => $"call {Show(Call)}"; }
    /// <summary>Step the (Pick mod n)-th of the n actors that can step.</summary>
    public sealed record Step(int Pick) : Act { public override string ToString() => $"step #{Pick}"; }
    /// <summary>Step this mirror if it can (device work racing the CPU), else skip.</summary>
    public sealed record StepDevice(int Mirror) : Act { public override string ToString() => $"step mirror {Mirror}"; }
    /// <summary>Step the CPU operation in flight if it can, else skip.</summary>
    public sealed record StepCpu : Act { public override string ToString() => "step cpu"; }
    /// <summary>Alternate CPU and device steps Count times: device work at every point of a CPU operation.</summary>
    public sealed record Lockstep(int Mirror, int Count) : Act { public override string ToString() => $"lockstep cpu/mirror {Mirror} x{Count}"; }

    private static string Show(Call c) => c.ToString().Replace("Call.", "", StringComparison.Ordinal);
}

/// <summary>A generated test case: a configuration and a sequence of actions.</summary>
public sealed record Prog(MmConfig Config, ImmutableArray<Act> Acts)
{
    /// <summary>Where the interpreter reports the steps it ran (the hammer's rate); not part of the test case.</summary>
    public StepCounter? Counter { get; init; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"{EventTables.Name(Config.Vocabulary)}, {Config.Pages} pages, huge {Config.HugePageSize}, mirrors [");
        sb.Append(string.Join(", ", Config.MirrorList.Select(m => $"{m.Name}:{TraceConfig.KindName(m.Kind)}/{m.Listener.Name}{(m.Span is { } r ? $"@{r}" : "")}{(m.SkipReadRetry ? "/no-read-retry" : "")}{(m.ReadRetryOutsideLock ? "/retry-outside-lock" : "")}")));
        sb.Append($"]{(Config.Mutants != Mutant.None ? $", mutant {Config.Mutants}" : "")}, {Acts.Length} actions");
        return sb.ToString();
    }
}

/// <summary>Runs a program against the reference.</summary>
public static class Interpreter
{
    /// <summary>Bound on the steps that finish the operations in flight after the last action.</summary>
    public const int DrainBound = 2000;

    /// <summary>Executes the actions, then lets every actor finish (CPU first, then mirrors in order),
    /// stopping at the first rule violation.</summary>
    public static Session Execute(Prog p, bool record = false, bool stopAtViolation = true)
    {
        var s = new Session(p.Config) { Record = record };
        foreach (var a in p.Acts)
        {
            if (stopAtViolation && s.FirstViolation is not null) { p.Counter?.Add(s.Lines); return s; }
            Apply(s, a);
        }
        for (int i = 0; i < DrainBound && (!stopAtViolation || s.FirstViolation is null); i++)
        {
            int next = Machine.CanStep(s.State, Machine.Cpu) ? Machine.Cpu : Enumerable.Range(0, s.State.Mirrors.Length).FirstOrDefault(m => Machine.CanStep(s.State, m), -2);
            if (next == -2) break;
            s.Step(next);
        }
        p.Counter?.Add(s.Lines);
        return s;
    }

    /// <summary>Runs every CPU call to completion, in order, ignoring steps and device requests: the
    /// interleaving-free meaning of a program, the same whatever the vocabulary's step count.</summary>
    public static Session ExecuteCalls(Prog p)
    {
        var s = new Session(p.Config) { Record = false };
        foreach (var a in p.Acts)
        {
            if (a is not Act.Do { Call: var c } || c.IsDevice || s.State.Exited) continue;
            try { s.Cpu(c); } catch (ModelException) { }
        }
        p.Counter?.Add(s.Lines);
        return s;
    }

    public static void Apply(Session s, Act a)
    {
        var st = s.State;
        switch (a)
        {
            case Act.Do d:
                if (d.Call.IsDevice ? d.Call.MirrorIndex is not int m || m >= st.Mirrors.Length || st.Mirrors[m].Op is not null
                                      || d.Call is Call.DeviceExclusive or Call.MigrateToDevice && st.Op is not null
                                    : st.Op is not null || st.Exited) return;
                try { s.Call(d.Call); } catch (ModelException) { }
                return;
            case Act.Step step:
            {
                int n = 0;
                if (Machine.CanStep(st, Machine.Cpu)) n++;
                for (int i = 0; i < st.Mirrors.Length; i++) if (Machine.CanStep(st, i)) n++;
                if (n == 0) return;
                int k = step.Pick % n;
                if (Machine.CanStep(st, Machine.Cpu)) { if (k == 0) { s.Step(Machine.Cpu); return; } k--; }
                for (int i = 0; i < st.Mirrors.Length; i++)
                    if (Machine.CanStep(st, i)) { if (k == 0) { s.Step(i); return; } k--; }
                return;
            }
            case Act.StepDevice sd:
                if (sd.Mirror < st.Mirrors.Length && Machine.CanStep(st, sd.Mirror)) s.Step(sd.Mirror);
                return;
            case Act.StepCpu:
                if (Machine.CanStep(st, Machine.Cpu)) s.Step(Machine.Cpu);
                return;
            case Act.Lockstep ls:
                for (int i = 0; i < ls.Count && s.FirstViolation is null; i++)
                {
                    if (Machine.CanStep(s.State, Machine.Cpu)) s.Step(Machine.Cpu);
                    if (s.FirstViolation is null && ls.Mirror < s.State.Mirrors.Length && Machine.CanStep(s.State, ls.Mirror)) s.Step(ls.Mirror);
                }
                return;
        }
    }
}
