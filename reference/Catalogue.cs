using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NotifierSpec.Reference;

// The one loader of catalogue/vocabulary.json (embedded in this assembly). Every table of events,
// call sites, rules, step names, reactions and planted bugs that reference/, spec/, properties/ and
// cli/ use comes from here; tla/NotifierEvents.tla's generated block and docs/rules.md are checked
// against it (tests/Reference.Tests/CatalogueTests.cs).

/// <summary>A malformed catalogue: one line, `file:line:col: message` when the position is known.</summary>
public sealed class CatalogueException(string message) : Exception(message);

public sealed record CatalogueRule(string Name, string Kind);

public sealed record CatalogueSteps(IReadOnlyList<string> Cpu, IReadOnlyList<string> Notifier, IReadOnlyList<string> Device,
    IReadOnlyList<string> Exclusive, IReadOnlyList<string> Environment);

/// <summary>One event of a family: what it allows the CPU PTEs to do (reference Change flags, tla/ EventClass,
/// spec/ Effect and NewProt) and the documented listener reaction.</summary>
public sealed record CatalogueEvent(string Name, IReadOnlyList<string> Allows, string TlaClass, string Effect,
    string Reaction, string Source, string? NewProt = null, bool VmaMayStay = false);

/// <summary>An event enum: v7's enum mmu_event, the review's, mainline's enum mmu_notifier_event.</summary>
public sealed record CatalogueFamily(string Name, bool ReleasePseudoEvent, string About, IReadOnlyList<CatalogueEvent> Events);

/// <summary>A call site the models run, which models run it, the user operations that reach it, and in the newest
/// release read (7.2) its PTE effect, the mmap_lock mode it runs under and where (file, function). NotInTla: why the
/// TLA+ spec has no such site (every site not run by tla/ says why, and only those).</summary>
/// ReferenceCall and ReferenceVia: a site the reference runs as the operation ReferenceCall (the name its Planner method
/// returns), notified through other sites of its own (e.g. migrate_pages through try_to_unmap_one); such a site has
/// "reference" in Models but no CallSite member of its own.</summary>
public sealed record ModelSite(string Site, IReadOnlyList<string> Models, IReadOnlyList<string> Ops,
    string? Pte = null, string? MmapLock = null, string? Citation = null, string? NotInTla = null,
    string? ReferenceCall = null, IReadOnlyList<string>? ReferenceVia = null);

/// <summary>One row of a vocabulary's call-site table. Mechanism: range (start/end), nonblock
/// (start_nonblock/end), release (exit_mmap's ->release), page (v7's invalidate_page after the PTE change), none.
/// EventByProt: the event per new protection (none, read, read-write) where it depends on it.</summary>
/// Since, Commit, Dated (a row of a linux-X.Y vocabulary that overrides its base's): the release the change came in, the
/// upstream commit title where one was found, and how it was dated (a pull request listing the commit, or "first seen in"
/// the release tree when no commit title was found here).
public sealed record CatalogueRow(string Site, string Mechanism, string? Event, string Source, string? Finding = null,
    IReadOnlyDictionary<string, string>? EventByProt = null, string? Owner = null, string? Since = null, string? Commit = null, string? Dated = null);

/// <summary>A change of a row since the vocabulary this one is based on, dated and cited by commit title; Dated as a row's
/// (docs/dating.md), carried into the row it changes.</summary>
public sealed record CatalogueChange(string Site, string? Event, string Since, string Commit, string Source, string? Owner = null, string? Derived = null,
    string? Dated = null);

/// <summary>A kernel call of the notifier API in one release (`notifier audit` compares a tree with these):
/// the enclosing function, its file, the API called, the event and owner of a range_init; the model site it
/// is (or why it is not modelled).</summary>
public sealed record KernelSite(string File, string Function, string Api, string? Event = null, string? Owner = null,
    string? ModelSite = null, string? Status = null, string? Pte = null, string? MmapLock = null,
    IReadOnlyList<string>? Ops = null, string? Citation = null, string? Since = null, string? Commit = null, string? Dated = null);

public sealed record VocabularyEntry(string Name, string Family, string? BasedOn = null, string? AliasOf = null,
    IReadOnlyList<string>? SourcePrefix = null, IReadOnlyDictionary<string, string>? Renames = null,
    IReadOnlyList<CatalogueRow>? Rows = null, string? Release = null, string? SourceTree = null,
    IReadOnlyList<CatalogueChange>? Changes = null, IReadOnlyList<KernelSite>? KernelSites = null, string? KernelSitesFrom = null,
    IReadOnlyList<CatalogueApi>? Apis = null, string? RenamesDated = null);

/// <summary>A listener API a release added (a vocabulary has it when it or a vocabulary it is based on lists it), e.g.
/// two-pass-interval: struct mmu_interval_notifier_ops' invalidate_start / invalidate_finish.</summary>
public sealed record CatalogueApi(string Name, string Source, string Commit, string Dated);

public sealed record BugModel(string Name, string? Violated);

/// <summary>A planted bug under its one name, with its name in each layer (null where that layer has none).
/// Rule: for a bug with no tla/ model, the rule the mutation matrix reports for it (`notifier hammer --mutants`,
/// seed 1, 250 tests per cell; the RulesHold cell, or the only killing cell).
/// Aliases: other spellings the command line accepts for it (e.g. the trace field skip_read_retry of no-read-retry).</summary>
public sealed record PlantedBug(string Name, string Plants, string? Reference, string? Spec, string? Tla, IReadOnlyList<BugModel> Models,
    string? Rule = null, IReadOnlyList<string>? Aliases = null)
{
    /// <summary>Every name the bug goes by: its one name, its name in each layer, its aliases.</summary>
    public IEnumerable<string> AllNames => new[] { Name, Reference, Spec, Tla }.OfType<string>().Concat(Aliases ?? []).Distinct(StringComparer.Ordinal);
}

public sealed record CatalogueFile(string Schema, string About, IReadOnlyList<CatalogueRule> Rules, CatalogueSteps Steps,
    IReadOnlyList<string> Reactions, IReadOnlyList<CatalogueFamily> Families, IReadOnlyList<ModelSite> ModelSites,
    IReadOnlyList<VocabularyEntry> Vocabularies, IReadOnlyList<PlantedBug> Bugs);

/// <summary>A vocabulary resolved from the catalogue: its family's events and its complete call-site table
/// (every model site, in catalogue order), plus the kernel call sites of its release where it has them.</summary>
public sealed record KernelVocabulary(string Name, CatalogueFamily Family, ImmutableArray<CatalogueRow> Rows,
    string? Release, string? SourceTree, ImmutableArray<CatalogueChange> Changes, ImmutableArray<KernelSite> KernelSites,
    string? AliasOf)
{
    public CatalogueRow? Row(string site) => Rows.FirstOrDefault(r => r.Site == site);

    /// <summary>The event a site sends; prot is "none", "read" or "read-write" where the event depends on it.</summary>
    public string? EventOf(string site, string prot = "none")
    {
        var r = Row(site) ?? throw new ArgumentException($"vocabulary {Name} has no row for {site}");
        return r.EventByProt is { } m ? m[prot] : r.Event;
    }
}

public sealed class Catalogue
{
    public const string ResourceName = "catalogue/vocabulary.json";
    public const string Schema = "notifier-catalogue/1";

    public CatalogueFile File { get; }
    public ImmutableArray<KernelVocabulary> Vocabularies { get; }

    private Catalogue(CatalogueFile file, ImmutableArray<KernelVocabulary> vocabularies) { File = file; Vocabularies = vocabularies; }

    private static readonly Lazy<Catalogue> Embedded = new(() =>
    {
        using var s = typeof(Catalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new CatalogueException($"{ResourceName}: not embedded in {typeof(Catalogue).Assembly.GetName().Name}");
        using var r = new StreamReader(s);
        return Parse(r.ReadToEnd(), ResourceName);
    });

    /// <summary>The catalogue built into this assembly (catalogue/vocabulary.json of the repository).</summary>
    public static Catalogue Default => Embedded.Value;

    /// <summary>The "name" of each entry of the embedded catalogue's "vocabularies", in order, read with a
    /// Utf8JsonReader alone: parsing the whole catalogue took about 0.15 s of every command's start (the serializer's
    /// first use), `notifier check` included, whose help lists the names. Equal to Default.Vocabularies' names
    /// (CatalogueTests).</summary>
    public static ImmutableArray<string> VocabularyNames()
    {
        using var s = typeof(Catalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new CatalogueException($"{ResourceName}: not embedded in {typeof(Catalogue).Assembly.GetName().Name}");
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        var r = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var names = ImmutableArray.CreateBuilder<string>();
        bool inVocabularies = false;
        while (r.Read())
        {
            if (r.TokenType != JsonTokenType.PropertyName) continue;
            if (r.CurrentDepth == 1) inVocabularies = r.ValueTextEquals("vocabularies"u8);
            else if (inVocabularies && r.CurrentDepth == 3 && r.ValueTextEquals("name"u8) && r.Read())
                names.Add(r.GetString() ?? throw new CatalogueException($"{ResourceName}: a vocabulary's name is null"));
        }
        return names.ToImmutable();
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Parses and checks a catalogue; any error is one CatalogueException line naming the file.</summary>
    public static Catalogue Parse(string json, string file)
    {
        CatalogueFile f;
        try
        {
            f = JsonSerializer.Deserialize<CatalogueFile>(json, Options) ?? throw new CatalogueException($"{file}:1:1: empty catalogue");
        }
        catch (JsonException e)
        {
            long line = (e.LineNumber ?? 0) + 1, col = (e.BytePositionInLine ?? 0) + 1;
            string msg = e.Message.Split(" Path:")[0].Split(" LineNumber:")[0];
            throw new CatalogueException($"{file}:{line}:{col}: {msg}");
        }
        if (f.Schema != Schema) throw new CatalogueException($"{file}:1:1: schema '{f.Schema}', expected '{Schema}'");
        var families = f.Families.ToDictionary(x => x.Name);
        var sites = f.ModelSites.Select(s => s.Site).ToHashSet();
        // a site the TLA+ spec does not run says why (not_in_tla); a TLA+ site has no such reason
        foreach (var s in f.ModelSites)
        {
            if ((s.ReferenceVia is null) != (s.ReferenceCall is null) || s.ReferenceVia is not null && !s.Models.Contains("reference"))
                throw new CatalogueException($"{file}: model site {s.Site}: reference_call and reference_via go together, with \"reference\" in models");
            foreach (var via in s.ReferenceVia ?? [])
                if (f.ModelSites.FirstOrDefault(x => x.Site == via) is not { ReferenceVia: null } v || !v.Models.Contains("reference"))
                    throw new CatalogueException($"{file}: model site {s.Site}: reference_via {via} is not a site the reference brackets");
            if (s.Models.Contains("tla") == (s.NotInTla is not null))
                throw new CatalogueException(s.NotInTla is null
                    ? $"{file}: model site {s.Site}: not a tla site and no not_in_tla reason"
                    : $"{file}: model site {s.Site}: a tla site with a not_in_tla reason");
        }
        var reactions = f.Reactions.ToHashSet();
        foreach (var fam in f.Families)
            foreach (var e in fam.Events)
                if (!reactions.Contains(e.Reaction)) throw new CatalogueException($"{file}: family {fam.Name} event {e.Name}: unknown reaction '{e.Reaction}'");

        var resolved = new Dictionary<string, KernelVocabulary>();
        KernelVocabulary Resolve(VocabularyEntry v, int depth)
        {
            if (resolved.TryGetValue(v.Name, out var done)) return done;
            if (depth > 16) throw new CatalogueException($"{file}: vocabulary {v.Name}: based_on/alias_of cycle");
            VocabularyEntry Find(string name) => f.Vocabularies.FirstOrDefault(x => x.Name == name)
                ?? throw new CatalogueException($"{file}: vocabulary {v.Name}: unknown vocabulary '{name}'");
            if (!families.TryGetValue(v.Family, out var fam)) throw new CatalogueException($"{file}: vocabulary {v.Name}: unknown family '{v.Family}'");
            KernelVocabulary result;
            if (v.AliasOf is { } alias)
            {
                var target = Resolve(Find(alias), depth + 1);
                result = target with { Name = v.Name, AliasOf = alias };
            }
            else
            {
                var rows = new List<CatalogueRow>();
                var changes = new List<CatalogueChange>();
                if (v.BasedOn is { } b)
                {
                    var baseVoc = Resolve(Find(b), depth + 1);
                    foreach (var r in baseVoc.Rows)
                    {
                        var nr = r;
                        if (v.Renames is { } ren && r.Event is { } ev && ren.TryGetValue(ev, out var to)) nr = nr with { Event = to };
                        if (v.SourcePrefix is [var from, var repl]) nr = nr with { Source = nr.Source.Replace(from, repl, StringComparison.Ordinal) };
                        rows.Add(nr);
                    }
                    if (baseVoc.Family.Name == fam.Name) changes.AddRange(baseVoc.Changes);
                }
                foreach (var r in v.Rows ?? [])
                {
                    int i = rows.FindIndex(x => x.Site == r.Site);
                    if (i >= 0) rows[i] = r; else rows.Add(r);
                }
                foreach (var c in v.Changes ?? [])
                {
                    int i = rows.FindIndex(x => x.Site == c.Site);
                    if (i < 0) throw new CatalogueException($"{file}: vocabulary {v.Name}: change for unknown row '{c.Site}'");
                    rows[i] = rows[i] with { Event = c.Event, Owner = c.Owner ?? rows[i].Owner, Source = c.Source, Finding = null, Since = c.Since, Commit = c.Commit, Dated = c.Dated };
                    changes.Add(c);
                }
                var kernelSites = v.KernelSites ?? [];
                if (v.KernelSitesFrom is { } ksf) kernelSites = Resolve(Find(ksf), depth + 1).KernelSites;
                result = new KernelVocabulary(v.Name, fam, [.. rows], v.Release, v.SourceTree, [.. changes], [.. kernelSites], null);
            }
            Check(result);
            resolved[v.Name] = result;
            return result;
        }
        void Check(KernelVocabulary voc)
        {
            var names = voc.Family.Events.Select(e => e.Name).ToHashSet();
            if (voc.Family.ReleasePseudoEvent) names.Add("release");
            foreach (var r in voc.Rows)
            {
                if (!sites.Contains(r.Site)) throw new CatalogueException($"{file}: vocabulary {voc.Name}: row for unknown site '{r.Site}'");
                if (r.Mechanism is not ("range" or "nonblock" or "release" or "page" or "none"))
                    throw new CatalogueException($"{file}: vocabulary {voc.Name}: site {r.Site}: unknown mechanism '{r.Mechanism}'");
                foreach (var ev in (r.EventByProt?.Values ?? []).Append(r.Event))
                    if (ev is not null && !names.Contains(ev))
                        throw new CatalogueException($"{file}: vocabulary {voc.Name}: site {r.Site}: event {ev} is not in family {voc.Family.Name}");
                if (r.Event is null && r.EventByProt is null && r.Mechanism != "none")
                    throw new CatalogueException($"{file}: vocabulary {voc.Name}: site {r.Site}: mechanism {r.Mechanism} without an event");
            }
            foreach (var s in sites)
                if (!voc.Rows.Any(r => r.Site == s)) throw new CatalogueException($"{file}: vocabulary {voc.Name}: no row for site '{s}'");
            foreach (var k in voc.KernelSites)
                if (k.ModelSite is { } ms && !sites.Contains(ms)) throw new CatalogueException($"{file}: vocabulary {voc.Name}: kernel site {k.Function}: unknown model site '{ms}'");
                else if (k.ModelSite is null && k.Status is null) throw new CatalogueException($"{file}: vocabulary {voc.Name}: kernel site {k.File} {k.Function}: neither model_site nor status");
        }
        var bugNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var b in f.Bugs)
            foreach (var n in b.AllNames)
                if (!bugNames.TryAdd(n, b.Name)) throw new CatalogueException($"{file}: planted bugs {bugNames[n]} and {b.Name} are both called '{n}'");
        var all = f.Vocabularies.Select(v => Resolve(v, 0)).ToImmutableArray();
        if (all.Select(v => v.Name).Distinct().Count() != all.Length) throw new CatalogueException($"{file}: duplicate vocabulary name");
        return new Catalogue(f, all);
    }

    public CatalogueFamily Family(string name) => File.Families.First(f => f.Name == name);
    public ModelSite Site(string name) => File.ModelSites.First(s => s.Site == name);
    public IEnumerable<ModelSite> SitesOf(string model) => File.ModelSites.Where(s => s.Models.Contains(model));

    /// <summary>The sites the reference brackets under their own name (its enum CallSite): "reference" in models and
    /// no reference_via.</summary>
    public IEnumerable<ModelSite> ReferenceCallSites => File.ModelSites.Where(s => s.Models.Contains("reference") && s.ReferenceVia is null);
    public IReadOnlyList<PlantedBug> Bugs => File.Bugs;

    /// <summary>The planted bug called <paramref name="name"/> by its one name, its name in any layer or an alias
    /// (exact spelling); null when none is.</summary>
    public PlantedBug? Bug(string name) => File.Bugs.FirstOrDefault(b => b.AllNames.Contains(name, StringComparer.Ordinal));

    /// <summary>An event by name, from the first family that has it (the reference's per-event facts must
    /// agree across families: checked by CatalogueTests).</summary>
    public CatalogueEvent? Event(string name) => File.Families.SelectMany(f => f.Events).FirstOrDefault(e => e.Name == name);
}

/// <summary>Vocabulary lookup by name, e.g. <c>Vocabularies.ByName("linux-6.18")</c> (for a harness that
/// picks one from `uname -r`): null when the catalogue has no such vocabulary.</summary>
public static class Vocabularies
{
    public static KernelVocabulary? ByName(string name) => Catalogue.Default.Vocabularies.FirstOrDefault(v => v.Name == name);

    /// <summary>The listener API of that name in a vocabulary (listed by it, or by a vocabulary of its family it is based on;
    /// an alias is its target's), or null where the vocabulary's kernel has no such API.</summary>
    public static CatalogueApi? Api(string vocabulary, string api)
    {
        var entries = Catalogue.Default.File.Vocabularies;
        var e = entries.FirstOrDefault(v => v.Name == vocabulary);
        while (e is not null)
        {
            if (e.Apis?.FirstOrDefault(a => a.Name == api) is { } found) return found;
            string? next = e.AliasOf ?? e.BasedOn;
            e = next is null ? null : entries.FirstOrDefault(v => v.Name == next);
        }
        return null;
    }

    /// <summary>Every vocabulary name, in catalogue order (Catalogue.VocabularyNames: every command's options list
    /// them, so a command reads them without parsing the whole catalogue).</summary>
    public static ImmutableArray<string> Names => NamesOnly.Value;

    private static readonly Lazy<ImmutableArray<string>> NamesOnly = new(Catalogue.VocabularyNames);

    /// <summary>"v7, v7-reviewed, upstream, ...": the list an unknown-vocabulary message prints.</summary>
    public static string NameList => string.Join(", ", Names);
}
