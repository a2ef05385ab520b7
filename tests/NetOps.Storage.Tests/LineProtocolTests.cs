using NetOps.Storage.Points;

namespace NetOps.Storage.Tests;

public sealed class LineProtocolTests
{
    [Fact]
    public void Escaping_FollowsEachPositionsRules()
    {
        var point = new Point("m x,y=z", [new Tag("t k,=", "a b,c=d")], [Field.String("f k", "say \"hi\" \\ now"), Field.Integer("i", -5),
            Field.Float("g", 1.5), Field.Boolean("b", true)], 42);

        Assert.Equal("m\\ x\\,y=z,t\\ k\\,\\==a\\ b\\,c\\=d f\\ k=\"say \\\"hi\\\" \\\\ now\",i=-5i,g=1.5,b=true 42", LineProtocol.ToLine(point));
    }

    [Fact]
    public void Integers_HaveNoUnsignedSuffix_AndCountersWrapModulo2To63()
    {
        Assert.Equal(long.MaxValue, ObservationPoints.Counter(long.MaxValue));
        Assert.Equal(0, ObservationPoints.Counter(1UL << 63));
        Assert.Equal(5, ObservationPoints.Counter((1UL << 63) + 5));
        var line = LineProtocol.ToLine(new Point("c", [], [Field.Integer("n", ObservationPoints.Counter(ulong.MaxValue))], 1));
        Assert.Equal("c n=9223372036854775807i 1", line);
    }

    [Theory]
    [InlineData("ends\\")]
    [InlineData("line\nbreak")]
    [InlineData("")]
    public void Validate_RefusesNamesInfluxCannotCarry(string name)
    {
        Assert.NotNull(LineProtocol.Validate(new Point("m", [new Tag("t", name.Length == 0 ? "x" : name)], [Field.Integer(name, 1)], 1)));
    }

    [Fact]
    public void Validate_RefusesNonFiniteFloats_AndPointsWithoutFields()
    {
        Assert.NotNull(LineProtocol.Validate(new Point("m", [], [Field.Float("x", double.NegativeInfinity)], 1)));
        Assert.NotNull(LineProtocol.Validate(new Point("m", [], [], 1)));
        Assert.NotNull(LineProtocol.Validate(new Point("#comment", [], [Field.Float("x", 1)], 1)));
        Assert.Null(LineProtocol.Validate(new Point("m", [new Tag("t", "ok")], [Field.Float("x", 1)], 1)));
    }

    [Fact]
    public void EmptyTagValues_AreLeftOut_AndLineBreaksInStringsBecomeSpaces()
    {
        var line = LineProtocol.ToLine(new Point("m", [new Tag("a", ""), new Tag("b", "1")], [Field.String("s", "x\r\ny")], 7));
        Assert.Equal("m,b=1 s=\"x  y\" 7", line);
    }

    [Fact]
    public void ZeroMicrowatts_HasNoDbm()
    {
        Assert.Null(ObservationPoints.DbmFromMicrowatts(0));
        Assert.Equal(-30, ObservationPoints.DbmFromMicrowatts(1)!.Value, 6);
        Assert.Equal(0, ObservationPoints.DbmFromMicrowatts(1000)!.Value, 6);
    }
}
