using NotifierSpec.Reference;
using Xunit;

namespace NotifierSpec.Reference.Tests;

/// <summary>The migration of a page in the swap cache that a child's swap entry still names (session 18): linux-7.2
/// mm/migrate.c __folio_migrate_mapping moves the swap cache to the new folio (folio_set_swapcache(newfolio),
/// __swap_cache_replace_folio), so the child's swap entry names the new page and its swap-in maps that page, the one the
/// parent maps. Found live: host-only `--unseen --time 60s --seed 191` (docs/kernel.md), when compaction moved such a page.</summary>
public class MigrateSwapCacheTests
{
    /// <summary>Page 4 written, swapped out, forked (the child copies the swap entry), swapped in by the parent: the frame is
    /// mapped once and named by the child's entry. Migrated: the new frame is mapped by the parent and named by the child
    /// (reference count 2), the old one freed. Planted (PlantMigrateLeavesChildSwapEntries, the reference before): the child's
    /// entry keeps the old frame, which is not freed.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_migrated_swap_cache_page_stays_the_one_a_childs_swap_entry_names(bool plant)
    {
        var s = new Session(new MmConfig(16, 4, 48, Vocabulary.Linux7_2) { PlantMigrateLeavesChildSwapEntries = plant });
        s.Cpu(new Call.Mmap(0, 16, Prot.ReadWrite));
        s.Cpu(new Call.CpuWrite(4, 800397));
        s.Cpu(new Call.MadvisePageout(4, 5));
        s.Cpu(new Call.Fork());
        s.Cpu(new Call.CpuRead(4));
        int old = s.State.Ptes[4]!.Value.Frame;
        Assert.Equal(old, s.State.Children[0][4]);
        Assert.True(s.State.Frames[old] is { MapCount: 1, RefCount: 2 });
        s.Cpu(new Call.Migrate(4));
        int nf = s.State.Ptes[4]!.Value.Frame;
        Assert.NotEqual(old, nf);
        Assert.Equal(plant ? old : nf, s.State.Children[0][4]);
        Assert.Equal(plant ? (1, 1, false) : (1, 2, true), (s.State.Frames[nf].MapCount, s.State.Frames[nf].RefCount, s.State.Frames[old].Free));
        Assert.Equal(800397, s.State.Frames[s.State.Children[0][4]].Content);
        Assert.Null(s.FirstViolation);
    }
}
