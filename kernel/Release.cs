using System.Globalization;
using System.Text.RegularExpressions;
using NotifierSpec.Reference;

namespace NotifierSpec.Kernel;

/// <summary>
/// The vocabulary of the running kernel: `uname -r` (/proc/sys/kernel/osrelease) major.minor -> linux-X.Y when the
/// catalogue (catalogue/vocabulary.json) has that release; otherwise upstream, and the reason is said.
/// </summary>
public static partial class KernelRelease
{
    public const string OsRelease = "/proc/sys/kernel/osrelease";

    [GeneratedRegex(@"^(\d+)\.(\d+)")]
    private static partial Regex MajorMinor();

    /// <summary>The running kernel's release string (uname -r), or null when it cannot be read.</summary>
    public static string? Running()
    {
        try { return File.ReadAllText(OsRelease).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The major.minor of a release string (uname -r "6.18.44-fc-v1272" -> 6.18), null when it does not start with one.</summary>
    public static Version? MajorMinorOf(string? release) =>
        release is not null && MajorMinor().Match(release) is { Success: true } m
            ? new Version(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)) : null;

    /// <summary>The vocabulary for a release string, and how it was chosen (one phrase for the run's header).</summary>
    public static (Vocabulary Vocabulary, string Why) VocabularyOf(string? release)
    {
        string up = $"{EventTables.Name(Vocabulary.Upstream)}{(EventTables.Of(Vocabulary.Upstream).AliasOf is { } a ? $" = {a}" : "")}";
        if (release is null) return (Vocabulary.Upstream, $"{up}: the kernel release could not be read from {OsRelease}");
        if (MajorMinorOf(release) is not { } mm) return (Vocabulary.Upstream, $"{up}: uname -r '{release}' does not start with major.minor");
        string name = $"linux-{mm.Major}.{mm.Minor}";
        if (EventTables.TryParse(name, out var v)) return (v, $"{name}: from uname -r {release}");
        return (Vocabulary.Upstream, $"{up}: the catalogue has no {name} (uname -r {release}; it has {Vocabularies.NameList})");
    }
}
