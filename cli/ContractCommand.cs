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
        var uffd = new Dictionary<string, List<ContractCell>>(StringComparer.Ordinal);
        try
        {
            rows = Progress.Run("contract", stderr, args.GetValue(Quiet), progress =>
            {
                var rows = new List<ContractRow>();
                foreach (var voc in vocs)
                {
                    rows.AddRange(Contract.Compute(voc));
                    // MMU_NOTIFY_PROTECTION_VMA as UFFDIO_WRITEPROTECT sends it (kernel vocabularies: vma_may_stay)
                    if (voc.Events.Any(e => e.Effect == Effect.Protection && e.VmaMayStay))
                        uffd[voc.Name] = [.. new[] { ModelReaction.Ignore, ModelReaction.WriteProtect, ModelReaction.ConsultVma, ModelReaction.Unmap }
                            .Select(r => Contract.UffdWp(voc, r))];
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
            Write(stdout, rows, args.GetValue(Counterexamples), uffd);
            stdout.WriteLine($"{rows.Sum(r => r.Cells.Count)} cells in {sw.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
        }
        var undecided = rows.SelectMany(r => r.Cells.Select(c => (r, c)))
            .Concat(uffd.SelectMany(u => u.Value.Select(c => (r: rows.First(x => x.Vocabulary == u.Key), c))))
            .Where(x => x.c.Verdict == "unknown").ToList();
        if (undecided.Count > 0)
        {
            stderr.WriteLine($"notifier contract: {undecided.Count} cell(s) undecided, e.g. {undecided[0].r.Vocabulary} {undecided[0].r.Event} {undecided[0].c.Reaction}");
            return ExitCodes.Error;
        }
        return ExitCodes.Ok;
    }

    /// <summary>Per vocabulary an aligned markdown table (the content of spec/Contract.Markdown), then with
    /// --counterexamples each refuted cell's counterexample.</summary>
    private static void Write(TextWriter w, IReadOnlyList<ContractRow> rows, bool counterexamples, Dictionary<string, List<ContractCell>> uffd)
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
            // the sender the event's documentation does not describe (docs/protection-vma.md): BMC only, every start a
            // uffd_wp_range write-protect (Contract.UffdWp)
            if (uffd.TryGetValue(group.Key, out var cells))
            {
                w.WriteLine($"MMU_NOTIFY_PROTECTION_VMA from uffd_wp_range (UFFDIO_WRITEPROTECT, the VMA unchanged), BMC to depth {Contract.BmcDepth}: " +
                    string.Join(", ", cells.Select(c => $"{c.Reaction} {(c.Verdict == "refuted" ? $"refuted ({c.BrokenRule})" : c.Verdict == "bounded" ? "no counterexample" : c.Verdict)}")));
                w.WriteLine();
            }
            if (counterexamples) w.Write(Contract.Counterexamples(group.Key, group));
        }
    }
}
