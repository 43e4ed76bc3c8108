using System.Runtime.InteropServices;
using System.Text;

namespace BitTorrent.Bench;

/// <summary>docs/benchmarks.md: one section per benchmark, replaced in place on each run.</summary>
public sealed class BenchmarkReport(string path)
{
    public void WriteSection(string name, string body)
    {
        var begin = $"<!-- begin {name} -->";
        var end = $"<!-- end {name} -->";
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\nWritten by `make bench`; each section says the machine and the command.\n";
        var section = new StringBuilder()
            .AppendLine(begin)
            .AppendLine(body.TrimEnd())
            .AppendLine()
            .AppendLine($"Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}. Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.")
            .Append(end).ToString();
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + section + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + section + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
        Console.WriteLine(section);
    }
}
