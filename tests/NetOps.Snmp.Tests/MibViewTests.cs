namespace NetOps.Snmp.Tests;

public sealed class MibViewTests
{
    [Fact]
    public void LoadSnmprec_SortsUnsortedRecordsAndDecodesEveryTag()
    {
        var view = new MibView();
        var records = """
            # a comment, then an empty line

            1.3.6.1.2.1.1.3.0|67|233425120
            1.3.6.1.2.1.1.1.0|4|Linux cray 2.6.21 | with a bar
            1.3.6.1.2.1.2.2.1.6.2|4x|00127962f940
            1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10
            1.3.6.1.2.1.4.20.1.1.127.0.0.1|64x|7f000001
            1.3.6.1.2.1.6.13.1.4.1|64|J}M}
            1.3.6.1.2.1.4.20.1.2.1|64|10.0.0.1
            1.3.6.1.2.1.2.2.1.10.1|65|762888510
            1.3.6.1.2.1.2.2.1.5.1|66|10000000
            1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615
            1.3.6.1.4.1.2021.10.1.6.1|68x|9f78043eeb851f
            1.3.6.1.2.1.1.4.0|4e|line\none\ttab\x00
            1.3.6.1.2.1.1.7.0|2|-72
            1.3.6.1.2.1.1.8.0|5|
            1.3.6.1.2.1.1.5.0|4:writecache|value=zeus
            1.3.6.1.2.1.2.2.1.11.1|65:numeric|rate=18,initial=1,cumulative=1
            1.3.6.1.2.1.2.2.1.12.1|65:numeric|rate=18
            """;

        var loaded = view.LoadSnmprec(new StringReader(records));

        Assert.Equal(16, loaded);
        var oids = view.Walk().Select(b => b.Oid).ToList();
        Assert.Equal(oids.Order(), oids);
        Assert.True(view.TryGet(Oid.Parse("1.3.6.1.2.1.1.1.0"), out var descr));
        Assert.Equal("Linux cray 2.6.21 | with a bar", descr.AsString());
        Assert.True(view.TryGet(Oid.Parse("1.3.6.1.2.1.6.13.1.4.1"), out var raw));
        Assert.Equal("74.125.77.125", raw.AsIpAddress().ToString());
        Assert.True(view.TryGet(Oid.Parse("1.3.6.1.2.1.1.4.0"), out var escaped));
        Assert.Equal("line\none\ttab\0"u8.ToArray(), escaped.AsBytes());
        Assert.True(view.TryGet(Oid.Parse("1.3.6.1.4.1.2021.10.1.6.1"), out var load));
        Assert.True(load.TryGetOpaqueFloat(out _));
        Assert.True(view.TryGet(Oid.Parse("1.3.6.1.2.1.1.5.0"), out var name));
        Assert.Equal("zeus", name.AsString());
        Assert.True(view.TryGet(Oid.Parse("1.3.6.1.2.1.2.2.1.11.1"), out var packets));
        Assert.Equal(1UL, packets.AsUInt64());
        Assert.False(view.TryGet(Oid.Parse("1.3.6.1.2.1.2.2.1.12.1"), out _));
    }

    [Fact]
    public void LoadSnmprec_NamesTheLineOfABrokenRecord()
    {
        var error = Assert.Throws<FormatException>(() => new MibView().LoadSnmprec(new StringReader("1.3.6.1|2|1\n1.3.6.2|99|x\n")));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RealRecordings_LoadCompletely()
    {
        var linux = MibView.FromSnmprec(Support.Recordings.LinuxFullWalk);
        var cisco = MibView.FromSnmprec(Support.Recordings.Cisco16Switch);

        Assert.Equal(File.ReadLines(Support.Recordings.LinuxFullWalk).Count(), linux.Count);
        Assert.Equal(File.ReadLines(Support.Recordings.Cisco16Switch).Count(), cisco.Count);
    }

    [Fact]
    public void Providers_AreEvaluatedAtReadTime_AndValuesChangeInPlace()
    {
        var view = new MibView();
        var counter = 0u;
        var status = Oid.Parse("1.3.6.1.2.1.2.2.1.8.1");
        view.SetProvider(Oid.Parse("1.3.6.1.2.1.2.2.1.10.1"), () => SnmpValue.Counter32(++counter));
        view.Set(status, SnmpValue.Integer(1));

        view.TryGet(Oid.Parse("1.3.6.1.2.1.2.2.1.10.1"), out var first);
        view.TryGet(Oid.Parse("1.3.6.1.2.1.2.2.1.10.1"), out var second);
        view.Set(status, SnmpValue.Integer(2));

        Assert.Equal(1L, first.AsInt64());
        Assert.Equal(2L, second.AsInt64());
        Assert.True(view.TryGet(status, out var down));
        Assert.Equal(2L, down.AsInt64());
        Assert.Equal(2, view.Count);
    }

    [Fact]
    public void TryGetNext_FindsTheLexicographicSuccessor()
    {
        var view = new MibView();
        view.Set(Oid.Parse("1.3.6.1.2.1.1.10.0"), SnmpValue.Integer(10));
        view.Set(Oid.Parse("1.3.6.1.2.1.1.2.0"), SnmpValue.Integer(2));

        Assert.True(view.TryGetNext(Oid.Parse("1.3.6.1.2.1.1"), out var first));
        Assert.True(view.TryGetNext(first.Oid, out var second));
        Assert.False(view.TryGetNext(second.Oid, out _));
        Assert.Equal("1.3.6.1.2.1.1.2.0", first.Oid.ToString());
        Assert.Equal("1.3.6.1.2.1.1.10.0", second.Oid.ToString());
        Assert.True(view.Remove(first.Oid));
        Assert.Equal(1, view.Count);
    }
}
