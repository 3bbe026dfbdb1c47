using Spectre.Console;
using Spectre.Console.Rendering;

namespace NotifierSpec.Cli;

/// <summary>
/// The commands' aligned tables, laid out by Spectre.Console and written to a TextWriter as plain text: no ANSI
/// codes or colours whatever the writer is, never wrapped (as wide as the widest row: a table read by scripts and
/// compared by tests must not depend on the terminal), no trailing spaces. Cells are text, never Spectre markup (a
/// `[owner: x]` in a cell is printed as it is).
/// </summary>
public static class Tables
{
    /// <summary>A column: left-aligned unless right (numbers), one space before the next column.</summary>
    public readonly record struct Column(string Header, bool Right = false);

    /// <summary>A table without borders; its header row is printed when header is true.</summary>
    public static Table Plain(bool header, params Column[] columns)
    {
        var t = new Table { Border = TableBorder.None, ShowHeaders = header };
        for (int i = 0; i < columns.Length; i++)
            t.AddColumn(new TableColumn(new Text(header ? columns[i].Header : "")) // a hidden header still widens its column
            {
                Alignment = columns[i].Right ? Justify.Right : Justify.Left,
                Padding = new Padding(0, 0, i == columns.Length - 1 ? 0 : 1, 0),
                NoWrap = true,
            });
        return t;
    }

    /// <summary>A markdown table (`| a | b |` with its `|---|` line), aligned.</summary>
    public static Table Markdown(params string[] headers)
    {
        var t = new Table { Border = TableBorder.Markdown };
        foreach (var h in headers) t.AddColumn(new TableColumn(new Text(h)) { NoWrap = true });
        return t;
    }

    public static Table Row(this Table t, params string?[] cells)
    {
        t.AddRow(cells.Select(c => (IRenderable)new Text(c ?? "")).ToArray());
        return t;
    }

    public static void Write(TextWriter w, Table t)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 1 << 16;
        console.Profile.Capabilities.Unicode = false;
        console.Write(t);
        // a markdown table's top and bottom borders are lines of spaces
        foreach (var line in text.ToString().Split('\n'))
            if (line.TrimEnd() is { Length: > 0 } l) w.WriteLine(l);
    }
}

/// <summary>A table whose rows are written as they come (a long run's results, one at a time): every column as wide as
/// given (null: as its cell), so the rows align without waiting for the last one; a wider cell widens only its own row.</summary>
public sealed class StreamedTable(TextWriter w, params (Tables.Column Column, int? Width)[] columns)
{
    private Table New(bool header)
    {
        var t = Tables.Plain(header, columns.Select(c => c.Column).ToArray());
        for (int i = 0; i < columns.Length; i++) t.Columns[i].Width = columns[i].Width;
        return t;
    }

    public void Header() => Tables.Write(w, New(true));

    public void Row(params string?[] cells) => Tables.Write(w, New(false).Row(cells));
}
