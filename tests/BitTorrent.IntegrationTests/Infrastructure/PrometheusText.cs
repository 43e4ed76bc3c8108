using System.Globalization;
using System.Text.RegularExpressions;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>
/// A scrape in the Prometheus text exposition format (0.0.4), parsed strictly: every sample line is
/// <c>name{label="value",...} number</c> and belongs to a family declared by a <c># TYPE</c> line before it.
/// </summary>
public sealed partial class PrometheusText
{
    private PrometheusText(List<Sample> samples, Dictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Family name to type (counter, gauge, histogram, ...).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>Every sample name (with its _total, _bucket, _sum or _count suffix: the names queries use).</summary>
    public SortedSet<string> Names => new(Samples.Select(s => s.Name), StringComparer.Ordinal);

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>Sum of a sample's values over the label sets that contain every given label.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => Samples.Any(s => s.Name == name);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var type = TypeLine().Match(line);
                if (type.Success) types[type.Groups[1].Value] = type.Groups[2].Value;
                else if (!line.StartsWith("# HELP ", StringComparison.Ordinal) && line != "# EOF")
                    throw new FormatException($"line {number}: unknown comment '{line}'");
                continue;
            }
            var sample = SampleLine().Match(line);
            if (!sample.Success) throw new FormatException($"line {number}: not a sample: '{line}'");
            var name = sample.Groups[1].Value;
            if (!types.Keys.Any(family => name == family || (name.StartsWith(family + "_", StringComparison.Ordinal) && Suffixes.Contains(name[(family.Length + 1)..]))))
                throw new FormatException($"line {number}: sample {name} has no # TYPE before it");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(sample.Groups[2].Value)) labels[label.Groups[1].Value] = label.Groups[2].Value;
            var value = sample.Groups[3].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(name, labels, value));
        }
        return new PrometheusText(samples, types);
    }

    private static readonly HashSet<string> Suffixes = ["total", "bucket", "sum", "count", "created", "info"];

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped|info|stateset|gaugehistogram|unknown)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*\})? (\S+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
