using NetOps.Snmp.Tests.Support;

namespace NetOps.Snmp.Tests;

/// <summary>GetTableAsync reading several columns side by side, one get-bulk per page of rows for all of them.</summary>
public sealed class TableReadTests
{
    private static readonly uint[] Columns = [1, 2, 5, 8, 10];

    [Fact]
    public async Task SeveralColumns_AreReadTogether_InAFifthOfTheRequests()
    {
        var view = Mib2.Build(interfaces: 200);
        await using var fixture = AgentFixture.Start(view, new SnmpAgentOptions { MaxMessageSize = 65_000 });

        var table = await fixture.Client.GetTableAsync(fixture.Target(), Mib2.IfEntry, Columns);

        AssertIsTheView(view, table);
        // 200 rows at 25 a page: 8 full pages, and one that finds every column past its end (45 column by column).
        Assert.Equal(9, fixture.Agent.RequestsAnswered);
    }

    [Theory]
    [InlineData(5, null, null)]   // tooBig with an empty list above 5 repetitions (MikroTik)
    [InlineData(null, 7, null)]   // fewer rows than asked, without an error (Zyxel)
    [InlineData(null, null, 484)] // answers cut to a small maximum message size
    public async Task SeveralColumns_AreReadCompletely_FromDevicesThatLimitTheirAnswers(int? tooBigAbove, int? cap, int? maxMessageSize)
    {
        var view = Mib2.Build(interfaces: 60);
        var options = new SnmpAgentOptions
        {
            Quirks = new AgentQuirks { TooBigAboveRepetitions = tooBigAbove, MaxBulkRepetitions = cap },
            MaxMessageSize = maxMessageSize ?? new SnmpAgentOptions().MaxMessageSize,
        };
        await using var fixture = AgentFixture.Start(view, options);

        var table = await fixture.Client.GetTableAsync(fixture.Target() with { MaxRepetitions = 50 }, Mib2.IfEntry, Columns);

        AssertIsTheView(view, table);
    }

    [Fact]
    public async Task ColumnsThatEndAtDifferentRows_AreEachReadToTheirEnd()
    {
        var view = Mib2.Build(interfaces: 40);
        var entry = Oid.Parse("1.3.6.1.4.1.9999.1.1");
        for (uint row = 1; row <= 40; row++)
        {
            view.Set(entry.Append(1, row), SnmpValue.Integer(row));
            if (row % 4 == 0)
            {
                view.Set(entry.Append(2, row), SnmpValue.OctetString($"sparse {row}"));
            }
        }

        await using var fixture = AgentFixture.Start(view);

        var table = await fixture.Client.GetTableAsync(fixture.Target() with { MaxRepetitions = 7 }, entry, [1, 2, 3]);

        Assert.Equal(40, table.Rows.Count);
        Assert.Equal(10, table.Rows.Count(r => r.TryGet(2, out _)));
        Assert.Equal("sparse 36", table.Rows[35][2].AsString());
        Assert.DoesNotContain(table.Rows, r => r.TryGet(3, out _));
    }

    private static void AssertIsTheView(MibView view, SnmpTable table)
    {
        var expected = Columns.SelectMany(c => view.Walk(Mib2.IfEntry.Append(c))).OrderBy(b => b.Oid).ToList();
        var actual = table.Rows.SelectMany(r => r.Cells.Select(c => new VarBind(Mib2.IfEntry.Append(c.Key).Append(r.Index), c.Value)))
            .OrderBy(b => b.Oid).ToList();
        Assert.Equal(expected.Select(b => (b.Oid, b.Value)), actual.Select(b => (b.Oid, b.Value)));
    }
}
