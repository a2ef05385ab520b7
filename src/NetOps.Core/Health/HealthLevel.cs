using NetOps.Core.Inventory;

namespace NetOps.Core.Health;

/// <summary>How bad a measured value is against its threshold.</summary>
public enum HealthLevel
{
    Ok,
    Warning,
    Critical,
}

/// <summary>Evaluates values against a <see cref="Threshold"/>, remembering the level so the edge does not flap.</summary>
public static class Hysteresis
{
    /// <summary>
    /// The level of <paramref name="value"/> given the level it had before. Rising takes effect at the threshold;
    /// falling back takes effect only once the value is past the raised level's threshold by the hysteresis.
    /// </summary>
    public static HealthLevel Evaluate(this Threshold threshold, double value, HealthLevel previous)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        if (double.IsNaN(value))
        {
            return previous;
        }

        // Work in "badness": larger is worse either way.
        var sign = threshold.HigherIsWorse ? 1 : -1;
        var badness = value * sign;
        var warning = threshold.Warning * sign;
        var critical = threshold.Critical * sign;
        var raw = badness >= critical ? HealthLevel.Critical : badness >= warning ? HealthLevel.Warning : HealthLevel.Ok;
        if (raw >= previous)
        {
            return raw;
        }

        var band = Math.Abs(threshold.Hysteresis);
        if (previous == HealthLevel.Critical && badness > critical - band)
        {
            return HealthLevel.Critical;
        }

        return badness > warning - band ? HealthLevel.Warning : HealthLevel.Ok;
    }
}
