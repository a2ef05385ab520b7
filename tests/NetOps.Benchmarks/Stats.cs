using System.Globalization;

namespace NetOps.Benchmarks;

/// <summary>Median and spread of repeated measurements, the way every scenario reports them.</summary>
public static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>"median (min–max, n=N)".</summary>
    public static string Describe(IReadOnlyList<double> values, string format = "0.00") =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Median(values).ToString(format, CultureInfo.InvariantCulture)} ({values.Min().ToString(format, CultureInfo.InvariantCulture)}–{values.Max().ToString(format, CultureInfo.InvariantCulture)}, n={values.Count})");
}
