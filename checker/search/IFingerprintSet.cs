namespace NotifierSpec.Checker;

/// <summary>
/// The set of fingerprints of the states seen (TLC: tlc2/tool/fp/FPSet). Add is called by the search's
/// sequential merge only; Contains may be called by several workers at once while no Add runs.
/// </summary>
public interface IFingerprintSet : IDisposable
{
    long Count { get; }
    /// <summary>Bytes held in memory.</summary>
    long Bytes { get; }
    bool Contains(long fp);
    /// <summary>Adds fp; false if it was present.</summary>
    bool Add(long fp);
    /// <summary>Every fingerprint of the set, in no particular order (for a checkpoint).</summary>
    IEnumerable<long> All();
}
