using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NotifierSpec.Kernel;
using NotifierSpec.Properties;
using NotifierSpec.Reference;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier kernel [--count N | --time 10m] [--seed S] [--vocabulary V] [--mutant NAME] [--ops "..."] [--pages P] [--trace FILE] [--host-only]`:
/// the live kernel against the reference (kernel/; README, section "The live kernel"). Exit 0: no mismatch;
/// 12: a mismatch (shrunk, printed with the command that reproduces it); 30: no usable /dev/kvm (one line; not with --host-only);
/// 31: the run was vacuous (the guest's data accesses were emulated, not run through KVM's shadow MMU).
/// </summary>
public static class KernelCommand
{
    public const int NoKvm = 30;
    public const int Vacuous = 31;

    private static readonly Option<int> Count = Opt.Int("--count", "N", "operations", 500, 1);
    private static readonly Option<TimeSpan?> Time = Opt.Duration("--time", "T", "run for a time such as 90s or 10m");
    private static readonly Option<ulong> Seed = Opt.ULong("--seed", "S", "seed", 1);
    private static readonly Option<string?> VocabularyOption = Opt.Text("--vocabulary", "V", $"the vocabulary (default: the running kernel's): {Vocabularies.NameList}",
        vs => EventTables.TryParse(vs, out _) ? null : $"unknown vocabulary '{vs}' ({Vocabularies.NameList})", () => Vocabularies.Names);
    private static readonly Option<string?> Mutant = Opt.Text("--mutant", "NAME", "plant a bug in the reference: a planted bug's name in catalogue/vocabulary.json (or its reference/, spec/, tla/ name or alias)", Opt.Known(Mutants.Find), () => Mutants.CatalogueNames);
    private static readonly Option<string?> Ops = Opt.Text("--ops", "\"OP; ...\"", "run this sequence");
    private static readonly Option<int> Pages = Opt.Int("--pages", "P", "pages (512 or more: huge pages of 512 base pages)", 16, 2, 1024);
    private static readonly Option<string?> Trace = Opt.Text("--trace", "FILE", "write the reference's steps");
    private static readonly Option<bool> NoTrace = Opt.Flag("--no-trace", "do not compare call paths");
    private static readonly Option<bool> NoUffd = Opt.Flag("--no-uffd", "generate no uffd_register / uffd_wp / uffd_unregister / uffd_move (default: where available)");
    private static readonly Option<bool> Unseen = Opt.Flag("--unseen", "also run the operations not yet seen against a live kernel through KVM: mremap_dontunmap, uffd_move overlapping, to an unregistered destination or refused into a VMA without an anon_vma, uffd_wp failing at a VMA not registered after a registered one, ksm of a uffd-wp page, and mlock / munlock (default: refused, counted; docs/kernel.md)");
    private static readonly Option<bool> HostOnly = Opt.Flag("--host-only", "no VM (no /dev/kvm needed): run the host side only and compare host values and pagemap; guest values, KVM's mappings and call paths are not compared, guest operations not run");
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");
    private static readonly Option<bool> JsonOption = Opt.Flag("--json", JsonOut.Help);

    /// <summary>What a host-only run does not compare (no VM), as the summary line and --json's not_compared say it.</summary>
    public static readonly string[] NotComparedList = ["guest values", "KVM mappings", "call paths"];
    private static string NotCompared => string.Join(", ", NotComparedList);

    public static Command Define()
    {
        var c = new Command("kernel", "Drives the live kernel (KVM's shadow MMU through /dev/kvm; with --host-only its host side alone) and the reference MMU with the same operations and compares them; a mismatch is shrunk and printed with the command that reproduces it.")
        {
            Count, Time, Seed, VocabularyOption, Mutant, Ops, Pages, Trace, NoTrace, NoUffd, Unseen, HostOnly, Quiet, JsonOption,
        };
        c.SetAction(Run);
        return c;
    }

    /// <summary>With --json, exit 30 and 255 (no run to summarize) print an error verdict too (docs/schemas/kernel.schema.json,
    /// second form): its message is the line printed on stderr.</summary>
    private static int Run(ParseResult args)
    {
        var (stdout, stderr) = (args.InvocationConfiguration.Output, args.InvocationConfiguration.Error);
        if (!args.GetValue(JsonOption)) return RunCore(args, stdout, stderr);
        var err = new LastLine(stderr);
        int exit;
        try { exit = RunCore(args, stdout, err); }
        catch (UsageException e) { err.WriteLine(e.Message); exit = ExitCodes.Error; }
        if (exit is NoKvm or ExitCodes.Error) WriteError(stdout, exit, err.Last ?? "notifier kernel: failed");
        return exit;
    }

    /// <summary>The error form of kernel --json: the exit code and the line printed on stderr.</summary>
    public static void WriteError(TextWriter stdout, int exit, string message) =>
        JsonOut.Write(stdout, new JsonObject { ["verdict"] = "error", ["exit"] = exit, ["message"] = message });

    /// <summary>Passes every write on and keeps the last line written with WriteLine.</summary>
    private sealed class LastLine(TextWriter inner) : TextWriter
    {
        public string? Last { get; private set; }
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void Write(char value) => inner.Write(value);
        public override void Write(string? value) => inner.Write(value);
        public override void WriteLine(string? value) { Last = value; inner.WriteLine(value); }
    }

    private static int RunCore(ParseResult args, TextWriter stdout, TextWriter stderr)
    {
        bool json = args.GetValue(JsonOption);
        var realOut = stdout;
        if (json) stdout = TextWriter.Null; // one summary object instead (docs/schemas/kernel.schema.json)
        ulong seed = args.GetValue(Seed);
        int pages = args.GetValue(Pages);
        // the running kernel's vocabulary (uname -r major.minor -> linux-X.Y when the catalogue has it) unless named
        var (vocab, vocabWhy) = KernelRelease.VocabularyOf(KernelRelease.Running());
        if (args.GetValue(VocabularyOption) is { } vs && EventTables.TryParse(vs, out vocab))
            vocabWhy = $"{vs}: --vocabulary";
        MutantCase? mutant = args.GetValue(Mutant) is { } mn ? Mutants.Find(mn) : null;
        TimeSpan? time = args.GetValue(Time);
        long count = args.GetValue(Count);
        IReadOnlyList<KOp>? ops = null;
        if (args.GetValue(Ops) is { } text)
        {
            try { ops = KOp.Parse(text, pages); } catch (FormatException e) { throw new UsageException(e.Message); }
        }

        bool hostOnly = args.GetValue(HostOnly);
        LiveMm live;
        try { live = LiveMm.Open(pages, hostOnly: hostOnly); }
        catch (KvmUnavailableException e) { stderr.WriteLine($"notifier kernel: {e.Message}"); return NoKvm; }
        using (live)
        {
            var cleanup = new ConsoleCancelEventHandler((_, _) => live.RestoreSystem());
            var onExit = new EventHandler((_, _) => live.RestoreSystem());
            Console.CancelKeyPress += cleanup;
            AppDomain.CurrentDomain.ProcessExit += onExit;
            try
            {
                string? noTrace = args.GetValue(NoTrace) ? "--no-trace" : live.EnableTrace();
                var config = NotifierSpec.Kernel.Conformance.KvmConfig(pages, vocab, mutant, forbidsZeropage: live.ForbidsZeroPage);
                string? tracePath = args.GetValue(Trace);
                // the progress line goes to the command's own stderr (with --json, stderr here keeps the last line)
                var r = Progress.Run("kernel", args.InvocationConfiguration.Error, args.GetValue(Quiet), progress =>
                    Campaign.Run(live, config, count, time, seed, ops, keepTrace: tracePath is not null, uffd: !args.GetValue(NoUffd), unseen: args.GetValue(Unseen), progress: (s, el) =>
                        progress.Report($"{s.Ops} operations, {s.Checks} checks, {s.Checks / Math.Max(0.001, el.TotalSeconds):F0} checks/s")));
                // the reference's steps (docs/trace-format.md) of the shrunk failing sequence, else of the last one run
                if (tracePath is not null && r.Reference is { } rs) TraceFile.Write(tracePath, rs);
                var st = r.Stats;
                string what = mutant is null ? "reference" : $"reference with mutant {mutant.Name} ({mutant.Plants})";
                stdout.WriteLine($"kernel: linux {KernelRelease.Running() ?? "(release unknown)"}, {pages} pages, {what}, vocabulary {vocabWhy}{(hostOnly ? ", host only" : "")}");
                stdout.WriteLine($"  {st.Ops} operations in {r.Runs} sequences, {st.Checks} checks, {st.Checks / Math.Max(0.001, r.Elapsed.TotalSeconds):F0} checks/s, {st.Ops / Math.Max(0.001, r.Elapsed.TotalSeconds):F0} operations/s ({r.Elapsed.TotalSeconds:F1} s)");
                if (hostOnly)
                    stdout.WriteLine($"  host only: {NotCompared} not compared (no VM); host values and pagemap compared; {st.GuestRefused} guest operations not run (generated ones are host accesses)");
                else
                {
                    stdout.WriteLine($"  native: {st.GuestAccesses} guest accesses, {st.Mmio} MMIO exits, {st.InsnEmulation} instructions emulated (= the MMIO exits: every data access ran through the shadow MMU)");
                    stdout.WriteLine($"  invalidations: {st.RefaultsFixed} of {st.Refaults} guest accesses after an invalidation dropped the page grew pf_fixed");
                }
                stdout.WriteLine($"  refused: {st.Refused} operations refused by the reference or not yet seen live (not run{(args.GetValue(Unseen) ? "" : "; --unseen runs the latter")}){(st.RefusedByOp.IsEmpty ? "" : ": " + string.Join(", ", st.RefusedByOp.Select(kv => $"{kv.Key} {kv.Value}")))}");
                stdout.WriteLine(live.ZeroPageWhy is { } zw
                    ? $"  zero page: {zw}: the reference's mm_forbids_zeropage is on; {st.ZeroPageRefused} operations not run where this kernel differs from it{(st.FirstZeroPageRefused is { } fz ? $" (first: {fz})" : "")}"
                    : $"  zero page: a read fault maps it (pfn 0x{live.ZeroPfn:x})");
                stdout.WriteLine($"  driven: {string.Join(", ", st.Driven.Select(kv => $"{kv.Key} {kv.Value}"))}");
                stdout.WriteLine($"  collapse (MADV_COLLAPSE): {st.Driven.GetValueOrDefault("collapse")} run, {st.Collapsed} of them collapsed a block the reference had not PMD-mapped");
                stdout.WriteLine(live.UffdWhy is { } uw ? $"  uffd_wp not driven: {uw}"
                    : $"  uffd_wp: {st.UffdResolved} writes to uffd-wp pages faulted to the handler and were resolved by un-protecting the page, each predicted by the reference ({st.UffdUnprotects} of its un-protects traced)");
                stdout.WriteLine(live.Swap.Why is { } sw ? $"  pageout (MADV_PAGEOUT) not driven: {sw}"
                    : live.Swap.File is { } swf ? $"  pageout (MADV_PAGEOUT): swap file {swf} made by this run (the kernel had no swap), removed at exit"
                    : SwapControl.KernelHasSwap() ? "  pageout (MADV_PAGEOUT): the kernel's own swap" : "  pageout (MADV_PAGEOUT): no pageout run, no swap made");
                stdout.WriteLine(live.MigrateWhy is { } mw ? $"  {mw}"
                    : $"  migration (compaction, /proc/sys/vm/compact_memory): {st.Compactions} compactions moved {st.Migrated} pages of the region, each the reference's migrate_pages; {st.MigratedUnmodelled} moved pages the reference does not migrate{(st.FirstUnmodelled is { } fu ? $" (first: {fu})" : "")}");
                stdout.WriteLine(noTrace is null
                    ? $"  call paths (kvm:kvm_unmap_hva_range stack traces, matched with the {EventTables.Name(vocab)} rows): {string.Join(", ", st.Paths.Select(kv => $"{kv.Key} {kv.Value}"))}"
                    : $"  call paths not compared: {noTrace}");
                if (noTrace is null)
                    stdout.WriteLine($"  call paths: {st.RangeDiffs} matched with another range{(st.FirstRangeDiff is { } rd ? $" (first: {rd})" : "")}; {st.Extra} kernel invalidations the reference does not make{(st.FirstExtra is { } fe ? $" (first: {fe})" : "")}; {st.Missing} reference invalidations the kernel does not make{(st.FirstMissing is { } fm ? $" (first: {fm})" : "")}");
                string mut = mutant is null ? "" : $" --mutant {mutant.Name}";
                string uf = (args.GetValue(NoUffd) ? " --no-uffd" : "") + (args.GetValue(Unseen) ? " --unseen" : "") + (hostOnly ? " --host-only" : "");
                string voc = $" --vocabulary {EventTables.Name(vocab)}"; // explicit: the reproduction must not depend on the machine's kernel
                int Json(string verdict, int exit, string? vacuous)
                {
                    if (!json) return exit;
                    static JsonObject Counts(IEnumerable<KeyValuePair<string, long>> d) { var o = new JsonObject(); foreach (var (k, n) in d) o[k] = n; return o; }
                    JsonOut.Write(realOut, new JsonObject
                    {
                        ["verdict"] = verdict, ["exit"] = exit, ["pages"] = pages, ["vocabulary"] = EventTables.Name(vocab), ["mutant"] = mutant?.Name, ["seed"] = seed,
                        ["operations"] = st.Ops, ["sequences"] = r.Runs, ["checks"] = st.Checks, ["seconds"] = JsonOut.Seconds(r.Elapsed.TotalSeconds),
                        ["guest_accesses"] = st.GuestAccesses, ["mmio_exits"] = st.Mmio, ["instructions_emulated"] = st.InsnEmulation,
                        ["refaults"] = st.Refaults, ["refaults_fixed"] = st.RefaultsFixed, ["refused"] = st.Refused, ["refused_by"] = Counts(st.RefusedByOp), ["driven"] = Counts(st.Driven),
                        ["compactions"] = st.Compactions, ["migrated_pages"] = st.Migrated, ["migrated_unmodelled"] = st.MigratedUnmodelled,
                        ["call_paths"] = noTrace is null ? Counts(st.Paths) : null, ["call_paths_not_compared"] = noTrace,
                        ["host_only"] = hostOnly, ["not_compared"] = new JsonArray((hostOnly ? NotComparedList : []).Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                        ["guest_refused"] = st.GuestRefused, ["mm_forbids_zeropage"] = live.ForbidsZeroPage, ["zero_page_refused"] = st.ZeroPageRefused, ["collapsed"] = st.Collapsed,
                        ["vacuous"] = vacuous, ["mismatch"] = r.Mismatch?.ToString(),
                        ["failing"] = r.Failing is { } f ? KOp.Render(f) : null, ["shrinks"] = r.Mismatch is null ? null : r.Shrinks,
                        ["reference_steps"] = r.Mismatch is null ? null : new JsonArray(r.ReferenceTrace.Select(l => (JsonNode?)JsonValue.Create(l.ToString())).ToArray()),
                        ["reproduce"] = r.Failing is { } g ? $"notifier kernel --pages {pages}{voc}{mut}{uf} --ops \"{KOp.Render(g)}\"" : null,
                    });
                    return exit;
                }
                if (r.Vacuous is { } v) { stdout.WriteLine($"VACUOUS: {v}"); return Json("vacuous", Vacuous, v); }
                if (st.Refaults > 0 && st.RefaultsFixed == 0)
                {
                    const string why = "no guest access after an invalidation made KVM fault (pf_fixed did not grow): the invalidations did not drop the guest's mappings";
                    stdout.WriteLine($"VACUOUS: {why}");
                    return Json("vacuous", Vacuous, why);
                }
                if (r.Mismatch is not { } mm) { stdout.WriteLine("no mismatch"); return Json("no_mismatch", ExitCodes.Ok, null); }
                stdout.WriteLine($"MISMATCH {mm}");
                stdout.WriteLine($"  shortest sequence ({r.Failing!.Length} operations, {r.Shrinks} shrinks): {KOp.Render(r.Failing)}");
                stdout.WriteLine($"  reference steps ({r.ReferenceTrace.Count}):");
                int n = 0;
                foreach (var l in r.ReferenceTrace) stdout.WriteLine($"    {++n,4} {l}");
                stdout.WriteLine($"  reproduce: notifier kernel --pages {pages}{voc}{mut}{uf} --ops \"{KOp.Render(r.Failing)}\"");
                return Json("mismatch", ExitCodes.Violation, null);
            }
            catch (Exception e) when (e is InvalidOperationException or ModelException)
            {
                stderr.WriteLine($"notifier kernel: {e.Message}");
                return ExitCodes.Error;
            }
            finally { Console.CancelKeyPress -= cleanup; AppDomain.CurrentDomain.ProcessExit -= onExit; }
        }
    }
}
