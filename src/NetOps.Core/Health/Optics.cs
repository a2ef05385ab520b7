namespace NetOps.Core.Health;

/// <summary>What a transceiver sensor measures.</summary>
public enum OpticQuantity
{
    Other,
    RxPower,
    TxPower,
    Temperature,
    BiasCurrent,
    Voltage,
}

/// <summary>
/// Unit conversions for transceiver readings (digital optical monitoring). ENTITY-SENSOR-MIB (RFC 3433) and
/// CISCO-ENTITY-SENSOR-MIB report a fixed-point integer with an SI prefix (scale) and a number of decimals (precision);
/// JUNIPER-DOM-MIB reports power in hundredths of a dBm and the laser bias in microamperes.
/// </summary>
public static class Optics
{
    /// <summary>RFC 3433 EntitySensorDataType watts(6); also CISCO-ENTITY-SENSOR-MIB's.</summary>
    public const int TypeWatts = 6;

    /// <summary>CISCO-ENTITY-SENSOR-MIB SensorDataType dBm(14): not in RFC 3433.</summary>
    public const int TypeDbm = 14;

    public const int TypeVoltsAc = 3;
    public const int TypeVoltsDc = 4;
    public const int TypeAmperes = 5;
    public const int TypeCelsius = 8;

    /// <summary>EntitySensorDataScale units(9): 10^0.</summary>
    public const int ScaleUnits = 9;

    /// <summary>The weakest level a receiver reports (loss of signal): what no light at all becomes in dBm.</summary>
    public const double NoLightDbm = -40;

    /// <summary>
    /// The decimal exponent of an EntitySensorDataScale: yocto(1) = -24 … units(9) = 0 … yotta(17) = 24, in steps
    /// of 3. (CISCO-ENTITY-SENSOR-MIB swaps the names exa/peta, not their numbers.)
    /// </summary>
    public static int ScaleExponent(int scale) =>
        scale is >= 1 and <= 17 ? (scale - ScaleUnits) * 3 : throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale is 1 (yocto) to 17 (yotta)");

    /// <summary>
    /// A sensor value in base units (W, A, V, °C, dBm): raw × 10^scale ÷ 10^precision. A precision of 1 to 9 is the
    /// number of decimals; 0 and the negative precisions (-8 to -1: accurate digits only) leave the value as it is.
    /// </summary>
    public static double SensorValue(long raw, int scale, int precision)
    {
        var decimals = precision is >= 1 and <= 9 ? precision : 0;
        // Work in one power of ten so that 1234 × 10^-3 ÷ 10^1 stays 0.1234 instead of collecting rounding error.
        var exponent = ScaleExponent(scale) - decimals;
        return exponent >= 0 ? raw * Math.Pow(10, exponent) : raw / Math.Pow(10, -exponent);
    }

    /// <summary>Optical power in watts as dBm (decibels relative to one milliwatt); no light is <see cref="NoLightDbm"/>.</summary>
    public static double WattsToDbm(double watts)
    {
        var dbm = watts > 0 ? 10 * Math.Log10(watts * 1000) : NoLightDbm;
        return Math.Max(NoLightDbm, Math.Round(dbm, 2));
    }

    /// <summary>dBm as watts.</summary>
    public static double DbmToWatts(double dbm) => Math.Pow(10, dbm / 10) / 1000;

    /// <summary>JUNIPER-DOM-MIB power: hundredths of a dBm.</summary>
    public static double HundredthsDbm(long raw) => raw / 100d;

    /// <summary>JUNIPER-DOM-MIB laser bias current: microamperes, as milliamperes.</summary>
    public static double MicroampsToMilliamps(long raw) => raw / 1000d;

    /// <summary>
    /// What a sensor measures, from its data type and the words in its entPhysicalName or entPhysicalDescr ("Te1/1/1
    /// Receive Power Sensor", "DOM Rx Power for Ethernet49/1", "xe-0/0/0 Tx Bias"). Power needs the words to say
    /// which direction; a current under a transceiver is its laser bias.
    /// </summary>
    public static OpticQuantity Classify(int type, string? name)
    {
        var words = Words(name);
        return type switch
        {
            TypeWatts or TypeDbm when IsRx(words) => OpticQuantity.RxPower,
            TypeWatts or TypeDbm when IsTx(words) => OpticQuantity.TxPower,
            TypeCelsius => OpticQuantity.Temperature,
            TypeAmperes => OpticQuantity.BiasCurrent,
            TypeVoltsDc or TypeVoltsAc => OpticQuantity.Voltage,
            _ => OpticQuantity.Other,
        };
    }

    private static bool IsRx(string[] words) =>
        words.Any(w => w is "rx" or "receive" or "received" or "receiver" or "input" or "in");

    private static bool IsTx(string[] words) =>
        words.Any(w => w is "tx" or "transmit" or "transmitted" or "transmitter" or "output" or "out");

    private static string[] Words(string? name) =>
        (name ?? "").ToLowerInvariant().Split([' ', '\t', '-', '_', ':', ',', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
}
