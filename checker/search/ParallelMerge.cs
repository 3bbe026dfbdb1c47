namespace NotifierSpec.Checker;

/// <summary>
/// The merge of a batch by all the workers, with the result of the serial merge (Merge): the same states
/// found new, numbered in the same order, with the same parents, queued in the same order; so counts, depth
/// and traces do not depend on the number of workers. A successor that was not in the fingerprint set when a
/// worker judged it ("fresh") is new if it is the first fresh successor with its fingerprint in the batch's
/// order (state index, then successor index): every fresh successor's key goes into a table of the batch that
/// keeps the smallest key per fingerprint (compare-and-swap), then each finds out whether it is that one. New
/// states are numbered in the batch's order (a prefix sum over the states), and the workers insert their
/// fingerprints into the set (compare-and-swap, room made beforehand), record their parents in the trace and
/// encode them for the next level's queue, each into a buffer of its chunk; the buffers are appended in order
/// (the atoms and domains new to the queue's table get their codes after the phase: StateQueue.BeginBatch).
/// With temporal properties the workers also tell the state graph (in memory) the new states and every expanded
/// state's successors (StateGraph.StateAt, SetSucc): a successor's id is the one its fingerprint was given before
/// the batch (the graph's table), or the id its first occurrence in the batch gets from the numbering (FreshId),
/// so the graph is the serial merge's whatever the workers.
/// A batch with an error, a violation or a deadlock (Expansion.Event) is merged serially, which reports the
/// first of them in the batch's order as before.
/// </summary>
public sealed partial class ModelChecker
{
    private bool _parallelMerge;
    private long _parallelBatches, _batchOverflows;
    // the batch's table: fingerprint -> its smallest key, stored as long.MaxValue - key so that 0 is empty and
    // the largest value stored is the smallest key
    private long[] _batchFp = [], _batchKey = [];
    private int _batchMask = (1 << 10) - 1;
    private long _batchPuts;
    private volatile bool _batchOverflow;
    private long[] _chunkGen = [];
    private long[][] _chunkActGen = [], _chunkActNew = [];
    private int[] _chunkRecords = [];
    private StateBuffer[] _chunkOut = [], _chunkState = [];
    private List<int>[] _chunkTargets = [];
    private StateQueue? _chunkQueue;
    private readonly int[] _winners = new int[Batch], _base = new int[Batch];

    private static long Key(int i, int j) => ((long)i << 32) | (uint)j;

    private long Stored(int i, int j) => opt.PlantedMergeBug ? Key(i, j) + 1 : long.MaxValue - Key(i, j);

    private static int Slot(long fp, int mask) => (int)(((ulong)fp * 0x9E3779B97F4A7C15UL) >> 32) & mask;

    private static long Norm(long fp) => fp == 0 ? 1 : fp;

    private void BatchPut(long fp, long stored)
    {
        fp = Norm(fp);
        var fps = _batchFp; var keys = _batchKey;
        int i = Slot(fp, _batchMask);
        while (true)
        {
            long x = Volatile.Read(ref fps[i]);
            if (x == 0)
            {
                x = Interlocked.CompareExchange(ref fps[i], fp, 0);
                if (x == 0) x = fp;
            }
            if (x == fp)
            {
                long k = Volatile.Read(ref keys[i]);
                while (stored > k)
                {
                    long prev = Interlocked.CompareExchange(ref keys[i], stored, k);
                    if (prev == k) return;
                    k = prev;
                }
                return;
            }
            i = (i + 1) & _batchMask;
        }
    }

    private long BatchGet(long fp)
    {
        fp = Norm(fp);
        int i = Slot(fp, _batchMask);
        for (int probes = 0; _batchFp[i] != fp; probes++)
        {
            // every fresh successor was put (the table is at most half full): not found is a bug, never a hang
            if (probes > _batchMask) throw new InvalidOperationException("parallel merge: a fresh successor is not in the batch's table");
            i = (i + 1) & _batchMask;
        }
        return _batchKey[i];
    }

    /// <summary>body(chunk, from, to) over the batch's states in chunks, on all workers.</summary>
    private void ForChunks(int n, int workers, WorkerThreads? pool, Action<int, int, int> body)
    {
        int chunk = pool is null ? Math.Max(1, n) : Math.Max(1, n / (workers * 8));
        int nChunks = (n + chunk - 1) / chunk;
        EnsureChunks(nChunks);
        // in blocks, as the expansion: a chunk's successors were made by the worker that merges them
        Phase(nChunks, pool, (ch, _) => body(ch, ch * chunk, Math.Min(n, (ch + 1) * chunk)), blocks: true);
    }

    private void EnsureChunks(int n)
    {
        if (_chunkGen.Length >= n) return;
        int old = _chunkGen.Length;
        Array.Resize(ref _chunkGen, n);
        Array.Resize(ref _chunkRecords, n);
        Array.Resize(ref _chunkActGen, n);
        Array.Resize(ref _chunkActNew, n);
        Array.Resize(ref _chunkOut, n);
        Array.Resize(ref _chunkState, n);
        Array.Resize(ref _chunkTargets, n);
        for (int k = old; k < n; k++)
        {
            _chunkTargets[k] = [];
            _chunkActGen[k] = new long[_actGen.Length];
            _chunkActNew[k] = new long[_actNew.Length];
        }
        _chunkQueue = null; // buffers for the new chunks too
    }

    /// <summary>Before a batch is expanded: its table, empty, as large as the largest batch so far needed.</summary>
    private void StartBatchTable()
    {
        int cap = _batchMask + 1;
        if (_batchFp.Length < cap) { _batchFp = new long[cap]; _batchKey = new long[cap]; }
        else { Array.Clear(_batchFp, 0, cap); Array.Clear(_batchKey, 0, cap); }
        _batchPuts = 0;
        _batchOverflow = false;
    }

    /// <summary>On a worker that has just expanded the batch's i-th state: its fresh successors go into the batch's
    /// table, if the table has room for them (at most half full, counting every put); otherwise the merge puts
    /// all the batch's fresh successors into a larger table, as a phase of its own.</summary>
    private void PutFresh(Expansion x, int i)
    {
        if (Interlocked.Add(ref _batchPuts, x.Fresh[i]) > (_batchMask + 1) / 2)
        {
            if (!opt.PlantedLostPuts) _batchOverflow = true;
            return;
        }
        var list = x.Succs[i];
        for (int j = 0; j < list.Count; j++)
            if (list[j].Fresh) BatchPut(list[j].Fp, Stored(i, j));
    }

    /// <summary>The batch's i-th state's successors in the state graph, each once in the order of its steps (the
    /// serial merge's StateGraph.Edge); a fresh one's id from the numbering (first: the batch's first new id).</summary>
    private int[] Targets(StateGraph g, Expansion x, int i, int first, List<int> targets)
    {
        targets.Clear();
        foreach (var s in x.Succs[i])
        {
            if (!s.InModel) continue;
            int t = s.Fresh ? FreshId(x, s.Fp, first) : g.IdOf(s.Fp);
            if (!targets.Contains(t)) targets.Add(t);
        }
        return targets.Count == 0 ? [] : [.. targets];
    }

    /// <summary>The id of a fresh fingerprint: that of its first occurrence in the batch (the key the batch's table
    /// kept), the new states before it numbered in the batch's order.</summary>
    private int FreshId(Expansion x, long fp, int first)
    {
        long stored = BatchGet(fp);
        long key = opt.PlantedMergeBug ? stored - 1 : long.MaxValue - stored;
        int i = (int)(key >> 32), j = (int)(uint)key;
        int id = first + _base[i];
        var list = x.Succs[i];
        if (!opt.PlantedGraphStateFirst)
            for (int k = 0; k < j; k++)
                if (list[k].New) id++;
        return id;
    }

    private void MergeParallel(Expansion x, int workers, WorkerThreads? pool)
    {
        int n = x.Count;
        var g = _graph as StateGraph;
        g?.Flush();
        long fresh = 0;
        for (int i = 0; i < n; i++) fresh += x.Fresh[i];
        // the workers put the fresh successors into the batch's table as they expanded them, unless it was too
        // small: then a table at most half full, and the puts as a phase of their own
        if (_batchOverflow)
        {
            int cap = _batchMask + 1;
            while (cap < 2 * fresh) cap <<= 1;
            _batchMask = cap - 1;
            StartBatchTable();
            if (fresh > 0)
                ForChunks(n, workers, pool, (ch, from, to) =>
                {
                    for (int i = from; i < to; i++)
                    {
                        if (x.Fresh[i] == 0) continue;
                        var list = x.Succs[i];
                        for (int j = 0; j < list.Count; j++)
                            if (list[j].Fresh) BatchPut(list[j].Fp, Stored(i, j));
                    }
                });
            _batchOverflows++;
            if (_stats is not null) _stats.TableOverflows++;
        }
        // which fresh successors are first, and the counts
        ForChunks(n, workers, pool, (ch, from, to) =>
        {
            long gen = 0;
            var ag = _chunkActGen[ch]; var an = _chunkActNew[ch];
            Array.Clear(ag); Array.Clear(an);
            for (int i = from; i < to; i++)
            {
                var list = x.Succs[i];
                gen += list.Count + x.Intermediate[i];
                int w = 0;
                for (int j = 0; j < list.Count; j++)
                {
                    var s = list[j];
                    ag[s.Action]++;
                    if (s.Fresh && BatchGet(s.Fp) == Stored(i, j)) { s.New = true; w++; an[s.Action]++; }
                }
                _winners[i] = w;
                // a state without fresh successors: its steps end in states that have ids
                if (g is not null && x.Fresh[i] == 0) g.SetSucc(x.Ids[i], Targets(g, x, i, 0, _chunkTargets[ch]));
            }
            _chunkGen[ch] = opt.PlantedChunkCount && ch == 1 ? gen + 1 : gen;
        });
        int found = 0;
        for (int i = 0; i < n; i++) { _base[i] = found; found += _winners[i]; }
        int nChunks = _chunkGen.Length;
        int chunkSize = pool is null ? Math.Max(1, n) : Math.Max(1, n / (workers * 8));
        int used = (n + chunkSize - 1) / chunkSize;
        for (int ch = 0; ch < used; ch++)
        {
            _generated += _chunkGen[ch];
            for (int a = 0; a < _actGen.Length; a++) { _actGen[a] += _chunkActGen[ch][a]; _actNew[a] += _chunkActNew[ch][a]; }
        }
        if (found > 0)
        {
            var seen = (FpSet)_seen;
            seen.EnsureRoom(found);
            int first = _trace.Reserve(found, _level + 1);
            if (g is not null)
            {
                if (g.Count != first) throw new InvalidOperationException($"parallel merge: the state graph has {g.Count} states, the trace {first}");
                g.Reserve(found);
            }
            var queue = (StateQueue)_next;
            if (!ReferenceEquals(_chunkQueue, queue))
            {
                for (int ch = 0; ch < nChunks; ch++) { _chunkOut[ch] = queue.NewBuffer(); _chunkState[ch] = queue.NewBuffer(); }
                _chunkQueue = queue;
            }
            queue.BeginBatch();
            ForChunks(n, workers, pool, (ch, from, to) =>
            {
                var output = _chunkOut[ch]; var state = _chunkState[ch];
                output.Len = 0;
                int records = 0;
                for (int i = from; i < to; i++)
                {
                    if (_winners[i] > 0)
                    {
                        int id = first + _base[i], parent = x.Ids[i];
                        foreach (var s in x.Succs[i])
                        {
                            if (!s.New) continue;
                            _trace.Set(id, s.Fp, parent);
                            if (!seen.AddConcurrent(s.Fp)) throw new InvalidOperationException("parallel merge: a new state's fingerprint was in the set");
                            g?.StateAt(id, s.Fp, s.State!);
                            queue.EncodeRecord(output, state, s.State!, id);
                            id++; records++;
                        }
                    }
                    if (g is not null && x.Fresh[i] > 0) g.SetSucc(x.Ids[i], Targets(g, x, i, first, _chunkTargets[ch]));
                }
                _chunkRecords[ch] = records;
            });
            queue.EndBatch();
            seen.Added(found);
            g?.Added(found);
            for (int ch = 0; ch < used; ch++) queue.AppendRecords(_chunkOut[ch], _chunkRecords[ch]);
        }
        _parallelBatches++;
        if (_stats is not null) _stats.ParallelBatches++;
    }
}
