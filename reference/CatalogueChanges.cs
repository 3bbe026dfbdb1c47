using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace NotifierSpec.Reference;

/// <summary>A `dated` value of the catalogue (docs/dating.md) read: `commit HASH "TITLE" (vX.Y)...` gives Hash, Title and
/// Release; `first seen in the linux-X.Y tree...` gives FirstSeenIn ("linux-X.Y"); any other form (a restated row's
/// "unchanged from linux-X.Y", the seed's review) only its Text.</summary>
public sealed record Dating(string Text, string? Hash = null, string? Title = null, string? Release = null, string? FirstSeenIn = null)
{
    public static readonly Regex CommitForm = new(@"^commit (?<hash>[0-9a-f]{12}) ""(?<title>[^""]+)"" \(v(?<release>\d+\.\d+)\)", RegexOptions.CultureInvariant);
    public static readonly Regex FirstSeenForm = new(@"^first seen in the (?<tree>linux-\d+\.\d+) tree\b", RegexOptions.CultureInvariant);

    public static Dating Parse(string text) =>
        CommitForm.Match(text) is { Success: true } c ? new(text, c.Groups["hash"].Value, c.Groups["title"].Value, c.Groups["release"].Value)
        : FirstSeenForm.Match(text) is { Success: true } f ? new(text, FirstSeenIn: f.Groups["tree"].Value)
        : new(text);

    /// <summary>The dating in one phrase: `commit HASH "TITLE" (vX.Y)`, `first seen in the linux-X.Y tree`, or the text
    /// up to its first colon.</summary>
    public string Head => Hash is not null ? $"commit {Hash} \"{Title}\" (v{Release})"
        : FirstSeenIn is not null ? $"first seen in the {FirstSeenIn} tree"
        : Text.IndexOf(": ", StringComparison.Ordinal) is var i and > 0 ? Text[..i] : Text;

    /// <summary>The dating in a table cell: `vX.Y HASH`, `linux-X.Y (first seen)`, or the text up to its first parenthesis.</summary>
    public string Short => Hash is not null ? $"v{Release} {Hash}"
        : FirstSeenIn is not null ? $"{FirstSeenIn} (first seen)"
        : Text.IndexOf(" (", StringComparison.Ordinal) is var i and > 0 ? Text[..i] : Head;
}

/// <summary>A row of a vocabulary that differs from the same row of the vocabulary it is based on (BasedOn), with the
/// dating of the difference: the vocabulary's own row or change entry's `dated`, or for a renamed event its
/// `renames_dated` (null only where the catalogue lacks it: CatalogueTests fails then). Derived: the change entry's
/// note on how a release without a tree here was derived.</summary>
public sealed record RowChange(string Site, string BasedOn, CatalogueRow Before, CatalogueRow After, string? Dated, string? Derived = null)
{
    public Dating? Dating => Dated is null ? null : Reference.Dating.Parse(Dated);
}

/// <summary>The changes of each vocabulary against the vocabulary it is based on (`notifier events`, docs/rules.md). A row
/// differs when its mechanism, event(s) or owner differ from its base's, or when the vocabulary restates it with a
/// dating of its own (a new commit or release, not `unchanged from linux-X.Y`): the call site changed, its event did not
/// (e.g. mprotect's bracket moved to change_pud_range in 6.12). A restated row with the base's commit is no change.</summary>
public static class CatalogueChanges
{
    private static readonly Regex Unchanged = new(@"^unchanged from linux-\d+\.\d+\b", RegexOptions.CultureInvariant);

    /// <summary>The catalogue entry of a vocabulary, an alias followed to its target.</summary>
    private static VocabularyEntry Entry(Catalogue c, string vocabulary)
    {
        var entries = c.File.Vocabularies;
        var e = entries.FirstOrDefault(x => x.Name == vocabulary) ?? throw new ArgumentException($"no vocabulary {vocabulary}");
        for (int i = 0; e.AliasOf is { } a && i < 16; i++) e = entries.First(x => x.Name == a);
        return e;
    }

    /// <summary>The vocabulary a vocabulary is based on (an alias: its target's), or null for a family's first.</summary>
    public static string? BaseOf(Catalogue c, string vocabulary) => Entry(c, vocabulary).BasedOn;

    /// <summary>The rows of a vocabulary that differ from its base, in catalogue row order; empty without a base.</summary>
    public static ImmutableArray<RowChange> Of(Catalogue c, string vocabulary)
    {
        var e = Entry(c, vocabulary);
        if (e.BasedOn is not { } b) return [];
        var voc = c.Vocabularies.First(v => v.Name == e.Name);
        var baseVoc = c.Vocabularies.First(v => v.Name == b);
        var ownRows = (e.Rows ?? []).Select(r => r.Site).ToHashSet();
        var ownChanges = (e.Changes ?? []).ToDictionary(x => x.Site);
        var result = ImmutableArray.CreateBuilder<RowChange>();
        foreach (var r in voc.Rows)
        {
            var before = baseVoc.Row(r.Site)!;
            bool own = ownRows.Contains(r.Site) || ownChanges.ContainsKey(r.Site);
            bool differs = r.Mechanism != before.Mechanism || r.Event != before.Event || r.Owner != before.Owner
                || !SameEvents(r.EventByProt, before.EventByProt);
            bool redated = own && !(r.Dated is { } d && Unchanged.IsMatch(d)) && (r.Since, r.Commit) != (before.Since, before.Commit);
            if (!differs && !redated) continue;
            string? dated = own ? r.Dated : e.RenamesDated;
            result.Add(new RowChange(r.Site, b, before, r, dated, ownChanges.TryGetValue(r.Site, out var ch) ? ch.Derived : null));
        }
        return result.ToImmutable();
    }

    /// <summary>The change that gave a vocabulary's row its current form: this vocabulary's, or the nearest one down its
    /// based_on chain (with the vocabulary that made it); null for a row as its family's first vocabulary has it.</summary>
    public static (string Vocabulary, RowChange Change)? LastChange(Catalogue c, string vocabulary, string site)
    {
        for (VocabularyEntry? e = Entry(c, vocabulary); e is not null; e = e.BasedOn is { } b ? Entry(c, b) : null)
            if (Of(c, e.Name).FirstOrDefault(x => x.Site == site) is { } change) return (e.Name, change);
        return null;
    }

    private static bool SameEvents(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        a is null || b is null ? a is null && b is null : a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
