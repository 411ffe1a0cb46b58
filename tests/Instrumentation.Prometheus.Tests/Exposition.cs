using System.IO.Pipelines;
using System.Text;

namespace Instrumentation.Prometheus.Tests;

/// <summary>One sample line of an exposition, parsed independently of the writer.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, string Value, string? Exemplar)
{
    public string this[string label] => Labels[label];

    public double Number => Value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(Value, System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A small, strict reader of the Prometheus text formats, so tests assert on parsed samples.</summary>
internal static class Exposition
{
    public static IReadOnlyList<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            samples.Add(ParseLine(line));
        }

        return samples;
    }

    public static Sample ParseLine(string line)
    {
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        string name;
        int position;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            position = brace + 1;
            while (line[position] != '}')
            {
                var equals = line.IndexOf('=', position);
                var label = line[position..equals];
                Assert.Equal('"', line[equals + 1]);
                var value = new StringBuilder();
                var i = equals + 2;
                for (; line[i] != '"'; i++)
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw new FormatException($"bad escape in {line}") });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }

                Assert.True(labels.TryAdd(label, value.ToString()), $"label {label} twice in {line}");
                position = i + 1;
                if (line[position] == ',')
                {
                    position++;
                }
            }

            position++;
        }
        else
        {
            name = line[..space];
            position = space;
        }

        Assert.Equal(' ', line[position]);
        var rest = line[(position + 1)..];
        var hash = rest.IndexOf(" # ", StringComparison.Ordinal);
        var number = hash >= 0 ? rest[..hash] : rest;
        return new Sample(name, labels, number, hash >= 0 ? rest[(hash + 3)..] : null);
    }

    public static async Task<string> Write(Instrumentation.Sinks.Prometheus.PrometheusExposition exposition, bool openMetrics)
    {
        using var stream = new MemoryStream();
        var writer = PipeWriter.Create(stream);
        await exposition.WriteAsync(writer, openMetrics);
        await writer.CompleteAsync();
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
