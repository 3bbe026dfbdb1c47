namespace NotifierSpec.Checker;

/// <summary>
/// The workers' memory of the states whose invariants and state properties held, without a side effect, when it
/// last evaluated them: their fingerprints in a direct-mapped table (a slot per fingerprint's low bits, the last one
/// put there kept). The workers judge each successor before the batch's merge puts it into the fingerprint set, so a
/// state reached from several states of the batch (process 1 then 2, process 2 then 1) was judged as often (MCBoulanger:
/// 2.1 evaluations per distinct state in the model), and a state outside the model (CONSTRAINT) is judged each time
/// it is generated, as TLC does. Only a state's own fingerprint is a key (not under VIEW or SYMMETRY, where states
/// with one fingerprint differ), and only a run that did nothing TLC could show (Print, TLCSet, ...: Ctx.Effects)
/// and found no violation or error is kept: a state met again is judged as it was, so the result is the same
/// whatever the workers and whatever the table keeps.
/// The workers of a search share one table (NewTable): a state one worker judged is not judged again by another (btree,
/// 2 workers: 417,955 evaluations with a table each, 374,858 with one worker). A slot is one aligned long, written and
/// read whole; a fingerprint another worker puts there meanwhile only changes which states are skipped. The counters
/// are the worker's own.
/// </summary>
public sealed class FineStates(bool ignoreEffects = false, long[]? table = null)
{
    /// <summary>CheckOptions.PlantedFineIgnoresEffects.</summary>
    public bool IgnoresEffects { get; } = ignoreEffects;
    // 2^17 slots (1 MB a search): MCBoulanger cut at level 36 (254,515 distinct) judged 550,326 successors with
    // 2^15, 488,900 with 2^17, 432,145 with 2^20 (the states outside the model come back across batches)
    private const int Bits = 17;
    private readonly long[] _fps = table ?? NewTable(); // 0: an empty slot (a fingerprint 0 is not remembered)

    /// <summary>A table for the FineStates of the workers of one search.</summary>
    public static long[] NewTable() => new long[1 << Bits];
    public long Evaluated, Skipped;

    private static int Slot(long fp) => (int)((ulong)fp * 0x9E3779B97F4A7C15UL >> (64 - Bits));

    public bool Holds(long fp) => fp != 0 && _fps[Slot(fp)] == fp;

    public void Add(long fp) => _fps[Slot(fp)] = fp;
}
