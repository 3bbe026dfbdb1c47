using System.CommandLine;
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
    private static readonly Option<string?> Vocabulary = ProveCommand.ModelVocabularyOption();
    private static readonly Option<bool> Json = Opt.Flag("--json", "print the rows as JSON (snake_case keys; docs/schemas/)");
    private static readonly Option<bool> Counterexamples = Opt.Flag("--counterexamples", "print the counterexample of each refuted cell");
    private static readonly Option<bool> Quiet = Opt.Flag("--quiet", "no progress line on stderr");

    public static Command Define()
    {
        var c = new Command("contract", "For each vocabulary and event, proves each listener reaction safe or refutes it (Z3), and names the weakest safe reaction.")
        {
            Vocabulary, Json, Counterexamples, Quiet,
        };
        c.SetAction(Run);
        return c;
    }

    private static int Run(ParseResult args)
    {
        var (stdout, stderr) = (args.InvocationConfiguration.Output, args.InvocationConfiguration.Error);
        string? vocName = args.GetValue(Vocabulary);
        var vocs = vocName is null ? ModelVocabulary.All : [ModelVocabulary.Find(vocName)!];
        var sw = Stopwatch.StartNew();
        List<ContractRow> rows;
        try
        {
            rows = Progress.Run("contract", stderr, args.GetValue(Quiet), progress =>
            {
                var rows = new List<ContractRow>();
                foreach (var voc in vocs)
                {
                    rows.AddRange(Contract.Compute(voc));
                    progress.Report($"{rows.Select(r => r.Vocabulary).Distinct().Count()}/{vocs.Count} vocabularies, {rows.Sum(r => r.Cells.Count)} cells");
                }
                return rows;
            });
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
        if (args.GetValue(Json))
            stdout.WriteLine(JsonSerializer.Serialize(rows, JsonOut.Options)); // snake_case, as every --json (docs/schemas/contract.schema.json)
        else
        {
            Write(stdout, rows, args.GetValue(Counterexamples));
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

    /// <summary>Per vocabulary an aligned markdown table (the content of spec/Contract.Markdown), then with
    /// --counterexamples each refuted cell's counterexample.</summary>
    private static void Write(TextWriter w, IReadOnlyList<ContractRow> rows, bool counterexamples)
    {
        foreach (var group in rows.GroupBy(r => r.Vocabulary))
        {
            w.WriteLine($"## Event contract: vocabulary `{group.Key}`");
            w.WriteLine();
            var table = Tables.Markdown(["event", "allowed PTE change", "new prot", .. Contract.Policies.Select(p => p.Name()), "weakest safe", "documented policy"]);
            foreach (var r in group)
                table.Row([r.Event, r.Effect, r.NewProtection, .. r.Cells.Select(Contract.Cell),
                    r.WeakestSafe.Count == 0 ? "none" : string.Join(", ", r.WeakestSafe), r.DocumentedReaction]);
            Tables.Write(w, table);
            w.WriteLine();
            if (counterexamples) w.Write(Contract.Counterexamples(group.Key, group));
        }
    }
}
