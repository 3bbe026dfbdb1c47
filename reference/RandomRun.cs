namespace NotifierSpec.Reference;

/// <summary>
/// A seeded random workload: CPU calls of every call site and device reads and writes, interleaved at
/// every step. Same config and seed, same run. Used by the benchmark, by trace validation and as the
/// plain generator behind the property tests.
/// </summary>
public static class RandomRun
{
    public static Call RandomCpuCall(Random r, MmState s)
    {
        int n = s.Config.Pages;
        int a = r.Next(n), len = 1 + r.Next(Math.Min(8, n)), b = Math.Min(n, a + len);
        Prot prot = (Prot)r.Next(3);
        return r.Next(22) switch
        {
            0 or 1 => new Call.Mmap(a, b, r.Next(4) == 0 ? Prot.Read : Prot.ReadWrite, Shared: r.Next(4) == 0, Thp: r.Next(3) == 0, Mergeable: r.Next(2) == 0, Hugetlb: r.Next(10) == 0),
            2 => new Call.Munmap(a, b),
            3 => new Call.Mprotect(a, b, prot),
            4 => new Call.Mremap(a, b, r.Next(n - (b - a) + 1)),
            5 => new Call.MadviseDontneed(a, b),
            6 => new Call.MadviseFree(a, b),
            7 => new Call.Truncate(a, b),
            8 or 9 => new Call.CpuRead(a),
            10 or 11 => new Call.CpuWrite(a, r.Next(1, 100)),
            12 => s.Children.Count < 2 ? new Call.Fork() : new Call.PageReferenced(a),
            13 => new Call.Migrate(a),
            14 => new Call.KsmMerge(a, r.Next(n)),
            15 => new Call.SplitHuge(a),
            16 => new Call.CollapseHuge(a),
            17 => new Call.Mlock(a, b),
            18 => new Call.Munlock(a, b),
            19 => new Call.Writeback(a),
            20 => new Call.ClearRefs(),
            _ => new Call.OomReap(),
        };
    }

    /// <summary>Runs until `steps` lines were produced or the first violation (when stopAtViolation).
    /// draw: the CPU calls to draw, another is drawn again (conformance/Coverage.Draws: what a check models).</summary>
    /// <param name="allow">when given, a call it refuses is left out (counted as refused): keeps a run inside what a
    /// checker covers (spec/'s refinement check leaves out make_device_exclusive, for instance)</param>
    public static Session Run(MmConfig config, int seed, int steps, bool record = true, bool stopAtViolation = true, bool allowExit = true, Func<Call, bool>? draw = null,
        Func<Call, bool>? allow = null)
    {
        var r = new Random(seed);
        var s = new Session(config) { Record = record };
        // a mapping to start from, so the first steps do something
        s.Call(new Call.Mmap(0, config.Pages, Prot.ReadWrite, Thp: true, Mergeable: true));
        var enabled = new List<int>(8);
        int refused = 0;
        while (s.Lines < steps && refused < 1000)
        {
            if (stopAtViolation && s.FirstViolation is not null) break;
            var st = s.State;
            if (st.Exited && Machine.Idle(st)) break; // exit_mmap done: nothing left to model
            enabled.Clear();
            enabled.AddRange(Machine.Enabled(st));
            int choices = enabled.Count + (st.Op is null && !st.Exited ? 1 : 0) + st.Mirrors.Count(m => m.Op is null);
            if (choices == 0) break;
            int pick = r.Next(choices);
            if (pick < enabled.Count) { s.Step(enabled[pick]); continue; }
            pick -= enabled.Count;
            try
            {
                if (st.Op is null && !st.Exited)
                {
                    if (pick == 0)
                    {
                        // exit is rare: it ends the run's interesting part
                        var cpu = allowExit && r.Next(400) == 0 ? new Call.Exit() : RandomCpuCall(r, st);
                        while (draw is not null && !draw(cpu)) cpu = RandomCpuCall(r, st);
                        if (allow is not null && !allow(cpu)) { refused++; continue; }
                        s.Call(cpu);
                        continue;
                    }
                    pick--;
                }
                int m = Enumerable.Range(0, st.Mirrors.Length).Where(i => st.Mirrors[i].Op is null).ElementAt(pick);
                int page = r.Next(config.Pages);
                int kind = r.Next(20);
                if (kind == 0 && st.Op is not null) kind = 1;
                Call dc = kind == 0 ? new Call.DeviceExclusive(m, page) : kind < 10 ? new Call.DeviceRead(m, page) : new Call.DeviceWrite(m, page, r.Next(1, 100));
                if (allow is not null && !allow(dc)) { refused++; continue; }
                s.Call(dc);
            }
            catch (ModelException)
            {
                // out of frames (a fork-heavy run) or an exited mm: the call is dropped
                refused++;
            }
        }
        return s;
    }
}
