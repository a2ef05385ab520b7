using NetOps.Core.Inventory;

namespace NetOps.Inventory.Tests;

public sealed class TimeAndValueTests
{
    private static readonly DateTimeOffset Now = new(2026, 8, 21, 18, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("now", 0)]
    [InlineData("now-2h", -2 * 60)]
    [InlineData("now+3d", 3 * 24 * 60)]
    [InlineData("now - 1d + 6h", -18 * 60)]
    [InlineData("now+90m", 90)]
    [InlineData("now-1w", -7 * 24 * 60)]
    public void RelativeTime_ResolvesAgainstTheClock(string text, int minutes)
    {
        Assert.True(Values.TryParseTime(text, Now, out var value, out var problem), problem);

        Assert.Equal(Now.AddMinutes(minutes), value);
    }

    [Theory]
    [InlineData("2026-08-21T16:00:00Z", "2026-08-21T16:00:00Z")]
    [InlineData("2026-08-21T18:00:00+02:00", "2026-08-21T16:00:00Z")]
    public void AbsoluteTime_IsReadAsUtc(string text, string utc)
    {
        Assert.True(Values.TryParseTime(text, Now, out var value, out _));

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("2026-08-21T16:00:00")]
    [InlineData("tomorrow")]
    [InlineData("now-2x")]
    [InlineData("nowish")]
    public void TimeWithoutOffsetOrUnknownForm_IsRefused(string text)
    {
        Assert.False(Values.TryParseTime(text, Now, out _, out var problem));
        Assert.Contains(text, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelativeTimesInTheInventory_ResolveAgainstTheInjectedClock_AtEachLoad()
    {
        var clock = new FakeTimeProvider(Now);
        var loader = new InventoryLoader(new CredentialStore(Demo.SecretsFile, _ => null), clock);

        var first = (await loader.LoadDirectoryAsync(Demo.Directory, CancellationToken.None)).GetOrThrow();
        clock.Now = Now.AddHours(5);
        var second = (await loader.LoadDirectoryAsync(Demo.Directory, CancellationToken.None)).GetOrThrow();

        Assert.Equal(Now.AddDays(-1), first.Events["kerwe"].Start);
        Assert.Equal(Now.AddHours(5).AddDays(-1), second.Events["kerwe"].Start);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("PT15S", 15_000)]
    public void Duration_AcceptsShortAndIsoForms(string text, int milliseconds)
    {
        Assert.True(Values.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("AC:CC:8E:00:00:01", "ac:cc:8e:00:00:01")]
    [InlineData("ac-cc-8e-00-00-01", "ac:cc:8e:00:00:01")]
    [InlineData("accc.8e00.0001", "ac:cc:8e:00:00:01")]
    [InlineData("ACCC8E000001", "ac:cc:8e:00:00:01")]
    public void Mac_IsNormalised(string text, string expected)
    {
        Assert.True(MacAddress.TryParse(text, out var mac));
        Assert.Equal(expected, mac);
    }

    [Theory]
    [InlineData("ac:cc:8e:00:00")]
    [InlineData("ac:cc:8e-00:00:01")]
    [InlineData("zz:cc:8e:00:00:01")]
    public void BadMac_IsRefused(string text) => Assert.False(MacAddress.TryParse(text, out _));
}
