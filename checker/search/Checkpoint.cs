using System.Text;

namespace NotifierSpec.Checker;

/// <summary>A --recover directory that holds no checkpoint of this spec, or a damaged one.</summary>
public sealed class CheckpointError(string message) : Exception(message);

/// <summary>
/// Checkpoint and recovery (TLC: ModelChecker.checkpoint / recover with the queue's, the fingerprint set's and
/// the trace's own checkpoint files). Between two batches the search's whole state is consistent: the rest of
/// the level's queue, the next level's queue so far, the fingerprint set, every state's fingerprint and parent,
/// the counters and (with temporal properties) the state graph. It is written to DIR/checkpoint.tmp, flushed to
/// disk and renamed over DIR/checkpoint.bin, so a run killed at any moment leaves the previous checkpoint or the
/// new one, never a part of one. A recovered run continues with the next batch and ends with the same counts,
/// depth and counterexample as a run that was never stopped.
/// </summary>
public sealed partial class ModelChecker
{
    public const string CheckpointFile = "checkpoint.bin";
    private const string Magic = "notifier-checkpoint-2";
    private const int HashBytes = 32;

    /// <summary>What a checkpoint must agree with to be recovered by this run: the text of the spec's module
    /// file, of the module files it extends or instantiates, and of its .cfg (constants included), its variables and actions (with their positions) and the
    /// options that change the search.</summary>
    private string Identity() => string.Join("\n", [Path.GetFileName(spec.File), Digest(spec.File), Digest(spec.Config.File),
        .. spec.ModuleFiles.Select(f => $"{Path.GetFileName(f)}={Digest(f)}"),
        .. spec.Vars, .. spec.Actions.Select(a => a.Describe),
        $"deadlock={_deadlock}", $"view={spec.View is not null}", $"symmetry={spec.Symmetry is not null}", $"temporal={_graph is StateGraph}"]);

    private static string Digest(string file) =>
        File.Exists(file) ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))) : "-";

    private void WriteCheckpoint(string dir)
    {
        var tmp = Path.Combine(dir, "checkpoint.tmp");
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
        {
            using (var w = new BinaryWriter(fs, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic); w.Write(Identity());
                WriteStrings(w);
                w.Write(_generated); w.Write(_level); w.Write(_peakQueue); w.Write(_bestId); w.Write(_bestScore);
                foreach (var n in _actGen) w.Write(n);
                foreach (var n in _actNew) w.Write(n);
                _trace.Write(w);
                w.Write(_seen.Count);
                foreach (var fp in _seen.All()) w.Write(fp);
                WriteStates(w, _current.Pending(), _current.Count);
                WriteStates(w, _next.Pending(), _next.Count);
                if (_graph is StateGraph g) WriteGraph(w, g);
                w.Write(Magic);
            }
            // a SHA-256 of everything before it: a damaged byte anywhere is refused on recovery, never read as other data
            fs.Flush();
            fs.Position = 0;
            var hash = System.Security.Cryptography.SHA256.HashData(fs);
            fs.Write(hash);
            fs.Flush(true);
        }
        File.Move(tmp, Path.Combine(dir, CheckpointFile), overwrite: true);
        _o.WriteLine($"Checkpoint written to {dir}: {_trace.Count} distinct states, {_current.Count + _next.Count} states left on queue.");
    }

    /// <summary>Every string with its token, in token order (TLC checkpoints its UniqueString intern table): states
    /// hold strings as tokens, and strings are ordered by token, so a recovered run needs the strings made during
    /// the search (ToString, ...) under the same tokens.</summary>
    private void WriteStrings(BinaryWriter w)
    {
        int n = spec.Interner.Count;
        w.Write(n);
        for (int t = 0; t < n; t++) w.Write(spec.Interner.ByToken(t).S);
    }

    /// <summary>Gives this run's strings the checkpoint's tokens: those made while loading must already have
    /// them (loading is deterministic), the rest are made in token order.</summary>
    private void ReadStrings(BinaryReader r, string file)
    {
        int n = r.ReadInt32();
        if (n < 0) throw new CheckpointError($"{file}: the checkpoint is damaged");
        for (int t = 0; t < n; t++)
        {
            var s = r.ReadString();
            var have = t < spec.Interner.Count ? spec.Interner.ByToken(t) : spec.Interner.Str(s);
            if (have.Tok != t || have.S != s)
                throw new CheckpointError($"{file}: the checkpoint's string {t} is \"{s}\", this run's is \"{have.S}\" (token {have.Tok})");
        }
    }

    private static void WriteStates(BinaryWriter w, IEnumerable<(Value[] State, int Id)> states, long count)
    {
        w.Write(count);
        var buf = new StateBuffer(1 << 12);
        foreach (var (st, id) in states)
        {
            buf.Len = 0;
            if (!buf.TryAdd(st)) throw new EvalError("cannot write a checkpoint: a state holds a value that cannot be serialized (a lazy or infinite set, or a recursive function)");
            w.Write(id); w.Write(buf.Len); w.Write(buf.Buf, 0, buf.Len);
        }
    }

    /// <summary>The states as they are read (a queue is refilled while its checkpoint is read, not held twice).</summary>
    private IEnumerable<(Value[] State, int Id)> ReadStates(BinaryReader r)
    {
        long n = r.ReadInt64();
        for (long i = 0; i < n; i++)
        {
            int id = r.ReadInt32();
            var bytes = r.ReadBytes(r.ReadInt32());
            int p = 0;
            yield return (StateCodec.Read(spec, bytes, ref p), id);
        }
    }

    private static void WriteGraph(BinaryWriter w, StateGraph g)
    {
        WriteStates(w, g.States.Select((st, id) => (st, id)), g.States.Count);
        foreach (var s in g.Succ) { w.Write(s.Length); foreach (var t in s) w.Write(t); }
        w.Write(g.Inits.Count);
        foreach (var i in g.Inits) w.Write(i);
    }

    private void ReadGraph(BinaryReader r, StateGraph g)
    {
        var states = ReadStates(r).ToList();
        var inits = new HashSet<int>();
        var succ = new List<List<int>>(states.Count);
        foreach (var _ in states)
        {
            int n = r.ReadInt32();
            var s = new List<int>(n);
            for (int k = 0; k < n; k++) s.Add(r.ReadInt32());
            succ.Add(s);
        }
        int ni = r.ReadInt32();
        for (int k = 0; k < ni; k++) inits.Add(r.ReadInt32());
        foreach (var (st, id) in states) g.State(id, _trace.Fingerprints[id], st, inits.Contains(id));
        for (int id = 0; id < succ.Count; id++) foreach (var t in succ[id]) g.Edge(id, t, 0);
    }

    /// <summary>Whether the file's last HashBytes are the SHA-256 of the bytes before them; leaves the stream at 0.</summary>
    private static bool HashMatches(FileStream fs)
    {
        long body = fs.Length - HashBytes;
        if (body <= 0) return false;
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buf = new byte[1 << 16];
        for (long left = body; left > 0;)
        {
            int n = fs.Read(buf, 0, (int)Math.Min(buf.Length, left));
            if (n == 0) return false;
            sha.AppendData(buf, 0, n);
            left -= n;
        }
        var stored = new byte[HashBytes];
        fs.ReadExactly(stored);
        fs.Position = 0;
        return sha.GetHashAndReset().AsSpan().SequenceEqual(stored);
    }

    /// <summary>The search as the checkpoint in dir left it, instead of the initial states.</summary>
    private void Recover(string dir)
    {
        var file = Path.Combine(dir, CheckpointFile);
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (!HashMatches(fs)) throw new CheckpointError($"{file}: the checkpoint cannot be read (its SHA-256 does not match its contents)");
            using var r = new BinaryReader(fs, Encoding.UTF8);
            if (r.ReadString() != Magic) throw new CheckpointError($"{file}: not a checkpoint of notifier check");
            if (r.ReadString() != Identity()) throw new CheckpointError($"{file}: the checkpoint is of another spec, configuration or options");
            ReadStrings(r, file);
            _generated = r.ReadInt64(); _level = r.ReadInt32(); _peakQueue = r.ReadInt64(); _bestId = r.ReadInt32(); _bestScore = r.ReadInt64();
            for (int i = 0; i < _actGen.Length; i++) _actGen[i] = r.ReadInt64();
            for (int i = 0; i < _actNew.Length; i++) _actNew[i] = r.ReadInt64();
            _trace.Read(r);
            long fps = r.ReadInt64();
            for (long i = 0; i < fps; i++) _seen.Add(r.ReadInt64());
            foreach (var (st, id) in ReadStates(r)) _current.Enqueue(st, id);
            _next = NewQueue();
            foreach (var (st, id) in ReadStates(r)) _next.Enqueue(st, id);
            if (_graph is StateGraph g) ReadGraph(r, g);
            if (r.ReadString() != Magic || _seen.Count != fps || _trace.Count != fps) throw new CheckpointError($"{file}: the checkpoint is damaged");
        }
        catch (Exception e) when (e is not CheckpointError)
        {
            throw new CheckpointError($"{file}: the checkpoint cannot be read ({e.Message})");
        }
        _o.WriteLine($"Recovered from {file}: {_trace.Count} distinct states found, {_current.Count} states left on queue at level {_level} and {_next.Count} at level {_level + 1}.");
    }
}
