using Microsoft.Z3;

namespace NotifierSpec.Spec;

/// <summary>An action instance: its arguments (fresh constants), guard and post-state.</summary>
public sealed record ActionInstance(string Name, IReadOnlyList<(string Name, Expr Value)> Args, BoolExpr Guard, State Post);

/// <summary>An action (a step of the transition system, named as in docs/rules.md and tla/).</summary>
public sealed record ModelAction(string Name, string Source, bool DependsOnPolicy, Func<State, string, ActionInstance> Build);

/// <summary>One conjunct of the invariant: ∀ Vars. Body, built afresh for a given state.</summary>
public sealed record Conjunct(string Name, bool IsRule, string Why, Func<State, (Expr[] Vars, BoolExpr Body)> Build);

/// <summary>
/// The notifier transition system over uninterpreted sorts, for one vocabulary and one
/// variant (listener policy + injected bug). Page tables are arrays indexed by page (and
/// device / invalidation); every update is a store or a lambda, so unchanged state needs no
/// frame axiom. Quantifiers appear only in guards and invariants, over uninterpreted sorts
/// with no function from a "later" sort back to an earlier one (pages, devices and
/// invalidations map to frames, never back): the stratified fragment Ivy/mypyvy use.
/// </summary>
public sealed class Model
{
    public Context Ctx { get; }
    public Sorts S { get; }
    public ModelVocabulary Vocabulary { get; }
    public Variant Variant { get; }
    public IReadOnlyList<VarSpec> Vars { get; }
    public IReadOnlyList<ModelAction> Actions { get; }
    public IReadOnlyList<Conjunct> Conjuncts { get; }
    /// <summary>When set, invalidate_range_start only starts this event (contract BMC).</summary>
    public string? OnlyEvent { get; }
    /// <summary>When set, every invalidate_range_start is userfaultfd's write-protect (uffd_wp_range, MM_CP_UFFD_WP):
    /// the contract of MMU_NOTIFY_PROTECTION_VMA for that sender alone (Contract.UffdWp, BMC).</summary>
    public bool UffdWpOnly { get; }
    /// <summary>Finite sorts (BMC) or null (uninterpreted sorts: proofs for every size).</summary>
    public Bounds? Bounds { get; }
    private readonly Dictionary<string, Expr> _event = new(StringComparer.Ordinal);
    private readonly Expr _idle, _begun, _locked, _checked, _retried;
    private int _fresh;

    public Model(Context ctx, ModelVocabulary vocabulary, Variant variant, string? onlyEvent = null, Bounds? bounds = null, Sorts? sorts = null,
        bool uffdWpOnly = false)
    {
        UffdWpOnly = uffdWpOnly;
        Bounds = bounds;
        Ctx = ctx;
        Vocabulary = vocabulary;
        Variant = variant;
        OnlyEvent = onlyEvent;
        // sorts can be shared by several models on one context (the contract builds one model
        // per event x reaction); Z3 sorts are per context
        S = sorts ?? MakeSorts(ctx, vocabulary, bounds);
        if (bounds is not null)
            foreach (var (name, sort) in new[] { ("Page", S.Page), ("Frame", S.Frame), ("Dev", S.Dev), ("Inv", S.Inv) })
                _elements[name] = ((EnumSort)sort).Consts;
        var phase = S.Phase;
        var ev = S.Event;
        for (int k = 0; k < vocabulary.Events.Count; k++) _event[vocabulary.Events[k].Name] = ev.Consts[k];
        (_idle, _begun, _locked, _checked, _retried) = (phase.Consts[0], phase.Consts[1], phase.Consts[2], phase.Consts[3], phase.Consts[4]);
        Vars = MakeVars();
        Actions = MakeActions();
        Conjuncts = MakeConjuncts();
    }

    private readonly Dictionary<string, Expr[]> _elements = new(StringComparer.Ordinal);

    public static Sorts MakeSorts(Context ctx, ModelVocabulary vocabulary, Bounds? bounds) => new()
    {
        Page = MkSort(ctx, "Page", "p", bounds?.Pages),
        Frame = MkSort(ctx, "Frame", "f", bounds?.Frames),
        Dev = MkSort(ctx, "Dev", "d", bounds?.Devices),
        Inv = MkSort(ctx, "Inv", "i", bounds?.Invalidations),
        Phase = ctx.MkEnumSort("Phase", "idle", "begun", "locked", "checked", "retried"),
        Event = ctx.MkEnumSort("Event_" + vocabulary.Name.Replace('-', '_'), vocabulary.Events.Select(e => e.Name).ToArray()),
        Bool = ctx.BoolSort,
    };

    private static Sort MkSort(Context ctx, string name, string prefix, int? size) =>
        size is int n
            ? ctx.MkEnumSort(name, Enumerable.Range(0, n).Select(k => prefix + k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            : ctx.MkUninterpretedSort(name);

    /// <summary>The elements of a finite sort (BMC).</summary>
    public Expr[] Elements(Sort s) => _elements[s.Name.ToString()];

    // ---------------------------------------------------------------- helpers
    private BoolExpr And(params BoolExpr[] a) => a.Length == 1 ? a[0] : Ctx.MkAnd(a);
    private BoolExpr Or(params BoolExpr[] a) => a.Length == 0 ? Ctx.MkFalse() : a.Length == 1 ? a[0] : Ctx.MkOr(a);
    private BoolExpr Not(BoolExpr a) => Ctx.MkNot(a);
    private BoolExpr Imp(BoolExpr a, BoolExpr b) => Ctx.MkImplies(a, b);
    private BoolExpr Eq(Expr a, Expr b) => Ctx.MkEq(a, b);
    private BoolExpr T => Ctx.MkTrue();
    private BoolExpr F => Ctx.MkFalse();
    private Expr Ite(BoolExpr c, Expr a, Expr b) => Ctx.MkITE(c, a, b);

    /// <summary>A fresh bound variable (for ∀ and λ).</summary>
    public Expr Bound(Sort sort, string hint) => Ctx.MkConst($"{hint}!{_fresh++}", sort);
    /// <summary>∀ vars. body; over finite sorts (BMC) expanded into a conjunction.</summary>
    private BoolExpr Forall(Expr[] vars, BoolExpr body)
    {
        if (Bounds is null) return Ctx.MkForall(vars, body);
        IEnumerable<Expr[]> tuples = [[]];
        foreach (var v in vars)
        {
            var elems = Elements(v.Sort);
            tuples = tuples.SelectMany(t => elems.Select(e => t.Append(e).ToArray())).ToList();
        }
        return And(tuples.Select(t => (BoolExpr)body.Substitute(vars, t)).ToArray());
    }

    /// <summary>The invariant conjunct as a closed formula.</summary>
    public BoolExpr Closed(Conjunct c, State s)
    {
        var (vars, body) = c.Build(s);
        return vars.Length == 0 ? body : Forall(vars, body);
    }
    private ArrayExpr Lambda(Expr[] vars, Expr body) => Ctx.MkLambda(vars, body);
    private Expr Arg(string name, Sort sort, string suffix) => Ctx.MkConst($"{name}#{suffix}", sort);

    public Expr EventConst(string name) => _event[name];
    public Expr PhaseConst(string name) => name switch
    {
        "idle" => _idle, "begun" => _begun, "locked" => _locked, "checked" => _checked, "retried" => _retried,
        _ => throw new ArgumentException(name),
    };

    private BoolExpr EventIn(Expr ev, IEnumerable<EventInfo> events) => Or(events.Select(e => Eq(ev, _event[e.Name])).ToArray());
    private IEnumerable<EventInfo> ReactingWith(ModelReaction r) => Vocabulary.Events.Where(e => Variant.ReactionFor(Vocabulary, e) == r);
    private IEnumerable<EventInfo> WithEffect(Effect f) => Vocabulary.Events.Where(e => e.Effect == f);

    /// <summary>invalidation i has begun and neither ended nor been refused</summary>
    public BoolExpr Active(State s, Expr i) => And(s.B("begun", i), Not(s.B("ended", i)), Not(s.B("refused", i)));

    /// <summary>invalidate_range_start has returned: every listener's callback ran (R1, R6)</summary>
    private BoolExpr Started(State s, Expr i)
    {
        var d = Bound(S.Dev, "d");
        return And(Active(s, i), Forall([d], And(s.B("called", i, d), Not(s.B("finish_due", i, d)))));
    }

    private BoolExpr IsReaction(State s, Expr i, ModelReaction r) => EventIn(s.At("event", i), ReactingWith(r));
    private BoolExpr IsEffect(State s, Expr i, Effect f) => EventIn(s.At("event", i), WithEffect(f));

    /// <summary>Invalidation i may take access away from a PTE (so a reader that saw the old PTE
    /// must retry): every effect but Nothing and mprotect to read-write.</summary>
    private BoolExpr Weakens(State s, Expr i) => Or(
        IsEffect(s, i, Effect.WriteProtect), IsEffect(s, i, Effect.SoftDirtyClear), IsEffect(s, i, Effect.Unmap), IsEffect(s, i, Effect.Any),
        And(IsEffect(s, i, Effect.Protection), Not(And(s.B("np_read", i), s.B("np_write", i)))));

    /// <summary>The device PTE (d, p) survives whatever change invalidation i's event allows
    /// (the listener did what the event needs).</summary>
    private BoolExpr Compatible(State s, Expr i, Expr d, Expr p)
    {
        var w = s.B("dev_write", d, p);
        return Or(
            IsEffect(s, i, Effect.Nothing),
            And(Or(IsEffect(s, i, Effect.WriteProtect), IsEffect(s, i, Effect.SoftDirtyClear)), Not(w)),
            And(IsEffect(s, i, Effect.Protection), s.B("np_read", i), Imp(w, s.B("np_write", i))));
    }

    /// <summary>The device PTE (d, q) equals the CPU PTE's frame with no more access.</summary>
    private BoolExpr DevMatchesCpu(State s, string pre, Expr d, Expr q) => And(
        s.B("cpu_present", q), s.B("cpu_read", q),
        Eq(s.At("cpu_frame", q), s.At(pre + "_frame", d, q)),
        Imp(s.B(pre + "_write", d, q), s.B("cpu_write", q)));

    /// <summary>arr with row `key` replaced: λ(x, q). x = key ? f(q) : arr[x][q]</summary>
    private ArrayExpr Row(State s, string name, Sort keySort, Sort colSort, Expr key, Func<Expr, Expr> f)
    {
        var x = Bound(keySort, "x");
        var q = Bound(colSort, "q");
        return Lambda([x, q], Ite(Eq(x, key), f(q), s.At(name, x, q)));
    }

    private ArrayExpr Map2(State s, Sort a, Sort b, Func<Expr, Expr, Expr> f)
    {
        var x = Bound(a, "x");
        var q = Bound(b, "q");
        return Lambda([x, q], f(x, q));
    }

    /// <summary>s[name] with [idx] := v. Finite models use λx. x = idx ? v : s[name][x], which
    /// the simplifier beta-reduces at concrete indices (a store with a symbolic index is not).</summary>
    private ArrayExpr Store(State s, string name, Expr[] idx, Expr v)
    {
        if (Bounds is null) return Ctx.MkStore((ArrayExpr)s[name], idx, v);
        var xs = idx.Select(e => Bound(e.Sort, "x")).ToArray();
        return Lambda(xs, Ite(And(xs.Zip(idx, (x, e) => Eq(x, e)).ToArray()), v, s.At(name, xs)));
    }

    // ---------------------------------------------------------------- state
    private IReadOnlyList<VarSpec> MakeVars()
    {
        Sort P = S.Page, Fr = S.Frame, D = S.Dev, I = S.Inv, B = S.Bool;
        return
        [
            new("cpu_present", [P], B, "CPU PTE present (a PROT_NONE PTE is present, not readable)"),
            new("cpu_read", [P], B, "CPU PTE readable"),
            new("cpu_write", [P], B, "CPU PTE writable"),
            new("cpu_frame", [P], Fr, "frame the CPU PTE maps"),
            new("soft_dirty", [P], B, "PTE soft-dirty bit (fs/proc/task_mmu.c)"),
            new("uffd_wp", [P], B, "PTE uffd-wp bit (x86 _PAGE_UFFD_WP, pte_swp_uffd_wp on a swap entry: linux-7.2 arch/x86/include/asm/pgtable.h pte_mkuffd_wp = pte_wrprotect(pte_set_flags(pte, _PAGE_UFFD_WP)))"),
            new("dirtied", [P], B, "ghost: the page was written since the last clear_refs"),
            new("vma_read", [P], B, "VMA allows read (vm_flags VM_READ)"),
            new("vma_write", [P], B, "VMA allows write (VM_WRITE)"),
            new("page_pending", [P], B, "v7 invalidate_page not yet delivered for this page (variant only)"),
            new("freed", [Fr], B, "frame on the free list"),
            new("dev_present", [D, P], B, "device (secondary) PTE present: dmirror's XArray entry"),
            new("dev_write", [D, P], B, "device PTE writable (DPT_XA_TAG_WRITE)"),
            new("dev_frame", [D, P], Fr, "frame the device PTE maps (no page reference held, lib/test_hmm.c)"),
            new("stale", [D, P], B, "ghost: the device PTE's frame was freed since it was installed"),
            new("snap_valid", [D, P], B, "hmm_range_fault snapshot taken for this page in the current fault"),
            new("snap_write", [D, P], B, "snapshot: writable"),
            new("snap_frame", [D, P], Fr, "snapshot: frame"),
            new("phase", [D], S.Phase, "device fault path phase (hmm.rst loop)"),
            new("collided", [D], B, "mmu_interval_set_seq ran since mmu_interval_read_begin (sseq != read_begin's seq)"),
            new("begun", [I], B, "invalidate_range_start(_nonblock) called"),
            new("ended", [I], B, "invalidate_range_end called"),
            new("refused", [I], B, "a callback refused the non-blockable start (-EAGAIN)"),
            new("nonblock", [I], B, "started by invalidate_range_start_nonblock (MMU_NOTIFIER_RANGE_BLOCKABLE clear)"),
            new("event", [I], S.Event, "the range's event"),
            new("np_read", [I], B, "mprotect: new protection allows read"),
            new("np_write", [I], B, "mprotect: new protection allows write"),
            new("cp_uffd_wp", [I], B, "change_protection with MM_CP_UFFD_WP (linux-7.2 mm/userfaultfd.c uffd_wp_range, enable_wp): every PTE changed gets the uffd-wp bit"),
            new("cp_uffd_resolve", [I], B, "change_protection with MM_CP_UFFD_WP_RESOLVE (uffd_wp_range(.., false): UFFDIO_WRITEPROTECT mode 0, unregister): the uffd-wp bits cleared, a PTE may be made writable (MM_CP_TRY_CHANGE_WRITABLE)"),
            new("in_range", [I, P], B, "page inside [start, end)"),
            new("called", [I, D], B, "the listener's invalidate callback returned for this device"),
            new("two_pass", [D], B, "the listener is a two-pass interval notifier (invalidate_start / invalidate_finish, Linux 7.2 include/linux/mmu_notifier.h; drivers/gpu/drm/xe/xe_userptr.c)"),
            new("finish_due", [I, D], B, "the listener's start pass queued a finish that has not run (mm/mmu_notifier.c mn_itree_invalidate finish_passes)"),
            new("accessed_freed", [], B, "ghost: a device access touched a freed or freed-and-reused frame"),
            new("accessed_incoherent", [], B, "ghost: a device access did not see what a CPU access would"),
            new("uncovered_change", [], B, "ghost: a CPU PTE changed outside a started invalidation's range"),
        ];
    }

    public State FreshState(string suffix) =>
        Bounds is null ? State.Fresh(Ctx, Vars, suffix) : State.FromTerms(Ctx, Vars, v => FreshTerm(v.Name, suffix, v.Domain, v.Range));

    /// <summary>A ground variable of a finite model: λx. ite(x = t0, value(t0), ...), indices as
    /// element numbers (cross-check with reference/).</summary>
    public Expr ConstantTerm(VarSpec v, Func<int[], Expr> value)
    {
        if (v.Domain.Length == 0) return value([]);
        var tuples = Tuples(v.Domain);
        int[] Index(Expr[] t) => t.Select((e, k) => Array.IndexOf(Elements(v.Domain[k]), e)).ToArray();
        var xs = v.Domain.Select(d => Bound(d, "x")).ToArray();
        Expr body = value(Index(tuples[^1]));
        for (int k = tuples.Count - 2; k >= 0; k--)
            body = Ite(And(xs.Zip(tuples[k], (x, e) => Eq(x, e)).ToArray()), value(Index(tuples[k])), body);
        return Lambda(xs, body);
    }

    /// <summary>All index tuples of a finite domain.</summary>
    public List<Expr[]> Tuples(Sort[] domain)
    {
        IEnumerable<Expr[]> tuples = [[]];
        foreach (var d in domain) tuples = tuples.SelectMany(t => Elements(d).Select(e => t.Append(e).ToArray())).ToList();
        return tuples.ToList();
    }

    /// <summary>
    /// A fresh variable. Uninterpreted sorts: an array constant. Finite sorts: one scalar
    /// constant per index tuple, wrapped in λx. ite(x = t0, c0, ite(...)), so that every select
    /// with concrete indices simplifies to a scalar and BMC stays quantifier- and array-free.
    /// </summary>
    public Expr FreshTerm(string name, string suffix, Sort[] domain, Sort range)
    {
        string full = suffix.Length == 0 ? name : $"{name}@{suffix}";
        if (domain.Length == 0) return Ctx.MkConst(full, range);
        if (Bounds is null) return Ctx.MkConst(full, Ctx.MkArraySort(domain, range));
        var tuples = Tuples(domain);
        var consts = tuples.Select(t => Ctx.MkConst($"{full}[{string.Join(",", t.Select(e => e.ToString()))}]", range)).ToList();
        var xs = domain.Select(d => Bound(d, "x")).ToArray();
        Expr body = consts[^1];
        for (int k = tuples.Count - 2; k >= 0; k--)
            body = Ite(And(xs.Zip(tuples[k], (x, e) => Eq(x, e)).ToArray()), consts[k], body);
        return Lambda(xs, body);
    }

    /// <summary>
    /// Initial states: quiescent and coherent: no invalidation begun, every device idle, no
    /// snapshot, device PTEs agreeing with the CPU, CPU PTEs within their VMA. Every such state
    /// is reachable from the empty mm by CPU faults (pte_update[fill]) and device faults, so
    /// starting BMC here only shortens counterexamples.
    /// </summary>
    public BoolExpr Init(State s)
    {
        var p = Bound(S.Page, "p");
        var d = Bound(S.Dev, "d");
        var i = Bound(S.Inv, "i");
        return And(
            Forall([p], And(
                Imp(s.B("cpu_read", p), And(s.B("cpu_present", p), s.B("vma_read", p))),
                Imp(s.B("cpu_write", p), And(s.B("cpu_read", p), s.B("vma_write", p), s.B("soft_dirty", p), Not(s.B("uffd_wp", p)))),
                Imp(s.B("cpu_present", p), Not(s.B("freed", s.At("cpu_frame", p)))),
                Not(s.B("dirtied", p)), Not(s.B("page_pending", p)))),
            Forall([d, p], And(
                Imp(s.B("dev_present", d, p), DevMatchesCpu(s, "dev", d, p)),
                Not(s.B("stale", d, p)), Not(s.B("snap_valid", d, p)))),
            Forall([d], Eq(s.At("phase", d), _idle)),
            Forall([i], And(Not(s.B("begun", i)), Not(s.B("ended", i)), Not(s.B("refused", i)))),
            Forall([i, d], Not(s.B("finish_due", i, d))),
            Not(s.B("accessed_freed")), Not(s.B("accessed_incoherent")), Not(s.B("uncovered_change")));
    }

    // ---------------------------------------------------------------- actions
    private IReadOnlyList<ModelAction> MakeActions()
    {
        var v = Variant;
        var list = new List<ModelAction>
        {
            new("invalidate_range_start", "include/linux/mmu_notifier.h mmu_notifier_invalidate_range_start", false, (s, k) => Start(s, k, nonblock: false)),
            new("invalidate_range_start_nonblock", "mmu_notifier_invalidate_range_start_nonblock (OOM reaper, R2)", false, (s, k) => Start(s, k, nonblock: true)),
            new("invalidate", "mmu_interval_notifier_ops.invalidate under the device lock, with mmu_interval_set_seq (lib/test_hmm.c dmirror_interval_invalidate)", true, Invalidate),
            new("invalidate[-EAGAIN]", "non-blockable callback whose mutex_trylock fails returns false (R2, dmirror)", false, Refuse),
            new("invalidate_finish", "mm/mmu_notifier.c mn_itree_finish_pass: a two-pass listener's invalidate_finish, after the interval walk (or a refusal), before invalidate_range_start returns", true, Finish),
            new("pte_update", "PTE change under the PTL inside a started invalidation (R1, R5-R7, TruthfulEvent)", false, PteUpdate),
            new("pte_update[fill]", "fill-in of an empty PTE by a CPU fault, or a migration entry restored by remove_migration_pte: not notified (R8)", false, Fill),
            new("pte_update[upgrade]", "permission upgrade by a CPU fault: not notified (R8)", false, Upgrade),
            new("free_frame", "a frame no CPU PTE maps is freed (R7)", false, FreeFrame),
            new("invalidate_range_end", "mmu_notifier_invalidate_range_end (R1)", true, End),
            new("release", "mmu_notifier_ops.release: tear down everything (R12)", false, Release),
            new("mmu_interval_read_begin", "mm/mmu_notifier.c mmu_interval_read_begin: sleeps while the current pass hit the device", true, ReadBegin),
            new("hmm_range_fault", "mm/hmm.c hmm_range_fault: snapshot of the CPU PTE", false, RangeFault),
            new("device_lock", "driver update lock (dmirror->mutex)", false, DeviceLock),
            new("mmu_interval_read_retry", "mmu_interval_read_retry under the device lock (hmm.rst)", false, ReadRetry),
            new("device_pte_install", "program the device PTE from the snapshot (dmirror_do_fault)", false, Install),
            new("device_unlock", "drop the driver lock", false, DeviceUnlock),
            new("device_read", "device access through its PTE (HMM_DMIRROR_READ)", false, (s, k) => Access(s, k, write: false)),
            new("device_write", "device write through its PTE (HMM_DMIRROR_WRITE)", false, (s, k) => Access(s, k, write: true)),
        };
        if (v.InvalidatePage)
        {
            list.Add(new("pte_update[page]", "v7 page_mkclean_one/try_to_unmap_one: PTE cleared under the PTL, invalidate_page after it is dropped (B1)", false, PageClear));
            list.Add(new("invalidate_page", "v7 mmu_notifier_invalidate_page delivered to the listener (B1)", false, InvalidatePage));
        }
        return list;
    }

    /// <summary>The new protection an event may carry: mprotect events per their definition,
    /// every other event read-write (unused).</summary>
    private BoolExpr NewProtOk(Expr e, BoolExpr npr, BoolExpr npw) =>
        And(Vocabulary.Events.Select(ev => Imp(Eq(e, _event[ev.Name]), ev.Effect != Effect.Protection ? And(npr, npw) : Or(
            ev.Prot.HasFlag(NewProt.None) ? And(Not(npr), Not(npw)) : F,
            ev.Prot.HasFlag(NewProt.ReadOnly) ? And(npr, Not(npw)) : F,
            ev.Prot.HasFlag(NewProt.ReadWrite) ? And(npr, npw) : F))).ToArray());

    private ActionInstance Start(State s, string k, bool nonblock)
    {
        var i = Arg("i", S.Inv, k);
        var e = Arg("event", S.Event, k);
        var range = (ArrayExpr)FreshTerm("range", k, [S.Page], S.Bool);
        var npr = (BoolExpr)Arg("new_read", S.Bool, k);
        var npw = (BoolExpr)Arg("new_write", S.Bool, k);
        var prot = WithEffect(Effect.Protection).ToList();
        var isProt = EventIn(e, prot);
        // the new protection an mprotect event may carry; other events carry read-write (unused)
        var npOk = NewProtOk(e, npr, npw);
        // mprotect changes the VMA first; a protection event some sender raises with the VMA unchanged
        // (VmaMayStay: userfaultfd write-protect, docs/protection-vma.md) changes it only when vma_set
        var mayStay = prot.Where(x => x.VmaMayStay).ToList();
        var vmaSet = mayStay.Count == 0 ? null : (BoolExpr)Arg("vma_set", S.Bool, k);
        var setsVma = vmaSet is null ? isProt : And(isProt, Or(Not(EventIn(e, mayStay)), vmaSet));
        // userfaultfd's senders of such an event (linux-7.2 mm/userfaultfd.c uffd_wp_range -> change_protection): with
        // MM_CP_UFFD_WP the PTEs get the uffd-wp bit and lose write (pte_mkuffd_wp), with MM_CP_UFFD_WP_RESOLVE the bits
        // are cleared; the VMA stays as it is (only VM_UFFD_WP, set at UFFDIO_REGISTER, carries the requirement)
        var uffdSet = vmaSet is null ? F : (BoolExpr)Arg("uffd_wp", S.Bool, k);
        var uffdResolve = vmaSet is null ? F : (BoolExpr)Arg("uffd_resolve", S.Bool, k);
        var qv = Bound(S.Page, "q");
        var uffdOk = vmaSet is null ? (UffdWpOnly ? F : T) : And(
            Not(And(uffdSet, uffdResolve)),
            Imp(Or(uffdSet, uffdResolve), And(EventIn(e, mayStay), Not(vmaSet))),
            Imp(uffdSet, Not(npw)),
            // change_protection's newprot is vma->vm_page_prot (linux-7.2 mm/mprotect.c change_protection; mm/userfaultfd.c
            // uffd_wp_range runs per VMA): readable iff the VMA is
            Imp(Or(uffdSet, uffdResolve), Forall([qv], Imp((BoolExpr)Ctx.MkSelect(range, qv), Eq(s.At("vma_read", qv), npr)))),
            UffdWpOnly ? uffdSet : T);
        var j = Bound(S.Inv, "j");
        var guard = And(
            Not(s.B("begun", i)), npOk, uffdOk,
            // mprotect holds mmap_lock for write: no other mprotect invalidation is in flight
            Imp(isProt, Forall([j], Not(And(Active(s, j), EventIn(s.At("event", j), prot))))),
            OnlyEvent is null ? T : Eq(e, _event[OnlyEvent]));
        var q = Bound(S.Page, "q");
        var post = s
            .With("begun", Store(s, "begun", [i], T)).With("ended", Store(s, "ended", [i], F))
            .With("refused", Store(s, "refused", [i], F))
            .With("nonblock", Store(s, "nonblock", [i], nonblock ? T : F))
            .With("event", Store(s, "event", [i], e))
            .With("np_read", Store(s, "np_read", [i], npr)).With("np_write", Store(s, "np_write", [i], npw))
            .With("cp_uffd_wp", Store(s, "cp_uffd_wp", [i], uffdSet)).With("cp_uffd_resolve", Store(s, "cp_uffd_resolve", [i], uffdResolve))
            .With("in_range", Row(s, "in_range", S.Inv, S.Page, i, x => Ctx.MkSelect(range, x)))
            .With("called", Row(s, "called", S.Inv, S.Dev, i, _ => F))
            .With("finish_due", Row(s, "finish_due", S.Inv, S.Dev, i, _ => F))
            // mprotect changes the VMA before change_protection starts the invalidation
            .With("vma_read", Lambda([q], Ite(And(setsVma, (BoolExpr)Ctx.MkSelect(range, q)), npr, s.At("vma_read", q))))
            .With("vma_write", Lambda([q], Ite(And(setsVma, (BoolExpr)Ctx.MkSelect(range, q)), npw, s.At("vma_write", q))));
        List<(string, Expr)> args = [("i", i), ("event", e), ("range", range), ("new_read", npr), ("new_write", npw)];
        if (vmaSet is not null) { args.Add(("vma_set", vmaSet)); args.Add(("uffd_wp", uffdSet)); args.Add(("uffd_resolve", uffdResolve)); }
        return new(nonblock ? "invalidate_range_start_nonblock" : "invalidate_range_start", args, guard, post);
    }

    private ActionInstance Invalidate(State s, string k)
    {
        var i = Arg("i", S.Inv, k);
        var d = Arg("d", S.Dev, k);
        var guard = And(Active(s, i), Not(s.B("called", i, d)),
            // the callback takes the device lock
            Not(Eq(s.At("phase", d), _locked)), Not(Eq(s.At("phase", d), _checked)));
        var consult = IsReaction(s, i, ModelReaction.ConsultVma);
        BoolExpr DropAll(Expr q) => And(s.B("in_range", i, q), Or(IsReaction(s, i, ModelReaction.Unmap), And(consult, Not(s.B("vma_read", q)))));
        BoolExpr DropWrite(Expr q) => And(s.B("in_range", i, q), Or(IsReaction(s, i, ModelReaction.WriteProtect), And(consult, Not(s.B("vma_write", q)))));
        // a listener that ignores the event may still call mmu_interval_set_seq (lib/test_hmm.c
        // dmirror_interval_invalidate calls it before looking at the event): free argument
        var setSeq = (BoolExpr)Arg("set_seq", S.Bool, k);
        // a two-pass listener's start pass (invalidate_start) sets the seq and queues its finish; the
        // teardown is the finish pass's (or, in the finish-at-end variant, invalidate_range_end's)
        var twoPass = s.B("two_pass", d);
        var post = s
            .With("called", Store(s, "called", [i, d], T))
            .With("finish_due", Store(s, "finish_due", [i, d], Variant.FinishAtEnd ? F : twoPass))
            // mmu_interval_set_seq: every reaction but ignore calls it
            .With("collided", Store(s, "collided", [d], Variant.SkipSetSeq ? s.B("collided", d) : Or(s.B("collided", d), Not(IsReaction(s, i, ModelReaction.Ignore)), setSeq)))
            .With("dev_present", Row(s, "dev_present", S.Dev, S.Page, d, q => And(s.B("dev_present", d, q), Not(And(Not(twoPass), DropAll(q))))))
            .With("dev_write", Row(s, "dev_write", S.Dev, S.Page, d, q => And(s.B("dev_write", d, q), Not(And(Not(twoPass), DropWrite(q))))));
        return new("invalidate", [("i", i), ("d", d), ("set_seq", setSeq)], guard, post);
    }

    /// <summary>A queued invalidate_finish (mn_itree_finish_pass): once every interval callback ran or one refused
    /// (mn_itree_invalidate runs the queued finishes on -EAGAIN too), under the driver lock
    /// (xe_vma_userptr_invalidate_finish: down_write(notifier_lock)); it tears down as invalidate would.</summary>
    private ActionInstance Finish(State s, string k)
    {
        var i = Arg("i", S.Inv, k);
        var d = Arg("d", S.Dev, k);
        var e = Bound(S.Dev, "e");
        var guard = And(s.B("begun", i), Not(s.B("ended", i)), s.B("finish_due", i, d),
            Or(s.B("refused", i), Forall([e], s.B("called", i, e))),
            Not(Eq(s.At("phase", d), _locked)), Not(Eq(s.At("phase", d), _checked)));
        var consult = IsReaction(s, i, ModelReaction.ConsultVma);
        BoolExpr DropAll(Expr q) => And(s.B("in_range", i, q), Or(IsReaction(s, i, ModelReaction.Unmap), And(consult, Not(s.B("vma_read", q)))));
        BoolExpr DropWrite(Expr q) => And(s.B("in_range", i, q), Or(IsReaction(s, i, ModelReaction.WriteProtect), And(consult, Not(s.B("vma_write", q)))));
        var post = s
            .With("finish_due", Store(s, "finish_due", [i, d], F))
            .With("dev_present", Row(s, "dev_present", S.Dev, S.Page, d, q => And(s.B("dev_present", d, q), Not(DropAll(q)))))
            .With("dev_write", Row(s, "dev_write", S.Dev, S.Page, d, q => And(s.B("dev_write", d, q), Not(DropWrite(q)))));
        return new("invalidate_finish", [("i", i), ("d", d)], guard, post);
    }

    private ActionInstance Refuse(State s, string k)
    {
        var i = Arg("i", S.Inv, k);
        var d = Arg("d", S.Dev, k);
        var guard = And(Active(s, i), s.B("nonblock", i), Not(s.B("called", i, d)));
        return new("invalidate[-EAGAIN]", [("i", i), ("d", d)], guard, s.With("refused", Store(s, "refused", [i], T)));
    }

    private ActionInstance PteUpdate(State s, string k)
    {
        var i = Arg("i", S.Inv, k);
        var p = Arg("p", S.Page, k);
        var np = (BoolExpr)Arg("present", S.Bool, k);
        var nr = (BoolExpr)Arg("read", S.Bool, k);
        var nw = (BoolExpr)Arg("write", S.Bool, k);
        var nf = Arg("frame", S.Frame, k);
        BoolExpr cp = s.B("cpu_present", p), cr = s.B("cpu_read", p), cw = s.B("cpu_write", p);
        Expr cf = s.At("cpu_frame", p);
        BoolExpr setU = s.B("cp_uffd_wp", i), clrU = s.B("cp_uffd_resolve", i);
        BoolExpr Allowed(EventInfo e) => e.Effect switch
        {
            Effect.Nothing => F,
            Effect.WriteProtect or Effect.SoftDirtyClear => And(Eq(np, cp), Eq(nr, cr), Eq(nf, cf), Not(nw)),
            // MM_CP_UFFD_WP_RESOLVE with MM_CP_TRY_CHANGE_WRITABLE may make the PTE writable where the VMA allows it
            // (linux-7.2 mm/mprotect.c change_present_ptes: can_change_pte_writable)
            Effect.Protection => And(Eq(np, cp), Eq(nf, cf), Eq(nr, And(cr, s.B("np_read", i))),
                Or(Eq(nw, And(cw, s.B("np_write", i))), And(clrU, nw, nr, s.B("vma_write", p)))),
            Effect.Unmap => And(Not(np), Not(nr), Not(nw), Eq(nf, cf)),
            Effect.Any => And(Imp(nw, nr), Imp(nr, np), Imp(np, Not(s.B("freed", nf)))),
            _ => throw new InvalidOperationException(),
        };
        var ev = s.At("event", i);
        // the new uffd-wp bit: set by a MM_CP_UFFD_WP walk, cleared by a MM_CP_UFFD_WP_RESOLVE one, otherwise kept while
        // the entry stays (pte_modify keeps _PAGE_UFFD_WP: _PAGE_CHG_MASK) or lost with it; never on a writable PTE
        var nu = (BoolExpr)Arg("uffd_wp", S.Bool, k);
        var bit = And(Imp(setU, nu), Imp(clrU, Not(nu)), Imp(And(Not(setU), Not(clrU), nu), And(s.B("uffd_wp", p), np)), Imp(nu, Not(nw)));
        // narrow-range variant: the change may lie outside the notified range
        var guard = And(Started(s, i), Variant.NarrowRange ? T : s.B("in_range", i, p),
            Or(Vocabulary.Events.Select(e => And(Eq(ev, _event[e.Name]), Allowed(e))).ToArray()), bit);
        var sdc = IsEffect(s, i, Effect.SoftDirtyClear);
        // a new PTE may be made soft-dirty even when read-only (set_pte_at of a fresh mapping: the
        // reference marks every new PTE soft-dirty, as mm/memory.c does in a VM_SOFTDIRTY VMA)
        var nsd = (BoolExpr)Arg("soft_dirty", S.Bool, k);
        var post = s
            .With("cpu_present", Store(s, "cpu_present", [p], np)).With("cpu_read", Store(s, "cpu_read", [p], nr))
            .With("cpu_write", Store(s, "cpu_write", [p], nw)).With("cpu_frame", Store(s, "cpu_frame", [p], nf))
            .With("uffd_wp", Store(s, "uffd_wp", [p], nu))
            // clear_refs clears soft-dirty; a PTE made writable is soft-dirty (write fault)
            .With("soft_dirty", Store(s, "soft_dirty", [p], And(Not(sdc), Or(s.B("soft_dirty", p), nw, nsd))))
            .With("dirtied", Store(s, "dirtied", [p], And(Not(sdc), s.B("dirtied", p))));
        if (Variant.NarrowRange) post = post.With("uncovered_change", Or(s.B("uncovered_change"), Not(s.B("in_range", i, p))));
        return new("pte_update", [("i", i), ("p", p), ("present", np), ("read", nr), ("write", nw), ("frame", nf), ("soft_dirty", nsd), ("uffd_wp", nu)], guard, post);
    }

    private ActionInstance Fill(State s, string k)
    {
        var p = Arg("p", S.Page, k);
        var f = Arg("frame", S.Frame, k);
        var w = (BoolExpr)Arg("write", S.Bool, k);
        // remove_migration_pte restores a migration entry with the old protection, PROT_NONE included
        // (mm/migrate.c; not notified, R8): a fill may grant no access
        var r = (BoolExpr)Arg("read", S.Bool, k);
        // a read fill may be soft-dirty too (do_anonymous_page in a VM_SOFTDIRTY VMA; the reference marks every new PTE)
        var sd = (BoolExpr)Arg("soft_dirty", S.Bool, k);
        // a restored migration or swap entry keeps its uffd-wp bit, write-protected (remove_migration_pte, do_swap_page)
        var u = (BoolExpr)Arg("uffd_wp", S.Bool, k);
        var guard = And(Not(s.B("cpu_present", p)), Imp(r, s.B("vma_read", p)), Imp(w, r), Imp(w, s.B("vma_write", p)), Imp(u, Not(w)));
        var post = s
            .With("cpu_present", Store(s, "cpu_present", [p], T)).With("cpu_read", Store(s, "cpu_read", [p], r))
            .With("cpu_write", Store(s, "cpu_write", [p], w)).With("cpu_frame", Store(s, "cpu_frame", [p], f))
            .With("freed", Store(s, "freed", [f], F))
            .With("uffd_wp", Store(s, "uffd_wp", [p], u))
            .With("soft_dirty", Store(s, "soft_dirty", [p], Or(s.B("soft_dirty", p), w, sd)));
        return new("pte_update[fill]", [("p", p), ("frame", f), ("read", r), ("write", w), ("soft_dirty", sd), ("uffd_wp", u)], guard, post);
    }

    private ActionInstance Upgrade(State s, string k)
    {
        var p = Arg("p", S.Page, k);
        var nr = (BoolExpr)Arg("read", S.Bool, k);
        var nw = (BoolExpr)Arg("write", S.Bool, k);
        var guard = And(s.B("cpu_present", p), Imp(s.B("cpu_read", p), nr), Imp(s.B("cpu_write", p), nw),
            Imp(nr, s.B("vma_read", p)), Imp(nw, s.B("vma_write", p)), Imp(nw, nr),
            // a write fault on a uffd-wp PTE goes to the userfaultfd (linux-7.2 mm/memory.c do_wp_page: userfaultfd_pte_wp ->
            // handle_userfault(vmf, VM_UFFD_WP)); the asynchronous mode (userfaultfd_wp_async) is not modelled
            Imp(nw, Not(s.B("uffd_wp", p))));
        var post = s
            .With("cpu_read", Store(s, "cpu_read", [p], nr)).With("cpu_write", Store(s, "cpu_write", [p], nw))
            .With("soft_dirty", Store(s, "soft_dirty", [p], Or(s.B("soft_dirty", p), nw)));
        return new("pte_update[upgrade]", [("p", p), ("read", nr), ("write", nw)], guard, post);
    }

    private ActionInstance FreeFrame(State s, string k)
    {
        var f = Arg("f", S.Frame, k);
        var q = Bound(S.Page, "q");
        var guard = And(Not(s.B("freed", f)), Forall([q], Not(And(s.B("cpu_present", q), Eq(s.At("cpu_frame", q), f)))));
        var post = s
            .With("freed", Store(s, "freed", [f], T))
            .With("stale", Map2(s, S.Dev, S.Page, (x, y) => Or(s.B("stale", x, y), And(s.B("dev_present", x, y), Eq(s.At("dev_frame", x, y), f)))));
        return new("free_frame", [("f", f)], guard, post);
    }

    private ActionInstance End(State s, string k)
    {
        var i = Arg("i", S.Inv, k);
        var guard = Variant.EndAfterRefused
            ? And(s.B("begun", i), Not(s.B("ended", i)), Or(Started(s, i), s.B("refused", i)))
            : Started(s, i);
        var atEnd = IsReaction(s, i, ModelReaction.UnmapAtEnd);
        // the finish-at-end variant: two-pass listeners tear down here (unmap; the variant's listener unmaps)
        BoolExpr Late(Expr x) => Variant.FinishAtEnd ? Or(atEnd, s.B("two_pass", x)) : atEnd;
        var post = s
            .With("ended", Store(s, "ended", [i], T))
            .With("dev_present", Map2(s, S.Dev, S.Page, (x, q) => And(s.B("dev_present", x, q), Not(And(Late(x), s.B("in_range", i, q))))));
        return new("invalidate_range_end", [("i", i)], guard, post);
    }

    private ActionInstance Release(State s, string k)
    {
        var d = Arg("d", S.Dev, k);
        var guard = And(Not(Eq(s.At("phase", d), _locked)), Not(Eq(s.At("phase", d), _checked)));
        var post = s
            .With("dev_present", Row(s, "dev_present", S.Dev, S.Page, d, _ => F))
            .With("collided", Store(s, "collided", [d], T));
        return new("release", [("d", d)], guard, post);
    }

    private ActionInstance ReadBegin(State s, string k)
    {
        var d = Arg("d", S.Dev, k);
        var j = Bound(S.Inv, "j");
        // sseq[d] == mmseq: an active invalidation already ran set_seq on d in this pass
        var sleeps = Forall([j], Not(And(Active(s, j), s.B("called", j, d), Not(IsReaction(s, j, ModelReaction.Ignore)))));
        var guard = And(Eq(s.At("phase", d), _idle), Variant.ReadBeginNoSleep ? T : sleeps);
        var post = s
            .With("phase", Store(s, "phase", [d], _begun))
            .With("collided", Store(s, "collided", [d], F))
            .With("snap_valid", Row(s, "snap_valid", S.Dev, S.Page, d, _ => F));
        return new("mmu_interval_read_begin", [("d", d)], guard, post);
    }

    private ActionInstance RangeFault(State s, string k)
    {
        var d = Arg("d", S.Dev, k);
        var p = Arg("p", S.Page, k);
        var guard = And(Eq(s.At("phase", d), _begun), s.B("cpu_present", p), s.B("cpu_read", p));
        var post = s
            .With("snap_valid", Store(s, "snap_valid", [d, p], T))
            .With("snap_write", Store(s, "snap_write", [d, p], s.At("cpu_write", p)))
            .With("snap_frame", Store(s, "snap_frame", [d, p], s.At("cpu_frame", p)));
        return new("hmm_range_fault", [("d", d), ("p", p)], guard, post);
    }

    private ActionInstance DeviceLock(State s, string k)
    {
        var d = Arg("d", S.Dev, k);
        var from = Variant.RetryOutsideLock ? _retried : _begun;
        var to = Variant.RetryOutsideLock ? _checked : _locked;
        return new("device_lock", [("d", d)], Eq(s.At("phase", d), from), s.With("phase", Store(s, "phase", [d], to)));
    }

    private ActionInstance ReadRetry(State s, string k)
    {
        var d = Arg("d", S.Dev, k);
        var from = Variant.RetryOutsideLock ? _begun : _locked;
        var ok = Variant.RetryOutsideLock ? _retried : _checked;
        // collided: unlock and go round the loop again; else proceed holding the lock
        var post = s.With("phase", Store(s, "phase", [d], Ite(s.B("collided", d), _idle, ok)));
        return new("mmu_interval_read_retry", [("d", d)], Eq(s.At("phase", d), from), post);
    }

    private BoolExpr MayInstall(State s, Expr d) =>
        Variant.NoReadRetry ? Or(Eq(s.At("phase", d), _checked), Eq(s.At("phase", d), _locked)) : Eq(s.At("phase", d), _checked);

    private ActionInstance Install(State s, string k)
    {
        var d = Arg("d", S.Dev, k);
        var p = Arg("p", S.Page, k);
        var guard = And(MayInstall(s, d), s.B("snap_valid", d, p));
        var post = s
            .With("dev_present", Store(s, "dev_present", [d, p], T))
            .With("dev_write", Store(s, "dev_write", [d, p], s.At("snap_write", d, p)))
            .With("dev_frame", Store(s, "dev_frame", [d, p], s.At("snap_frame", d, p)))
            .With("stale", Store(s, "stale", [d, p], F));
        return new("device_pte_install", [("d", d), ("p", p)], guard, post);
    }

    private ActionInstance DeviceUnlock(State s, string k)
    {
        var d = Arg("d", S.Dev, k);
        return new("device_unlock", [("d", d)], MayInstall(s, d), s.With("phase", Store(s, "phase", [d], _idle)));
    }

    private ActionInstance Access(State s, string k, bool write)
    {
        var d = Arg("d", S.Dev, k);
        var p = Arg("p", S.Page, k);
        var f = s.At("dev_frame", d, p);
        var guard = And(s.B("dev_present", d, p), write ? s.B("dev_write", d, p) : T);
        var coherent = And(s.B("cpu_present", p), s.B("cpu_read", p), Eq(s.At("cpu_frame", p), f));
        var post = s
            .With("accessed_freed", Or(s.B("accessed_freed"), s.B("freed", f), s.B("stale", d, p)))
            .With("accessed_incoherent", Or(s.B("accessed_incoherent"), Not(coherent)));
        if (write) post = post.With("dirtied", Store(s, "dirtied", [p], T));
        return new(write ? "device_write" : "device_read", [("d", d), ("p", p)], guard, post);
    }

    private ActionInstance PageClear(State s, string k)
    {
        var p = Arg("p", S.Page, k);
        // try_to_unmap_one clears the PTE; page_mkclean_one (writeback) only write-protects it
        var post = (Variant.PageWriteProtect ? s
            : s.With("cpu_present", Store(s, "cpu_present", [p], F)).With("cpu_read", Store(s, "cpu_read", [p], F)))
            .With("cpu_write", Store(s, "cpu_write", [p], F))
            .With("page_pending", Store(s, "page_pending", [p], T))
            .With("uncovered_change", T);
        return new("pte_update[page]", [("p", p)], s.B("cpu_present", p), post);
    }

    private ActionInstance InvalidatePage(State s, string k)
    {
        var p = Arg("p", S.Page, k);
        var post = s
            .With("page_pending", Store(s, "page_pending", [p], F))
            .With("dev_present", Map2(s, S.Dev, S.Page, (x, q) => And(s.B("dev_present", x, q), Not(Eq(q, p)))));
        return new("invalidate_page", [("p", p)], s.B("page_pending", p), post);
    }

    // ---------------------------------------------------------------- invariant
    private IReadOnlyList<Conjunct> MakeConjuncts()
    {
        (Expr[], BoolExpr) One(Sort a, string h, Func<Expr, BoolExpr> f) { var x = Bound(a, h); return ([x], f(x)); }
        (Expr[], BoolExpr) Two(Sort a, string ha, Sort b, string hb, Func<Expr, Expr, BoolExpr> f) { var x = Bound(a, ha); var y = Bound(b, hb); return ([x, y], f(x, y)); }
        (Expr[], BoolExpr) None(BoolExpr f) => ([], f);
        var prot = WithEffect(Effect.Protection).ToList();
        return
        [
            // ---- the rules (docs/rules.md) ----
            new(Rules.NoStaleDeviceMapping, true,
                "include/linux/mmu_notifier.h invalidate_range_start doc (R5, R6): a device PTE maps the CPU PTE's frame with no more access; start/end and interval listeners get no window",
                s => Two(S.Dev, "d", S.Page, "p", (d, p) => Imp(s.B("dev_present", d, p), DevMatchesCpu(s, "dev", d, p)))),
            new(Rules.NoFreedFrameAccess, true,
                "R7 and lib/test_hmm.c (the XArray holds no page references): no device PTE to a freed or freed-and-reused frame, and no device access ever touched one",
                s => Two(S.Dev, "d", S.Page, "p", (d, p) => And(Not(s.B("accessed_freed")),
                    Imp(s.B("dev_present", d, p), And(Not(s.B("freed", s.At("dev_frame", d, p))), Not(s.B("stale", d, p))))))),
            new(Rules.CoherentAccess, true,
                "Documentation/mm/hmm.rst: every device access saw the frame a CPU access would",
                s => None(Not(s.B("accessed_incoherent")))),
            new(Rules.StartEndPaired, true,
                "mmu_notifier.h mmu_notifier_invalidate_range_start_nonblock, c2655835fd8c: an end only after a successful start, at most once",
                s => One(S.Inv, "i", i => Imp(s.B("ended", i), And(s.B("begun", i), Not(s.B("refused", i)))))),
            new(Rules.RangeCoversChange, true,
                "mm/mmu_notifier.c mn_itree_invalidate: every notified PTE change lies in a started range (pte_update's guard; broken by the v7 invalidate_page path)",
                s => None(Not(s.B("uncovered_change")))),
            new(Rules.SoftDirtyComplete, true,
                "fs/proc/task_mmu.c clear_refs_write, MMU_NOTIFY_SOFT_DIRTY kernel-doc: a page written since clear_refs is soft-dirty",
                s => One(S.Page, "p", p => Imp(s.B("dirtied", p), s.B("soft_dirty", p)))),
            // ---- strengthening (kernel-facts.md AUX-a..AUX-e) ----
            new("PteWellFormed", false,
                "a readable PTE is present, a writable one readable: needed so the mprotect/upgrade updates keep NoStaleDeviceMapping's premises meaningful",
                s => One(S.Page, "p", p => And(Imp(s.B("cpu_read", p), s.B("cpu_present", p)), Imp(s.B("cpu_write", p), s.B("cpu_read", p))))),
            new("CpuFramesLive", false,
                "R7: the mm frees only frames no PTE maps; needed for NoFreedFrameAccess at device_pte_install (the snapshot's frame is the CPU's)",
                s => One(S.Page, "p", p => Imp(s.B("cpu_present", p), Not(s.B("freed", s.At("cpu_frame", p)))))),
            new("WritableIsSoftDirty", false,
                "a PTE becomes writable only through a write fault, which sets soft-dirty (clear_refs write-protects): needed for SoftDirtyComplete at device_write",
                s => One(S.Page, "p", p => Imp(s.B("cpu_write", p), s.B("soft_dirty", p)))),
            new("TeardownBeforeChange", false,
                "AUX-a (R6): once a listener's callback for a started-but-not-ended invalidation returned, its PTEs in the range survive any change the event allows; needed for NoStaleDeviceMapping at pte_update",
                s => { var i = Bound(S.Inv, "i"); var d = Bound(S.Dev, "d"); var p = Bound(S.Page, "p");
                    return ([i, d, p], Imp(And(Active(s, i), s.B("called", i, d), Not(s.B("finish_due", i, d)), s.B("in_range", i, p), s.B("dev_present", d, p)), Compatible(s, i, d, p))); }),
            new("FinishOnlyAfterStart", false,
                "mn_itree_invalidate queues a finish only for a listener whose invalidate_start ran: needed for TeardownBeforeChange at invalidate_finish",
                s => Two(S.Inv, "i", S.Dev, "d", (i, d) => Imp(s.B("finish_due", i, d), s.B("called", i, d)))),
            new("NoReaderInsidePass", false,
                "AUX-c: a device in its fault path whose set_seq already ran for an active access-removing invalidation has collided (read_begin sleeps otherwise); needed for SnapshotFresh at pte_update",
                s => Two(S.Inv, "i", S.Dev, "d", (i, d) => Imp(And(Active(s, i), s.B("called", i, d), Weakens(s, i), Not(Eq(s.At("phase", d), _idle))), s.B("collided", d)))),
            new("CheckedNotCollided", false,
                "AUX-d (lock discipline): read_retry said no collision and the lock is still held, so no callback ran since; needed for TeardownBeforeChange at device_pte_install",
                s => One(S.Dev, "d", d => Imp(Eq(s.At("phase", d), _checked), Not(s.B("collided", d))))),
            new("SnapshotFresh", false,
                "AUX-b: while no collision happened, every snapshot is the CPU PTE or lost access the CPU since gained (fill-in/upgrade, R8); needed for NoStaleDeviceMapping at device_pte_install",
                s => Two(S.Dev, "d", S.Page, "p", (d, p) => Imp(And(Not(Eq(s.At("phase", d), _idle)), Not(s.B("collided", d)), s.B("snap_valid", d, p)), DevMatchesCpu(s, "snap", d, p)))),
            new("UffdWpReadOnly", false,
                "linux-7.2 mm/page_table_check.c page_table_check_pte_flags: WARN_ON_ONCE(pte_uffd_wp(pte) && pte_write(pte)): a PTE with the uffd-wp bit is never writable; kept by pte_update (pte_mkuffd_wp write-protects), the fill and the upgrade (do_wp_page hands the write to the userfaultfd); not needed by the rules, it states what the uffd-wp steps keep",
                s => One(S.Page, "p", p => Imp(s.B("uffd_wp", p), Not(s.B("cpu_write", p))))),
            new("NewProtMatchesEvent", false,
                "a begun invalidation carries a new protection its event allows (none, read-only or read-write; PROT_WRITE implies read on Linux); needed for PteWellFormed at pte_update and for the precise v7-reviewed events",
                s => One(S.Inv, "i", i => Imp(s.B("begun", i), NewProtOk(s.At("event", i), s.B("np_read", i), s.B("np_write", i))))),
            new("MprotectExclusive", false,
                "mprotect holds mmap_lock for write: at most one protection invalidation in flight; needed for VmaMatchesProtection",
                s => Two(S.Inv, "i", S.Inv, "j", (i, j) => Imp(And(Active(s, i), Active(s, j), EventIn(s.At("event", i), prot), EventIn(s.At("event", j), prot)), Eq(i, j)))),
            new("VmaMatchesProtection", false,
                "the VMA already carries an in-flight mprotect's new protection (mprotect_fixup before change_protection); needed for consult-vma in TeardownBeforeChange; not for an event some sender raises with the VMA unchanged (VmaMayStay)",
                s => Two(S.Inv, "i", S.Page, "p", (i, p) => Imp(And(Active(s, i), EventIn(s.At("event", i), prot.Where(x => !x.VmaMayStay)), s.B("in_range", i, p)),
                    And(Eq(s.At("vma_read", p), s.At("np_read", i)), Eq(s.At("vma_write", p), s.At("np_write", i)))))),
        ];
    }
}
