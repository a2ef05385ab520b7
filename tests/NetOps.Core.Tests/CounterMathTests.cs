using NetOps.Core.Health;
using NetOps.Core.Observations;

namespace NetOps.Core.Tests;

public sealed class CounterMathTests
{
    private static readonly DateTimeOffset T0 = Fleet.Start;

    [Fact]
    public void Counter32_ThatWentBack_WrappedOnce()
    {
        Assert.Equal(300UL, CounterMath.Delta(uint.MaxValue - 99, 200, 32));
        Assert.Equal(5UL, CounterMath.Delta(10, 15, 32));
    }

    [Fact]
    public void Counter64_ThatWentBack_IsADiscontinuity()
    {
        Assert.Null(CounterMath.Delta(1UL << 40, 5, 64));
        Assert.Equal(1UL << 33, CounterMath.Delta(1UL << 33, 1UL << 34, 64));
    }

    [Fact]
    public void UptimeThatWentBack_IsAReboot()
    {
        Assert.Equal(CounterBreak.Reboot, CounterMath.CompareUptime(360_000, 1_000, TimeSpan.FromSeconds(30)));
        Assert.Equal(CounterBreak.None, CounterMath.CompareUptime(1_000, 4_000, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void UptimeWrappingAt2To32Ticks_IsNotAReboot_WhenTheWallClockAgrees()
    {
        // 497 days up: 1,000 ticks (10 s) before the wrap, 2,000 ticks (20 s) after it, 30 s apart.
        var before = CounterMath.Wrap32 - 1_000;
        Assert.Equal(CounterBreak.None, CounterMath.CompareUptime(before, 2_000, TimeSpan.FromSeconds(30)));
        // The same readings an hour apart do not fit a wrap: the device rebooted in between.
        Assert.Equal(CounterBreak.Reboot, CounterMath.CompareUptime(before, 2_000, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Rates_OfA32BitPortAcrossAWrap_AreInBitsAndPacketsPerSecond()
    {
        var a = Reading(T0, 100, bits: 32, octets: uint.MaxValue - 999, packets: uint.MaxValue, errors: 10);
        var b = Reading(T0.AddSeconds(10), 100 + 1_000, bits: 32, octets: 124_999_000, packets: 999, errors: 30);

        var rates = PortRates.Between(a, b, restartNotified: false);

        Assert.Equal(CounterBreak.None, rates.Break);
        Assert.Equal(100_000_000, rates.InBps!.Value, precision: 3);
        Assert.Equal(100, rates.InPps!.Value, precision: 3);
        Assert.Equal(2, rates.InErrorsPerSecond!.Value, precision: 3);
        Assert.Equal(2, rates.ErrorsPerSecond!.Value, precision: 3);
        Assert.Equal(10, rates.UtilisationPercent!.Value, precision: 3);
    }

    [Fact]
    public void A32BitCounterGoingBack_AfterAReboot_DrawsNoRate()
    {
        var a = Reading(T0, 360_000, bits: 32, octets: 4_000_000_000);
        var b = Reading(T0.AddSeconds(10), 500, bits: 32, octets: 1_000);

        var rates = PortRates.Between(a, b, restartNotified: false);

        Assert.Equal(CounterBreak.Reboot, rates.Break);
        Assert.Null(rates.InBps);
        Assert.Null(rates.UtilisationPercent);
    }

    [Fact]
    public void A64BitCounterGoingBack_DropsEveryRateOfThePort()
    {
        var a = Reading(T0, 100, bits: 64, octets: 1UL << 40, errors: 1);
        var b = Reading(T0.AddSeconds(10), 1_100, bits: 64, octets: 10, errors: 2);

        var rates = PortRates.Between(a, b, restartNotified: false);

        Assert.Equal(CounterBreak.CounterReset, rates.Break);
        Assert.Null(rates.InBps);
        Assert.Null(rates.ErrorsPerSecond);
    }

    [Fact]
    public void ADiscontinuityTimeThatMoved_OrARestartNotification_DropsTheDelta()
    {
        var a = Reading(T0, 100, bits: 64, octets: 1_000, discontinuity: 0);
        var b = Reading(T0.AddSeconds(10), 1_100, bits: 64, octets: 2_000, discontinuity: 900);

        Assert.Equal(CounterBreak.DiscontinuityTime, PortRates.Between(a, b, restartNotified: false).Break);
        var c = Reading(T0.AddSeconds(10), 1_100, bits: 64, octets: 2_000, discontinuity: 0);
        Assert.Equal(CounterBreak.RestartNotified, PortRates.Between(a, c, restartNotified: true).Break);
        Assert.Equal(CounterBreak.None, PortRates.Between(a, c, restartNotified: false).Break);
    }

    [Fact]
    public void RatesAcrossTheUptimeWrap_AreKept()
    {
        var a = Reading(T0, CounterMath.Wrap32 - 500, bits: 64, octets: 1_000);
        var b = Reading(T0.AddSeconds(10), 500, bits: 64, octets: 2_000);

        var rates = PortRates.Between(a, b, restartNotified: false);

        Assert.Equal(CounterBreak.None, rates.Break);
        Assert.Equal(800, rates.InBps!.Value, precision: 3);
    }

    private static PortReading Reading(DateTimeOffset at, ulong upTicks, int bits, ulong octets, ulong? packets = null, ulong? errors = null,
        uint? discontinuity = null) =>
        new(new PortSample("ge-0/0/1", 1, true, true, octets, octets, 1_000)
        {
            CounterBits = bits,
            InUcastPkts = packets,
            InErrors = errors,
            DiscontinuityTicks = discontinuity,
        }, at, upTicks);
}
