using System.Collections.Immutable;
using NotifierSpec.Properties;
using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Properties.Tests;

/// <summary>VocabulariesAgree compares the vocabularies of one kernel era: a write fault on a THP mapped by parent and
/// child copies the whole huge page under v7 and splits it in every linux-* vocabulary (linux-7.2 mm/huge_memory.c
/// do_huge_pmd_wp_page), so the comparison across eras must find that difference and the property must not.</summary>
public class VocabularyEraTests
{
    private static Prog ThpCowAfterFork() => new(new MmConfig(8, 2, 32, Vocabulary.Upstream, []),
        [.. new Call[] { new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true), new Call.CpuWrite(0, 1), new Call.Fork(), new Call.CpuWrite(0, 2) }
            .Select(c => (Act)new Act.Do(c))]);

    [Fact]
    public void Across_eras_a_thp_cow_differs_within_an_era_it_agrees()
    {
        var p = ThpCowAfterFork();
        var across = NotifierProperties.AgreeWithin(p, [Vocabulary.V7, Vocabulary.Upstream]);
        Assert.NotNull(across);
        Assert.Equal("page 0: v7 leaves 2:frame 0 rw dirty soft-dirty huge, upstream leaves 2:frame 0 rw dirty soft-dirty", across);
        Assert.Null(NotifierProperties.AgreeWithin(p, [Vocabulary.Linux6_1, Vocabulary.Linux6_12, Vocabulary.Linux6_18, Vocabulary.Linux7_2, Vocabulary.Upstream]));
        Assert.Null(NotifierProperties.AgreeWithin(p, [Vocabulary.V7, Vocabulary.V7Reviewed]));
        Assert.Null(NotifierProperties.VocabulariesAgreeOn(p));
    }
    /// <summary>MADV_FREE over part of a THP: the folio split maps a zero-filled subpage to the shared zero page from
    /// linux-6.12 on and maps it back in linux-6.1 (linux-6.12 mm/huge_memory.c __split_huge_page: remap_page with
    /// RMP_USE_SHARED_ZEROPAGE; linux-7.2 __folio_split: TTU_USE_SHARED_ZEROPAGE), so VocabulariesAgree compares linux-6.1
    /// apart in a program that runs MADV_FREE.</summary>
    private static Prog ThpMadviseFreePart() => new(new MmConfig(8, 2, 32, Vocabulary.Upstream, []),
        [.. new Call[] { new Call.Mmap(0, 8, Prot.ReadWrite, Thp: true), new Call.CpuWrite(0, 1), new Call.MadviseFree(0, 1) }
            .Select(c => (Act)new Act.Do(c))]);

    [Fact]
    public void Madvise_free_of_part_of_a_thp_differs_between_linux_6_1_and_later_and_agrees_after_6_1()
    {
        var p = ThpMadviseFreePart();
        // page 1 is zero-filled: mapped back read-write in 6.1, the shared zero page (read-only) in 7.2
        Assert.Equal("page 1: linux-6.1 leaves 0:frame 0 rw dirty soft-dirty, linux-7.2 leaves 0:frame 0 r soft-dirty",
            NotifierProperties.AgreeWithin(p, [Vocabulary.Linux6_1, Vocabulary.Linux7_2]));
        Assert.Null(NotifierProperties.AgreeWithin(p, [Vocabulary.Linux6_12, Vocabulary.Linux6_18, Vocabulary.Linux7_2, Vocabulary.Linux7_3, Vocabulary.Upstream]));
        Assert.Null(NotifierProperties.VocabulariesAgreeOn(p));
    }
}
