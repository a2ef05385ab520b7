using System.Net;

namespace NetOps.Snmp.Tests;

public sealed class NetSnmpFormatTests
{
    private static readonly Oid Oid = Oid.Parse("1.3.6.1.2.1.1.3.0");

    public static TheoryData<SnmpValue, string> Lines => new()
    {
        { SnmpValue.TimeTicks(12345), "Timeticks: (12345) 0:02:03.45" },
        { SnmpValue.TimeTicks(697202257), "Timeticks: (697202257) 80 days, 16:40:22.57" },
        { SnmpValue.TimeTicks(8640000), "Timeticks: (8640000) 1 day, 0:00:00.00" },
        { SnmpValue.OctetString("text"), "STRING: \"text\"" },
        { SnmpValue.OctetString("say \"hi\" \\ bye"), "STRING: \"say \\\"hi\\\" \\\\ bye\"" },
        { SnmpValue.OctetString(new byte[] { 0x00, 0x1a, 0x2b }), "Hex-STRING: 00 1A 2B " },
        { SnmpValue.OctetString(ReadOnlyMemory<byte>.Empty), "\"\"" },
        { SnmpValue.Integer(-5), "INTEGER: -5" },
        { SnmpValue.ObjectIdentifier(Oid.Parse("1.3.6.1.4.1.8072.3.2.10")), "OID: .1.3.6.1.4.1.8072.3.2.10" },
        { SnmpValue.Counter32(1), "Counter32: 1" },
        { SnmpValue.Gauge32(1), "Gauge32: 1" },
        { SnmpValue.Counter64(ulong.MaxValue), "Counter64: 18446744073709551615" },
        { SnmpValue.IpAddress(IPAddress.Parse("1.2.3.4")), "IpAddress: 1.2.3.4" },
        { SnmpValue.Null, "NULL" },
        { SnmpValue.NoSuchObject, "No Such Object available on this agent at this OID" },
        { SnmpValue.NoSuchInstance, "No Such Instance currently exists at this OID" },
        { SnmpValue.EndOfMibView, "No more variables left in this MIB View (It is past the end of the MIB tree)" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Format_PrintsNetSnmpsNumericForm(SnmpValue value, string expected)
    {
        Assert.Equal(".1.3.6.1.2.1.1.3.0 = " + expected, NetSnmpFormat.Format(new VarBind(Oid, value)));
    }

    [Fact]
    public void LongHexStrings_BreakAfterSixteenBytes()
    {
        var bytes = Enumerable.Range(0, 18).Select(i => (byte)i).ToArray();

        Assert.Equal("Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n10 11 ",
            NetSnmpFormat.FormatValue(SnmpValue.OctetString(bytes)));
    }

    [Theory]
    [InlineData('i', "-3", "INTEGER: -3")]
    [InlineData('u', "7", "Gauge32: 7")]
    [InlineData('c', "8", "Counter32: 8")]
    [InlineData('C', "18446744073709551615", "Counter64: 18446744073709551615")]
    [InlineData('t', "100", "Timeticks: (100) 0:00:01.00")]
    [InlineData('a', "10.0.0.1", "IpAddress: 10.0.0.1")]
    [InlineData('o', ".1.3.6.1", "OID: .1.3.6.1")]
    [InlineData('s', "hello", "STRING: \"hello\"")]
    [InlineData('x', "00 1a 2B", "Hex-STRING: 00 1A 2B ")]
    public void ParseValue_TakesNetSnmpsTypeLetters(char type, string text, string expected)
    {
        Assert.Equal(expected, NetSnmpFormat.FormatValue(NetSnmpFormat.ParseValue(type, text)));
    }

    [Fact]
    public void Target_NeverPrintsTheCommunity()
    {
        var target = new SnmpTarget(new IPEndPoint(IPAddress.Loopback, 161)) { Community = "s3cret-community" };
        var message = new SnmpMessage(SnmpVersion.V2c, "s3cret-community", new SnmpPdu(SnmpPduType.GetRequest, 1, []));

        Assert.DoesNotContain("s3cret", target.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", message.ToString(), StringComparison.Ordinal);
    }
}
