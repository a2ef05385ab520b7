namespace NetOps.Inventory.Tests;

/// <summary>Each kind of bad input is reported at its file, line and field, and every error is collected.</summary>
public sealed class ValidationTests
{
    private const string Base = """
        defaults:
          snmp: { version: v2c, port: 16161, credential: rainbow-ro }
        sites:
          - { id: rathaus, name: Rathaus }
        devices:
          - id: core-rathaus
            class: core
            site: rathaus
            address: 127.77.0.1
            ports: [Te1/0/1, Te1/0/2]
          - id: acc-nord
            class: access
            site: rathaus
            address: 127.77.1.1
            ports: [Te1/1/1, Gi0/1]
        links:
          - id: core-acc-nord
            a: { device: core-rathaus, port: Te1/0/1 }
            b: { device: acc-nord, port: Te1/1/1 }
        """;

    private const string Mogli = """
        defaults:
          snmp: { version: v2c, port: 16161, credential: mogli-ro }
          report_interval: 10s
        devices:
          - { id: mogli-01-sw, class: mobile-switch, node: mogli-01, address: 127.77.3.1, ports: [xe-0/0/0, ge-0/0/1] }
        nodes:
          - id: mogli-01
            device: mogli-01-sw
            assignments:
              - { event: kerwe, zone: stiftsplatz, from: now-1d, until: now+2d }
        endpoints:
          - { id: cam-1, kind: camera, mac: "ac:cc:8e:00:00:01", node: mogli-01, planned_port: ge-0/0/1 }
        events:
          - id: kerwe
            start: now-1d
            end: now+2d
            zones:
              - { id: stiftsplatz, name: Stiftsplatz }
        """;

    [Fact]
    public void ValidBaseInventory_Loads()
    {
        var result = Load(("a.yaml", Base), ("m.yaml", Mogli));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
    }

    [Fact]
    public void YamlSyntaxError_IsReportedWithItsLine()
    {
        var error = Single(Load(("bad.yaml", "sites:\n  - { id: a, name: b\n  - { id: c }\n")));

        Assert.Equal("bad.yaml", error.File);
        Assert.InRange(error.Line, 2, 3);
        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sites:\n  - id: a\n    id: b\n", 3)]
    [InlineData("sites:\n  - id: a\n\t- id: b\n", 3)]
    [InlineData("sites:\n  - { id: a, name: \"b }\n", 2)]
    [InlineData("sites:\n  - id: a\n name: b\n", 3)]
    public void MalformedYaml_IsASyntaxErrorAtItsLine_NeverACrash(string text, int line)
    {
        var error = Single(Load(("bad.yaml", text)));

        Assert.Equal("bad.yaml", error.File);
        Assert.InRange(error.Line, line - 1, line);
        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKey_NamesFileLineAndField()
    {
        var error = Single(Load(("a.yaml", Base.Replace("    address: 127.77.1.1", "    adress: 127.77.1.1", StringComparison.Ordinal))),
            e => e.Message.StartsWith("unknown key", StringComparison.Ordinal));

        AssertAt(error, "a.yaml", 14, "devices[1].adress");
        Assert.Contains("unknown key 'adress'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredField_NamesTheField()
    {
        var errors = Load(("a.yaml", Base.Replace("    address: 127.77.1.1\n", "", StringComparison.Ordinal))).Errors;

        var error = Assert.Single(errors, e => e.Field == "devices[1].address");
        Assert.Equal(11, error.Line);
        Assert.Equal("missing required field", error.Message);
    }

    [Fact]
    public void IdThatIsNotASlug_IsRefused()
    {
        var error = Single(Load(("a.yaml", Base.Replace("id: rathaus", "id: Rathaus_KL", StringComparison.Ordinal)
            .Replace("site: rathaus", "site: Rathaus_KL", StringComparison.Ordinal))), e => e.Field == "sites[0].id");

        AssertAt(error, "a.yaml", 4, "sites[0].id");
        Assert.Contains("not a slug", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateIdAcrossFiles_NamesBothPlaces()
    {
        var result = Load(("a.yaml", Base), ("b.yaml", "sites:\n  - { id: kammgarn }\n  - { id: rathaus }\n"));

        var error = Single(result);
        AssertAt(error, "b.yaml", 3, "sites[1].id");
        Assert.Equal("duplicate site id 'rathaus' (first defined at a.yaml:4)", error.Message);
    }

    [Fact]
    public void LinkToUnknownPort_ReadsLikeTheOperatorWouldSayIt()
    {
        var error = Single(Load(("a.yaml", Base.Replace("b: { device: acc-nord, port: Te1/1/1 }", "b: { device: acc-nord, port: Gi0/9 }", StringComparison.Ordinal))));

        Assert.Equal("a.yaml:19: links[0].b.port: device 'acc-nord' has no port 'Gi0/9'", error.ToString());
    }

    [Fact]
    public void LinkToUnknownDevice_IsReported()
    {
        var error = Single(Load(("a.yaml", Base.Replace("a: { device: core-rathaus,", "a: { device: core-rathous,", StringComparison.Ordinal))));

        AssertAt(error, "a.yaml", 18, "links[0].a.device");
        Assert.Equal("unknown device 'core-rathous'", error.Message);
    }

    [Fact]
    public void DeviceInUnknownSiteOrNode_IsReported()
    {
        var result = Load(
            ("a.yaml", Base.Replace("    site: rathaus\n    address: 127.77.1.1", "    site: ratthaus\n    address: 127.77.1.1", StringComparison.Ordinal)),
            ("m.yaml", Mogli.Replace("node: mogli-01, address", "node: mogli-07, address", StringComparison.Ordinal)));

        Assert.Contains(result.Errors, e => e is { File: "a.yaml", Line: 13, Field: "devices[1].site", Message: "unknown site 'ratthaus'" });
        Assert.Contains(result.Errors, e => e is { File: "m.yaml", Line: 5, Field: "devices[0].node", Message: "unknown node 'mogli-07'" });
    }

    [Theory]
    [InlineData("127.77.1")]
    [InlineData("10")]
    [InlineData("acc-nord.example")]
    [InlineData("127.77.1.300")]
    public void BadAddress_IsRefused(string address)
    {
        var error = Single(Load(("a.yaml", Base.Replace("address: 127.77.1.1", "address: " + address, StringComparison.Ordinal))));

        AssertAt(error, "a.yaml", 14, "devices[1].address");
        Assert.Contains("not an IP address", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("8.8.4.4")]
    [InlineData("::1")]
    [InlineData("2001:db8::77")]
    public void AnyIpAddress_IsAccepted(string address)
    {
        var result = Load(("a.yaml", Base.Replace("address: 127.77.1.1", $"address: \"{address}\"", StringComparison.Ordinal)));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
    }

    [Fact]
    public void BadMac_IsRefused()
    {
        var error = Single(Load(("a.yaml", Base), ("m.yaml", Mogli.Replace("ac:cc:8e:00:00:01", "ac:cc:8e:00:00", StringComparison.Ordinal))));

        AssertAt(error, "m.yaml", 12, "endpoints[0].mac");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("snmp")]
    public void SnmpPortOutOfRange_IsRefusedWhereItIsWritten(string port)
    {
        var error = Single(Load(("a.yaml", Base.Replace("port: 16161", "port: " + port, StringComparison.Ordinal))));

        AssertAt(error, "a.yaml", 2, "defaults.snmp.port");
        Assert.Contains("not a port number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssignmentToUnknownEventOrZone_OrBackwards_IsRefused()
    {
        var result = Load(("a.yaml", Base), ("m.yaml", Mogli.Replace(
            "      - { event: kerwe, zone: stiftsplatz, from: now-1d, until: now+2d }",
            "      - { event: kerwe, zone: schillerplatz, from: now-1d, until: now-2d }\n" +
            "      - { event: kerwe, zone: schillerplatz, from: now+3d, until: now+4d }\n" +
            "      - { event: altstadtfest, zone: mainzer-tor, from: now+5d, until: now+6d }",
            StringComparison.Ordinal)));

        Assert.Contains(result.Errors, e => e is { File: "m.yaml", Line: 10, Field: "nodes[0].assignments[0].until", Message: "until must be after from" });
        Assert.Contains(result.Errors, e => e is { File: "m.yaml", Line: 11, Field: "nodes[0].assignments[1].zone", Message: "event 'kerwe' has no zone 'schillerplatz'" });
        Assert.Contains(result.Errors, e => e is { File: "m.yaml", Line: 12, Field: "nodes[0].assignments[2].event", Message: "unknown event 'altstadtfest'" });
    }

    [Fact]
    public void CredentialThatCannotBeResolved_IsRefused()
    {
        var result = Load(("a.yaml", Base.Replace("credential: rainbow-ro", "credential: rainbow-rw", StringComparison.Ordinal)));

        var error = Single(result);
        AssertAt(error, "a.yaml", 2, "defaults.snmp.credential");
        Assert.Contains("NETOPS_SECRET_RAINBOW_RW", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlannedPortMissingOnTheNodesDevice_IsRefused()
    {
        var error = Single(Load(("a.yaml", Base), ("m.yaml", Mogli.Replace("planned_port: ge-0/0/1", "planned_port: ge-0/0/7", StringComparison.Ordinal))));

        AssertAt(error, "m.yaml", 12, "endpoints[0].planned_port");
        Assert.Equal("device 'mogli-01-sw' of node 'mogli-01' has no port 'ge-0/0/7'", error.Message);
    }

    [Fact]
    public void EveryError_IsCollected_InFileAndLineOrder()
    {
        var bad = Base
            .Replace("address: 127.77.0.1", "address: 300.1.1.1", StringComparison.Ordinal)
            .Replace("class: access", "class: distribution", StringComparison.Ordinal)
            .Replace("port: Te1/1/1 }", "port: Te9/9/9 }", StringComparison.Ordinal);

        var result = Load(("a.yaml", bad), ("m.yaml", Mogli.Replace("kind: camera", "kind: drone", StringComparison.Ordinal)));

        Assert.Equal(
            [
                "a.yaml:9: devices[0].address: '300.1.1.1' is not an IP address",
                "a.yaml:12: devices[1].class: 'distribution' is not a device class (core, access, site, mobile-switch)",
                "m.yaml:12: endpoints[0].kind: 'drone' is not an endpoint kind (camera, sensor, access-point, other)",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void SecretWrittenIntoTheInventory_IsRefusedWithAHint_AndNotEchoed()
    {
        var result = Load(("a.yaml", Base.Replace("credential: rainbow-ro }", "credential: rainbow-ro, community: s3cr3t-c0mmunity }", StringComparison.Ordinal)));

        var error = Single(result);
        Assert.Equal("defaults.snmp.community", error.Field);
        Assert.Contains("secrets never go in the inventory", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BootLoad_ThrowsAnExceptionListingEveryError()
    {
        var result = Load(("a.yaml", Base.Replace("address: 127.77.0.1", "address: nope", StringComparison.Ordinal)
            .Replace("port: Te1/1/1 }", "port: Te9/9/9 }", StringComparison.Ordinal)));

        var exception = Assert.Throws<InventoryException>(result.GetOrThrow);

        Assert.Contains("a.yaml:9: devices[0].address: 'nope' is not an IP address", exception.Message, StringComparison.Ordinal);
        Assert.Contains("a.yaml:19: links[0].b.port: device 'acc-nord' has no port 'Te9/9/9'", exception.Message, StringComparison.Ordinal);
        Assert.Equal(2, exception.Errors.Count);
    }

    [Fact]
    public async Task SyntaxErrorInTheFleetFile_IsOneError_NamingTheChecksItSkips_NotTheirConsequences()
    {
        using var temp = new TempInventory();
        temp.Replace("fleet.yaml", "    port: 16161", "    port: [16161");

        var result = await Demo.Loader(temp.SecretsFile).LoadDirectoryAsync(temp.Directory, CancellationToken.None);

        // Not 71: every device and link of the other files relies on the defaults and link classes fleet.yaml holds.
        var error = Single(result);
        Assert.Equal(temp.PathOf("fleet.yaml"), error.File);
        Assert.Equal(6, error.Line);
        Assert.True(error.Column > 0);
        Assert.Equal(
            [
                $"{temp.PathOf("fleet.yaml")}:6: YAML syntax error at column {error.Column}: malformed YAML after this point (an unclosed bracket or quote?)",
                "  skipped until this file parses, as they may depend on it: checks of fields left to fleet_defaults, link classes, " +
                "references to sites, devices, nodes and events of other files",
            ],
            error.ToString().Split('\n'));
    }

    [Fact]
    public async Task SyntaxErrorInOneFile_StillReportsWhatTheOtherFilesGetWrongOnTheirOwn()
    {
        using var temp = new TempInventory();
        temp.Replace("fleet.yaml", "    port: 16161", "    port: [16161");
        temp.Replace("rainbow.yaml", "address: 127.77.1.2", "address: 127.77.1");

        var result = await Demo.Loader(temp.SecretsFile).LoadDirectoryAsync(temp.Directory, CancellationToken.None);

        Assert.Collection(result.Errors,
            e => Assert.StartsWith("YAML syntax error", e.Message, StringComparison.Ordinal),
            e => Assert.Equal("'127.77.1' is not an IP address", e.Message));
        Assert.Equal(temp.PathOf("rainbow.yaml"), result.Errors[1].File);
    }

    [Fact]
    public void SyntaxErrorInASiteFile_DoesNotTurnItsSitesIntoUnknownReferences()
    {
        var sites = "sites:\n  - { id: rathaus, name: Rathaus\n";
        var devices = Base[Base.IndexOf("devices:", StringComparison.Ordinal)..];
        var defaults = Base[..Base.IndexOf("sites:", StringComparison.Ordinal)];

        var error = Single(Load(("a.yaml", sites), ("b.yaml", defaults + devices)));

        Assert.Equal("a.yaml", error.File);
        Assert.EndsWith(", references to sites, devices, nodes and events of other files", error.Message, StringComparison.Ordinal);
    }

    private static InventoryLoadResult Load(params (string File, string Text)[] files) =>
        new InventoryLoader(new CredentialStore(Demo.SecretsFile, _ => null), new FakeTimeProvider(Demo.Now))
            .Load([.. files.Select(f => new InventorySource(f.File, f.Text))]);

    private static InventoryError Single(InventoryLoadResult result, Func<InventoryError, bool>? where = null)
    {
        Assert.False(result.Succeeded);
        return where is null ? Assert.Single(result.Errors) : Assert.Single(result.Errors, e => where(e));
    }

    private static void AssertAt(InventoryError error, string file, int line, string field)
    {
        Assert.Equal(file, error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(field, error.Field);
    }
}
