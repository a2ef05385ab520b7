using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace NetOps.Host.Metrics;

/// <summary>
/// Collects every instrument of the NetOps meter (and the .NET runtime's) through a <see cref="MeterListener"/> and
/// renders them in the Prometheus text format: counters as <c>_total</c>, histograms with buckets, observable
/// gauges read at scrape time. Instrument names keep their dots as underscores: <c>netops.poll.duration</c> in
/// seconds becomes <c>netops_poll_duration_seconds</c>.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly HashSet<string> Meters = new(StringComparer.Ordinal) { "NetOps", "System.Runtime" };

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly Lock _scrape = new();
    private long _scrapeErrors;

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Meters.Contains(instrument.Meter.Name))
            {
                _families[instrument] = new Family(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out Family? _);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The current values of every instrument in the Prometheus text exposition format.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            var text = new StringBuilder();
            foreach (var family in _families.Values.Where(f => f.IsObservable))
            {
                family.ClearGauges();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException e)
            {
                // One broken gauge must not hide every other metric; its failure is a metric of its own.
                _scrapeErrors += e.InnerExceptions.Count;
            }

            text.Append("# HELP netops_metrics_scrape_errors_total Observable instruments that threw while being read\n")
                .Append("# TYPE netops_metrics_scrape_errors_total counter\n")
                .Append("netops_metrics_scrape_errors_total ").Append(_scrapeErrors).Append('\n');
            foreach (var group in _families.Values.GroupBy(f => f.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = group.First();
                text.Append("# HELP ").Append(group.Key).Append(' ').Append(Escape(first.Description)).Append('\n');
                text.Append("# TYPE ").Append(group.Key).Append(' ').Append(first.Type).Append('\n');
                foreach (var family in group)
                {
                    family.Write(text);
                }
            }

            return text.ToString();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_families.TryGetValue(instrument, out var family))
        {
            family.Record(value, Labels(tags));
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{Sanitise(tag.Key)}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Sanitise(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }

    private static string Escape(string? text) =>
        (text ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    public void Dispose() => _listener.Dispose();

    /// <summary>One instrument's series, keyed by their label sets.</summary>
    private sealed class Family
    {
        private readonly Instrument _instrument;
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        public Family(Instrument instrument)
        {
            _instrument = instrument;
            var kind = instrument.GetType().Name;
            IsObservable = kind.StartsWith("Observable", StringComparison.Ordinal);
            IsHistogram = kind.StartsWith("Histogram", StringComparison.Ordinal);
            IsMonotonic = kind.StartsWith("Counter", StringComparison.Ordinal) || kind.StartsWith("ObservableCounter", StringComparison.Ordinal);
            var unit = instrument.Unit switch
            {
                "s" => "_seconds",
                "ms" => "_milliseconds",
                "By" => "_bytes",
                _ => "",
            };
            var baseName = Sanitise(instrument.Name);
            Name = baseName + (baseName.EndsWith(unit, StringComparison.Ordinal) ? "" : unit) + (IsMonotonic ? "_total" : "");
            Type = IsHistogram ? "histogram" : IsMonotonic ? "counter" : "gauge";
        }

        public string Name { get; }
        public string Type { get; }
        public string? Description => _instrument.Description;
        public bool IsObservable { get; }
        private bool IsHistogram { get; }
        private bool IsMonotonic { get; }

        public void ClearGauges()
        {
            if (!IsMonotonic)
            {
                _series.Clear();
            }
        }

        public void Record(double value, string labels)
        {
            var series = _series.GetOrAdd(labels, _ => new Series(IsHistogram ? new long[Buckets.Length] : null));
            lock (series)
            {
                if (IsHistogram)
                {
                    series.Count++;
                    series.Sum += value;
                    for (var i = 0; i < Buckets.Length; i++)
                    {
                        if (value <= Buckets[i])
                        {
                            series.Buckets![i]++;
                        }
                    }
                }
                else if (IsMonotonic && !IsObservable)
                {
                    series.Sum += value;
                }
                else if (!IsObservable && _instrument.GetType().Name.StartsWith("UpDownCounter", StringComparison.Ordinal))
                {
                    series.Sum += value;
                }
                else
                {
                    series.Sum = value;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (!IsHistogram)
                    {
                        Line(text, Name, labels, series.Sum);
                        continue;
                    }

                    var baseName = Name;
                    for (var i = 0; i < Buckets.Length; i++)
                    {
                        Line(text, baseName + "_bucket", Join(labels, $"le=\"{Number(Buckets[i])}\""), series.Buckets![i]);
                    }

                    Line(text, baseName + "_bucket", Join(labels, "le=\"+Inf\""), series.Count);
                    Line(text, baseName + "_sum", labels, series.Sum);
                    Line(text, baseName + "_count", labels, series.Count);
                }
            }
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private sealed class Series(long[]? buckets)
    {
        public long[]? Buckets { get; } = buckets;
        public long Count { get; set; }
        public double Sum { get; set; }
    }
}
