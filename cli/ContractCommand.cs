using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NotifierSpec.Spec;

namespace NotifierSpec.Cli;

/// <summary>
/// `notifier contract [--vocabulary NAME] [--json] [--counterexamples]`: per vocabulary and
/// event, each listener reaction proved safe or refuted, and the weakest safe reaction.
/// Exit 0: every cell decided; 255: an undecided cell (unknown) or an error.
/// </summary>
public static class ContractCommand
{
    public const string Usage = "contract [--vocabulary v7|v7-reviewed|upstream] [--json] [--counterexamples] [--quiet]";

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var args = Args.Parse("contract", argv, ["--vocabulary"], ["--json", "--counterexamples", "--quiet"], maxPositional: 0);
        if (args.Positional.Count > 0) throw new UsageException($"notifier contract: unexpected argument '{args.Positional[0]}'");
        string? vocName = args.Get("--vocabulary");
        if (vocName is not null && ModelVocabulary.Find(vocName) is null)
            throw new UsageException($"notifier contract: unknown vocabulary '{vocName}' (v7, v7-reviewed, upstream)");
        var vocs = vocName is null ? ModelVocabulary.All : [ModelVocabulary.Find(vocName)!];
        var sw = Stopwatch.StartNew();
        List<ContractRow> rows;
        try
        {
            var progress = Progress.For("contract", stderr, args.Has("--quiet"));
            rows = [];
            foreach (var voc in vocs)
            {
                rows.AddRange(Contract.Compute(voc));
                progress.Report($"{rows.Select(r => r.Vocabulary).Distinct().Count()}/{vocs.Count} vocabularies, {rows.Sum(r => r.Cells.Count)} cells");
            }
            progress.Done();
        }
        catch (SpecException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Error;
        }
        catch (Microsoft.Z3.Z3Exception e)
        {
            stderr.WriteLine($"notifier contract: Z3 error: {e.Message.Split('\n')[0]}");
            return ExitCodes.Error;
        }
        sw.Stop();
        if (args.Has("--json"))
            stdout.WriteLine(JsonSerializer.Serialize(rows, JsonOut.Options)); // snake_case, as every --json (docs/schemas/contract.schema.json)
        else
        {
            stdout.Write(Contract.Markdown(rows, args.Has("--counterexamples")));
            stdout.WriteLine($"{rows.Sum(r => r.Cells.Count)} cells in {sw.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
        }
        var undecided = rows.SelectMany(r => r.Cells.Select(c => (r, c))).Where(x => x.c.Verdict == "unknown").ToList();
        if (undecided.Count > 0)
        {
            stderr.WriteLine($"notifier contract: {undecided.Count} cell(s) undecided, e.g. {undecided[0].r.Vocabulary} {undecided[0].r.Event} {undecided[0].c.Reaction}");
            return ExitCodes.Error;
        }
        return ExitCodes.Ok;
    }
}
