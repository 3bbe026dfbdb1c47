namespace NotifierSpec.Reference;

/// <summary>
/// A convenience driver over the immutable Machine: keeps the current state, the trace and the
/// first rule violation. Scenarios, tests, the CLI and the property tests drive the model through it.
/// </summary>
public sealed class Session
{
    public MmState State { get; private set; }
    public List<TraceLine> Trace { get; } = [];
    public Violation? FirstViolation { get; private set; }
    public int? FirstViolationLine { get; private set; }
    /// <summary>Record trace lines (off for benchmarks).</summary>
    public bool Record { get; init; } = true;
    private long _lines;

    public Session(MmConfig config) => State = MmState.Initial(config);
    public Session(MmState state) => State = state;

    /// <summary>Continues from another state: a planted bug of the live harness (kernel/Conformance.cs) changes the reference's
    /// state between two calls (e.g. a page of a folio marked PageAnonExclusive that is not).</summary>
    public void Continue(MmState state) => State = state;

    private StepOutcome Take(StepOutcome o)
    {
        State = o.State;
        _lines++;
        if (Record) Trace.Add(o.Line);
        if (o.Violation is not null && FirstViolation is null) { FirstViolation = o.Violation; FirstViolationLine = (int)_lines; }
        return o;
    }

    public long Lines => _lines;

    public StepOutcome Call(Call call) => Take(Machine.Submit(State, call));

    public StepOutcome Step(int actor) => Take(Machine.Step(State, actor));

    /// <summary>Runs the CPU operation in flight to its end (device work does not interleave).</summary>
    public Session RunCpu()
    {
        while (State.Op is not null) Step(Machine.Cpu);
        return this;
    }

    /// <summary>Runs one actor while it can step, up to a bound.</summary>
    public Session Run(int actor, int max = 1000)
    {
        for (int i = 0; i < max && Machine.CanStep(State, actor); i++) Step(actor);
        return this;
    }

    /// <summary>Runs the device until its request completes, running the CPU whenever the device waits on it.</summary>
    public Session Device(int mirror, int max = 1000)
    {
        for (int i = 0; i < max && State.Mirrors[mirror].Op is not null; i++)
        {
            if (Machine.CanStep(State, mirror)) Step(mirror);
            else if (Machine.CanStep(State, Machine.Cpu)) Step(Machine.Cpu);
            else throw new ModelException($"{State.Config.MirrorList[mirror].Name} is blocked and the CPU cannot step");
        }
        return this;
    }

    /// <summary>Calls and runs a CPU call to completion, resolving device blocking by stepping devices.</summary>
    public Session Cpu(Call call)
    {
        Call(call);
        for (int i = 0; i < 100000 && State.Op is not null; i++)
        {
            if (Machine.CanStep(State, Machine.Cpu)) { Step(Machine.Cpu); continue; }
            int m = Enumerable.Range(0, State.Mirrors.Length).First(x => Machine.CanStep(State, x));
            Step(m);
        }
        return this;
    }

    public Session DeviceRead(int mirror, int page) { Call(new Call.DeviceRead(mirror, page)); return Device(mirror); }
    public Session DeviceWrite(int mirror, int page, int value) { Call(new Call.DeviceWrite(mirror, page, value)); return Device(mirror); }

    /// <summary>Runs every actor to idle, picking among the enabled ones with a seeded generator.</summary>
    public Session Drain(Random rng, int max = 100000)
    {
        for (int i = 0; i < max; i++)
        {
            var enabled = Machine.Enabled(State).ToList();
            if (enabled.Count == 0) break;
            Step(enabled[rng.Next(enabled.Count)]);
        }
        return this;
    }

    public int? CpuView(int page) => State.CpuView(page);
    public int? LastRead(int mirror) => State.Mirrors[mirror].LastRead;
    public string? LastError(int mirror) => State.Mirrors[mirror].LastError;
}
