namespace NotifierSpec.Checker;

/// <summary>
/// The states of one breadth-first level still to be expanded, first in first out, each with its trace id
/// (TLC: tlc2/tool/queue/IStateQueue). Used by the search's thread only.
/// </summary>
public interface IStateQueue : IDisposable
{
    /// <summary>States enqueued and not yet dequeued.</summary>
    long Count { get; }
    /// <summary>Bytes held in memory.</summary>
    long Bytes { get; }
    void Enqueue(Value[] st, int id);
    /// <summary>Moves up to states.Length states (and their ids) out of the queue, oldest first; returns how many.</summary>
    int Dequeue(Value[][] states, int[] ids);
    /// <summary>The states not yet dequeued, oldest first, without dequeuing them (for a checkpoint).</summary>
    IEnumerable<(Value[] State, int Id)> Pending();
}
