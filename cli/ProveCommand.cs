using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier prove [--vocabulary NAME] [--variant NAME] [--depth K] [--quiet]`: the Z3 proof set
/// (spec/). Exit 0: every query holds; 12: a CTI or counterexample; 255: error or unknown.
/// </summary>
public static class ProveCommand
{
    /// <summary>--vocabulary NAME of spec/'s model vocabularies (prove, contract).</summary>
    public static Option<string?> ModelVocabularyOption() =>
        Opt.Text("--vocabulary", "NAME", $"one vocabulary (default: each of {string.Join(", ", ModelVocabulary.DefaultNames)}): {NotifierSpec.Reference.Vocabularies.NameList}",
            name => ModelVocabulary.Find(name) is null ? $"unknown vocabulary '{name}' ({NotifierSpec.Reference.Vocabularies.NameList})" : null, () => NotifierSpec.Reference.Vocabularies.Names);

    private static readonly Option<string?> VocabularyOption = ModelVocabularyOption();
    private static readonly Option<string?> VariantOption = Opt.Text("--variant", "NAME", "a variant of the listener (default correct): a planted bug's name in catalogue/vocabulary.json (or its reference/, tla/ name or alias)",
        name => Variant.Find(name, "") is not null ? null : $"unknown variant '{name}' ({string.Join(", ", Variant.Names)})", () => Variant.Names);
    private static readonly Option<int> Depth = Opt.Int("--depth", "K", "bounded model checking depth", Proofs.DefaultBmcDepth, 0, 30);
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "print only the queries that do not hold, and no progress line on stderr");
    private static readonly Option<bool> Json = Opt.Flag("--json", JsonOut.Help);

    public static Command Define()
    {
        var c = new Command("prove", "Runs the Z3 proof set of spec/: every invariant inductive and every rule implied, per vocabulary, plus bounded model checking; a failing variant prints its counterexample.")
        {
            VocabularyOption, VariantOption, Depth, Quiet, Json,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult args)
    {
        var (stdout, stderr) = (args.InvocationConfiguration.Output, args.InvocationConfiguration.Error);
        bool json = args.GetValue(Json);
        var jsonRuns = new JsonArray();
        var realOut = stdout;
        if (json) stdout = TextWriter.Null; // the text goes nowhere; one object at the end (docs/schemas/prove.schema.json)
        int depth = args.GetValue(Depth);
        string? vocName = args.GetValue(VocabularyOption);
        string? variantName = args.GetValue(VariantOption);

        var runs = new List<(ModelVocabulary, Variant)>();
        if (variantName is null or "correct")
        {
            foreach (var v in vocName is null ? ModelVocabulary.All : [ModelVocabulary.Find(vocName)!])
                runs.Add((v, Variant.Correct(v.Name)));
        }
        else
        {
            var variant = Variant.Find(variantName, vocName ?? "")!;
            var voc = ModelVocabulary.Find(vocName ?? variant.Vocabulary)!;
            if (variant.OverrideEvent is { } ev && voc.Events.All(e => e.Name != ev))
                throw new UsageException($"notifier prove: variant '{variant.Name}' changes the reaction to {ev}, which vocabulary '{voc.Name}' does not have");
            runs.Add((voc, variant));
        }

        bool quiet = args.GetValue(Quiet);
        bool failed = false, unknown = false;
        var total = Stopwatch.StartNew();
        int queries = 0;
        double slowest = 0;
        string slowestName = "";
        try
        {
            // the text prints each run's table as it is done: on the terminal, that is its progress
            Progress.Run("prove", stderr, quiet, progress =>
            {
                foreach (var (voc, variant) in runs)
                {
                    progress.Report($"{voc.Name}/{variant.Name}, {queries} queries done");
                    var results = Proofs.Run(voc, variant, depth);
                    // --quiet: a run whose every query holds prints nothing, not even its headers
                    var w = !quiet || variant.Failing || results.Any(r => r.Verdict != QueryVerdict.Holds || r.Report is not null) ? stdout : TextWriter.Null;
                    w.WriteLine($"## vocabulary {voc.Name}, variant {variant.Name}: {variant.Description}");
                    if (json)
                        jsonRuns.Add(new JsonObject
                        {
                            ["vocabulary"] = voc.Name, ["variant"] = variant.Name, ["description"] = variant.Description,
                            ["queries"] = new JsonArray(results.Select(r => (JsonNode?)new JsonObject
                            {
                                ["query"] = r.Query, ["result"] = Word(r.Verdict), ["failed"] = r.Failed, ["ms"] = Math.Round(r.Millis, 1), ["report"] = r.Report,
                            }).ToArray()),
                            ["reproduce"] = variant.Failing ? $"notifier prove --variant {variant.Name}" : null,
                        });
                    var table = Tables.Plain(true, new("query"), new("result"), new("ms", Right: true));
                    foreach (var r in results)
                    {
                        queries++;
                        if (r.Millis > slowest) { slowest = r.Millis; slowestName = $"{voc.Name}/{variant.Name}: {r.Query}"; }
                        if (!quiet || r.Verdict != QueryVerdict.Holds)
                            table.Row(r.Query, Word(r.Verdict), r.Millis.ToString("F1", CultureInfo.InvariantCulture));
                        failed |= r.Failed;
                        unknown |= r.Verdict == QueryVerdict.Unknown;
                    }
                    Tables.Write(w, table);
                    foreach (var r in results.Where(r => r.Report is not null))
                    {
                        w.WriteLine();
                        w.WriteLine($"### {r.Query}");
                        w.Write(r.Report);
                    }
                    if (variant.Failing)
                        w.WriteLine($"reproduce: notifier prove --variant {variant.Name}");
                    w.WriteLine();
                }
                return 0;
            }, streamsTo: stdout);
        }
        catch (SpecException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Error;
        }
        catch (Microsoft.Z3.Z3Exception e)
        {
            stderr.WriteLine($"notifier prove: Z3 error: {e.Message.Split('\n')[0]}");
            return ExitCodes.Error;
        }
        total.Stop();
        stdout.WriteLine($"{queries} queries in {total.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s; slowest {slowest.ToString("F1", CultureInfo.InvariantCulture)} ms ({slowestName})");
        if (json)
            JsonOut.Write(realOut, new JsonObject
            {
                ["exit"] = failed ? ExitCodes.Violation : unknown ? ExitCodes.Error : ExitCodes.Ok, ["queries"] = queries, ["failed"] = failed, ["unknown"] = unknown,
                ["seconds"] = JsonOut.Seconds(total.Elapsed.TotalSeconds), ["runs"] = jsonRuns,
            });
        if (failed) return ExitCodes.Violation;
        if (unknown) { stderr.WriteLine("notifier prove: the solver answered unknown for some query"); return ExitCodes.Error; }
        return ExitCodes.Ok;
    }

    public static string Word(QueryVerdict v) => v switch
    {
        QueryVerdict.Holds => "holds",
        QueryVerdict.Cti => "CTI",
        QueryVerdict.Counterexample => "counterexample",
        QueryVerdict.NoTraceUpToDepth => "no trace to depth",
        QueryVerdict.Vacuous => "VACUOUS",
        _ => "unknown",
    };
}
