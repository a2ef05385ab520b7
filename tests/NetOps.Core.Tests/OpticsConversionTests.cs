using NetOps.Core.Health;

namespace NetOps.Core.Tests;

public sealed class OpticsConversionTests
{
    [Theory]
    [InlineData(1, -24)]
    [InlineData(7, -6)]
    [InlineData(8, -3)]
    [InlineData(9, 0)]
    [InlineData(10, 3)]
    [InlineData(17, 24)]
    public void ScaleExponent_RunsFromYoctoToYottaInStepsOfThree(int scale, int exponent) =>
        Assert.Equal(exponent, Optics.ScaleExponent(scale));

    [Theory]
    [InlineData(0)]
    [InlineData(18)]
    public void ScaleExponent_OutsideTheSiPrefixes_IsRefused(int scale) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Optics.ScaleExponent(scale));

    [Theory]
    [InlineData(342, 9, 1, 34.2)] // celsius, units, one decimal
    [InlineData(328, 9, 2, 3.28)] // voltsDC
    [InlineData(71, 8, 1, 0.0071)] // amperes, milli: 7.1 mA
    [InlineData(2512, 7, 1, 0.0002512)] // watts, micro: 251.2 µW
    [InlineData(-73, 9, 1, -7.3)] // Cisco dBm
    [InlineData(1200, 9, -2, 1200)] // negative precision: accurate digits only, the value stands
    [InlineData(5, 10, 0, 5000)] // kilo
    public void SensorValue_AppliesScaleAndPrecision(long raw, int scale, int precision, double expected) =>
        Assert.Equal(expected, Optics.SensorValue(raw, scale, precision), 12);

    [Theory]
    [InlineData(0.001, 0)]
    [InlineData(0.0002512, -6)]
    [InlineData(0.0000501, -13)]
    [InlineData(0.002, 3.01)]
    public void WattsToDbm_IsDecibelsAboveOneMilliwatt(double watts, double dbm) =>
        Assert.Equal(dbm, Optics.WattsToDbm(watts), 2);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1e-12)]
    public void WattsToDbm_OfNoLight_IsTheLossOfSignalFloor(double watts) =>
        Assert.Equal(Optics.NoLightDbm, Optics.WattsToDbm(watts));

    [Fact]
    public void DbmToWatts_IsTheInverse() =>
        Assert.Equal(-7.25, Optics.WattsToDbm(Optics.DbmToWatts(-7.25)), 2);

    [Theory]
    [InlineData(-612, -6.12)]
    [InlineData(-1440, -14.4)]
    [InlineData(50, 0.5)]
    public void JuniperPower_IsInHundredthsOfADbm(long raw, double dbm) => Assert.Equal(dbm, Optics.HundredthsDbm(raw), 10);

    [Fact]
    public void JuniperBias_IsInMicroamperes() => Assert.Equal(6.012, Optics.MicroampsToMilliamps(6012), 10);

    [Theory]
    [InlineData(6, "Te1/1/1 Receive Power Sensor", OpticQuantity.RxPower)]
    [InlineData(6, "DOM Rx Power for Ethernet49/1", OpticQuantity.RxPower)]
    [InlineData(14, "Te1/1/1 Transmit Power Sensor", OpticQuantity.TxPower)]
    [InlineData(6, "xe-0/0/0 Tx Power", OpticQuantity.TxPower)]
    [InlineData(6, "Laser Output Power", OpticQuantity.TxPower)]
    [InlineData(6, "PSU 1 Power", OpticQuantity.Other)] // power without a direction is not optical
    [InlineData(5, "Te1/1/1 Tx Bias", OpticQuantity.BiasCurrent)]
    [InlineData(8, "Te1/1/1 Module Temperature Sensor", OpticQuantity.Temperature)]
    [InlineData(4, "Te1/1/1 Supply Voltage Sensor", OpticQuantity.Voltage)]
    [InlineData(10, "Fan 1", OpticQuantity.Other)]
    public void Classify_UsesTheTypeAndTheWordsOfTheName(int type, string name, OpticQuantity expected) =>
        Assert.Equal(expected, Optics.Classify(type, name));
}
