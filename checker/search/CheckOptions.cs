namespace NotifierSpec.Checker;

/// <summary>How a run ended. BadInput: a --recover directory without a checkpoint of this spec, a spill
/// directory or checkpoint that cannot be written, or a liveness check whose tableau product outgrows
/// --max-memory (exit 255).</summary>
/// <summary>How a run ended. ModuleError: an evaluation error in the next-state relation that TLC reports under a
/// code of its own (a standard module's: \o, Append, Len, Head, Tail of a non-sequence, Head or Tail of &lt;&lt;&gt;&gt;)
/// and so exits with 255, not 75; also an error evaluating a temporal PROPERTY's predicate (TLC: an unexpected
/// exception, 255). InvariantError: an invariant failed to evaluate on a non-initial state (TLC's
/// FAILURE_SAFETY_EVAL, 76). AssumptionError: an ASSUME failed to evaluate (TLC's VIOLATION_ASSUMPTION, 10).
/// AssertFailed: an Assert of the TLC module evaluated to FALSE in the next-state relation, a constraint, an action
/// property or a temporal property (TLC's EC.TLC_VALUE_ASSERT_FAILED, exit VIOLATION_ASSERT 14; in Init it is 75,
/// in an invariant 76, in an ASSUME 10, as TLC).</summary>
public enum Outcome { Success, Assumption, Deadlock, Safety, Liveness, Error, Interrupted, BadInput, ModuleError, InvariantError, AssumptionError, AssertFailed }

public sealed class CheckOptions
{
    /// <summary>Search workers; results do not depend on it (successors are merged in queue order).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
    public bool NoDeadlock { get; init; }
    public string? DumpTrace { get; init; }
    public TextWriter Out { get; init; } = TextWriter.Null;
    /// <summary>Warnings of the run (one line each; the CLI's stderr).</summary>
    public TextWriter Err { get; init; } = TextWriter.Null;
    public CancellationToken Cancel { get; init; }
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(10);
    public bool Coverage { get; init; } = true;
    /// <summary>Trace validation (notifier validate): a score per distinct state (the trace spec's line
    /// counter). The checker remembers the first state found with the highest score and, when the search
    /// ends without an error, reconstructs the behaviour to it into CheckResult.Best.</summary>
    public Func<Value[], long>? Score { get; init; }
    /// <summary>--max-memory: bytes the state queue and the fingerprint set may hold in memory; beyond it they
    /// spill to files in a directory made under SpillDirectory (default: the system's temporary directory),
    /// removed when the run ends. Null: everything in memory.</summary>
    public long? MaxMemory { get; init; }
    public string? SpillDirectory { get; init; }
    /// <summary>--checkpoint DIR: the search's state is written to DIR/checkpoint.bin every CheckpointEvery
    /// (between two batches; TimeSpan.Zero: before every batch).</summary>
    public string? Checkpoint { get; init; }
    public TimeSpan CheckpointEvery { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Merge every batch on the search thread (as before the parallel merge; for tests, which compare
    /// the two). The parallel merge is used without it when the fingerprint set, the queue and the trace are in
    /// memory, without temporal properties and without Score.</summary>
    public bool SerialMerge { get; init; }
    /// <summary>A planted bug for tests: the parallel merge keeps the last occurrence of a new state in a batch
    /// instead of the first, so states get other parents (and traces change) while the counts stay the same.</summary>
    public bool PlantedMergeBug { get; init; }
    /// <summary>A planted bug for tests: a worker that finds the batch's table too small for a state's fresh
    /// successors drops them without telling the merge, which then does not put the batch apart.</summary>
    public bool PlantedLostPuts { get; init; }
    /// <summary>A planted bug for tests: the parallel merge counts one generated state too many in a batch's second
    /// chunk (a batch of 2 or more states has one with 2 or more workers).</summary>
    public bool PlantedChunkCount { get; init; }
    /// <summary>A planted bug for tests: the states whose expansion needed the serial order are expanded again
    /// last first, so new strings get their tokens in another order than one worker's.</summary>
    public bool PlantedAgainBackwards { get; init; }
    /// <summary>A planted bug for tests: a worker remembers the states it judged (FineStates) under VIEW and SYMMETRY too,
    /// where states with one fingerprint differ.</summary>
    public bool PlantedFineUnderView { get; init; }
    /// <summary>A planted bug for tests: a worker remembers a state it judged even when the invariants applied Print,
    /// TLCSet or another operator that is not constant (Ctx.Effects), so a state met again does not print again.</summary>
    public bool PlantedFineIgnoresEffects { get; init; }
    /// <summary>A planted bug for tests: the liveness check keeps what its workers evaluated beyond the first state
    /// whose evaluation failed in the parallel phase, instead of evaluating from that state on in order on one thread.</summary>
    public bool PlantedLivenessNoRedo { get; init; }
    /// <summary>A planted bug for tests: the workers that judge the initial states in parallel do not evaluate their
    /// invariants, and the initial states are added as if every invariant held.</summary>
    public bool PlantedInitialUnjudged { get; init; }

    /// <summary>A planted bug for InitFilterWorkersTests, never set otherwise: a set filter the initial predicate
    /// enumerates with several workers (PerState.Filter) drops the elements from the first failed evaluation on
    /// instead of filtering them again on the search thread (the error is not reported, a new string's element is lost).</summary>
    public bool PlantedFilterNoRedo { get; init; }
    /// <summary>A planted bug for LivenessWorkersTests: the tableau product's workers take a state predicate not yet
    /// evaluated for false (LiveChecker.ProductLevel), instead of leaving the node to the search thread, which evaluates it.</summary>
    public bool PlantedProductUnknownFalse { get; init; }
    /// <summary>A planted bug for StateGraphWorkersTests: in the parallel merge with a state graph, a step to a state
    /// first found in the same batch goes to the first new state found by the same state, not to that state (FreshId).</summary>
    public bool PlantedGraphStateFirst { get; init; }
    /// <summary>--recover DIR: continue the run whose checkpoint DIR holds instead of starting from Init.</summary>
    public string? Recover { get; init; }
}

public sealed record TraceStep(int Index, string Action, Value[] State);

public sealed class CheckResult
{
    /// <summary>Successors whose invariants were not evaluated again: their worker had judged them (FineStates).</summary>
    public long InvariantsSkipped { get; set; }
    public Outcome Outcome { get; set; }
    public string? Violated { get; set; }
    public long Generated { get; set; }
    public long Distinct { get; set; }
    public long Left { get; set; }
    public int Depth { get; set; }
    public List<TraceStep>? Trace { get; set; }
    public int? LassoStart { get; set; }
    /// <summary>With CheckOptions.Score: a behaviour to the first state of the highest score, and that score.</summary>
    public List<TraceStep>? Best { get; set; }
    public long BestScore { get; set; } = long.MinValue;
    public bool Stuttering { get; set; }
    /// <summary>States of the counterexample as TLC counts them: its "State N:" lines, and for a lasso one more
    /// for the step that closes it ("State N+1: Stuttering" or the "Back to state K" step).</summary>
    public int? TraceLength => Trace is null ? null : Trace.Count + (Stuttering || LassoStart is not null ? 1 : 0);
    public string? Message { get; set; }
    public double Seconds { get; set; }
    public double BytesPerState { get; set; }
    /// <summary>Batches of states merged by the parallel merge (the rest were merged serially).</summary>
    public long ParallelBatches { get; set; }
    /// <summary>Of those, the batches whose table the workers outgrew while expanding them, so that the merge
    /// put their fresh successors into a larger one.</summary>
    public long BatchTableOverflows { get; set; }
    /// <summary>States expanded again, serially, after a parallel phase in which their expansion needed the serial
    /// order (a new string's token, Print, a TLC register): 0 with one worker.</summary>
    public long ExpandedAgain { get; set; }
    /// <summary>With CheckOptions.MaxMemory: queue pages written to disk plus fingerprint set merges into its file.</summary>
    public long Spills { get; set; }
    public int ExitCode => Outcome switch
    {
        Outcome.Success => 0,
        Outcome.Assumption or Outcome.AssumptionError => 10,
        Outcome.Deadlock => 11,
        Outcome.Safety => 12,
        Outcome.Liveness => 13,
        Outcome.AssertFailed => 14,
        Outcome.Error => 75,
        Outcome.InvariantError => 76,
        Outcome.ModuleError => 255,
        _ => 255,
    };
    public string ResultName => Outcome switch
    {
        Outcome.Success => "success",
        Outcome.Deadlock => "deadlock",
        Outcome.Safety => "safety",
        Outcome.Liveness => "liveness",
        Outcome.Assumption => "assumption",
        _ => "error",
    };
}

