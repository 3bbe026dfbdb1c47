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
    public const string Usage = "prove [--vocabulary v7|v7-reviewed|upstream] [--variant NAME] [--depth K] [--quiet]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("prove", argv, ["--vocabulary", "--variant", "--depth"], ["--quiet", "--json"], maxPositional: 0);
        bool json = args.Has("--json");
        var jsonRuns = new JsonArray();
        var realOut = stdout;
        if (json) stdout = TextWriter.Null; // the text goes nowhere; one object at the end (docs/schemas/prove.schema.json)
        if (args.Positional.Count > 0) throw new UsageException($"notifier prove: unexpected argument '{args.Positional[0]}'");
        int depth = args.GetInt("prove", "--depth", Proofs.DefaultBmcDepth);
        if (depth < 0 || depth > 30) throw new UsageException($"notifier prove: --depth must be in 0..30, got {depth}");
        string? vocName = args.Get("--vocabulary");
        string? variantName = args.Get("--variant");
        if (vocName is not null && ModelVocabulary.Find(vocName) is null)
            throw new UsageException($"notifier prove: unknown vocabulary '{vocName}' (v7, v7-reviewed, upstream)");
        if (variantName is not null && !Variant.Names.Contains(variantName))
            throw new UsageException($"notifier prove: unknown variant '{variantName}' ({string.Join(", ", Variant.Names)})");

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

        bool quiet = args.Has("--quiet");
        bool failed = false, unknown = false;
        var total = Stopwatch.StartNew();
        int queries = 0;
        double slowest = 0;
        string slowestName = "";
        try
        {
            foreach (var (voc, variant) in runs)
            {
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
                w.WriteLine($"{"query",-90} {"result",-18} {"ms",8}");
                foreach (var r in results)
                {
                    queries++;
                    if (r.Millis > slowest) { slowest = r.Millis; slowestName = $"{voc.Name}/{variant.Name}: {r.Query}"; }
                    if (!quiet || r.Verdict != QueryVerdict.Holds)
                        w.WriteLine($"{r.Query,-90} {Word(r.Verdict),-18} {r.Millis.ToString("F1", CultureInfo.InvariantCulture),8}");
                    failed |= r.Failed;
                    unknown |= r.Verdict == QueryVerdict.Unknown;
                }
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
