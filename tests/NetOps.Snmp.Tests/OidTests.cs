namespace NetOps.Snmp.Tests;

public sealed class OidTests
{
    [Theory]
    [InlineData("1.3.6.1.2.1.1.3.0")]
    [InlineData(".1.3.6.1.2.1.1.3.0")]
    public void Parse_AcceptsDottedDecimalWithOrWithoutLeadingDot(string text)
    {
        var oid = Oid.Parse(text);

        Assert.Equal(new uint[] { 1, 3, 6, 1, 2, 1, 1, 3, 0 }, oid.Arcs.ToArray());
        Assert.Equal("1.3.6.1.2.1.1.3.0", oid.ToString());
        Assert.Equal(".1.3.6.1.2.1.1.3.0", oid.ToDottedString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("1..3")]
    [InlineData("1.3.")]
    [InlineData("1.3.x")]
    [InlineData("1.3.-1")]
    [InlineData("1.3.4294967296")]
    [InlineData("iso.3.6")]
    public void TryParse_RejectsWhatIsNotNumeric(string text)
    {
        Assert.False(Oid.TryParse(text, out _));
    }

    [Fact]
    public void Parse_AcceptsTheLargestSubIdentifier()
    {
        Assert.Equal(uint.MaxValue, Oid.Parse("1.3.4294967295")[2]);
    }

    [Fact]
    public void Comparison_IsLexicographicBySubIdentifier()
    {
        var sorted = new[] { "1.3.6.1.2.1.2", "1.3.6.1.2.1.1.10", "1.3.6.1.2.1.1", "1.3.6.1.2.1.1.9.1", "1.3.6.1.2.1.1.2" }
            .Select(Oid.Parse).Order().Select(o => o.ToString());

        Assert.Equal(["1.3.6.1.2.1.1", "1.3.6.1.2.1.1.2", "1.3.6.1.2.1.1.9.1", "1.3.6.1.2.1.1.10", "1.3.6.1.2.1.2"], sorted);
        Assert.True(Oid.Parse("1.3.6.1.2.1.1.2") < Oid.Parse("1.3.6.1.2.1.1.10"));
    }

    [Fact]
    public void IsChildOf_IsStrict_AndStartsWithIncludesTheOidItself()
    {
        var system = Oid.Parse("1.3.6.1.2.1.1");

        Assert.True(Oid.Parse("1.3.6.1.2.1.1.3.0").IsChildOf(system));
        Assert.False(system.IsChildOf(system));
        Assert.True(system.StartsWith(system));
        Assert.False(Oid.Parse("1.3.6.1.2.1.10").IsChildOf(system));
    }

    [Fact]
    public void EqualOids_AreEqualAndHashAlike()
    {
        var a = Oid.Parse("1.3.6.1.2.1.2.2.1.10.7");
        var b = Oid.Parse("1.3.6.1.2.1.2.2.1").Append(10, 7);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(Oid.Parse("10.7"), a.Slice(9));
    }
}
