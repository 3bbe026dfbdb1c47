using NotifierSpec.Spec;
using Xunit;
using Ref = NotifierSpec.Reference;

namespace NotifierSpec.Spec.Tests;

/// <summary>
/// Cross-check with reference/: every state the reference MMU reaches on seeded random workloads
/// satisfies every conjunct of the Z3 invariant under the abstraction α (spec/ReferenceCheck.cs),
/// and planted reference bugs are rejected at an exact step.
/// </summary>
public class ReferenceCheckTests
{
    public static TheoryData<Ref.Vocabulary, int> Runs => new()
    {
        { Ref.Vocabulary.V7, 1 }, { Ref.Vocabulary.V7Reviewed, 2 }, { Ref.Vocabulary.Upstream, 3 },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Reference_states_satisfy_the_invariant(Ref.Vocabulary vocabulary, int seed)
    {
        var mismatches = ReferenceCheck.Run(ReferenceCheck.Config(vocabulary, mirrors: 2), seed, steps: 150);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Select(m => $"step {m.Step} {m.Conjunct}\n{m.LastLine}")));
    }

    [Theory]
    [InlineData(Ref.Mutant.SkipSetSeq, 1, 17, "NoReaderInsidePass")]
    [InlineData(Ref.Mutant.ReadBeginNoSleep, 3, 15, "NoReaderInsidePass")]
    [InlineData(Ref.Mutant.SoftDirtyNoWriteProtect, 2, 24, "WritableIsSoftDirty")]
    // seed 2 since a THP fault follows the kernel's merged VMA (Vma.MergedRun, thp_vma_suitable_order: issue 13): seed 3's
    // run no longer maps a huge page where it did, and the short range is not observed within 150 steps; step 69 (70 on
    // its own) with mprotect's upgrade inside its bracket and MAP_FIXED's zap order (Linux 7.2)
    [InlineData(Ref.Mutant.RangeOnePageShort, 2, 69, "NoStaleDeviceMapping")]
    public void A_planted_reference_bug_is_rejected(Ref.Mutant mutant, int seed, long step, string conjunct)
    {
        var mismatches = ReferenceCheck.Run(ReferenceCheck.Config(Ref.Vocabulary.Upstream, mirrors: 2, mutant), seed, steps: (int)step + 1, max: 1);
        var m = Assert.Single(mismatches);
        Assert.Equal((step, conjunct), (m.Step, m.Conjunct));
    }

    [Fact]
    public void V7_invalidate_page_sites_leave_a_stale_window_the_spec_rejects()
    {
        // v7 try_to_unmap_one clears the PTE and calls invalidate_page only after the PTL is
        // dropped (B1): the reference allows that window, spec/ (like tla/'s
        // MCFailInvalidatePage*) does not
        // seed 9 since clear_refs takes mmap_lock for write and the OOM reaper walks from the top (Linux 7.2): seed 2's
        // run (NoStaleDeviceMapping and SnapshotFresh at step 70) no longer reaches the window
        var mismatches = ReferenceCheck.Run(ReferenceCheck.Config(Ref.Vocabulary.V7, mirrors: 2), seed: 9, steps: 33, max: 1, excludeV7PageSites: false);
        // the first state found breaks NoStaleDeviceMapping
        Assert.Equal(new[] { "NoStaleDeviceMapping" }, mismatches.Select(x => x.Conjunct));
        var m = mismatches[0];
        Assert.Equal(32L, m.Step);
        Assert.Contains("\"op\":\"migrate_pages\"", m.LastLine);
    }
}
