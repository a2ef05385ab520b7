using NetOps.Cli;
using NetOps.Testing;

namespace NetOps.Inventory.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netops-validate-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void DemoInventory_IsValid_WithASummaryLine()
    {
        var (code, output, error) = Run(Path.Combine(RepoPaths.Root, "config", "inventory"), "--secrets", Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"));

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Matches(@"OK, \d+ sites, 28 devices, 27 links, 6 nodes, \d+ endpoints, 3 events", output);
    }

    [Fact]
    public void BadLink_IsReportedWithFileLineAndField_AndExitCodeOne()
    {
        CopyDemoInventory();
        File.WriteAllText(Path.Combine(_directory, "zz-bad.yaml"),
            "links:\n  - { id: bad, name: Bad, a: { device: acc-nord, port: Gi0/99 }, b: { device: core-rathaus, port: Te1/0/12 } }\n");

        var (code, output, error) = Run(_directory, "--secrets", Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"));

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("zz-bad.yaml:2: links[0].a.port:", error, StringComparison.Ordinal);
        Assert.Contains("Gi0/99", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SyntaxErrorInTheFleetFile_IsPrintedAlone_WithTheChecksItSkips()
    {
        CopyDemoInventory();
        var fleet = Path.Combine(_directory, "fleet.yaml");
        File.WriteAllText(fleet, File.ReadAllText(fleet).Replace("    port: 16161", "    port: [16161", StringComparison.Ordinal));

        var (code, output, error) = Run(_directory, "--secrets", Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"));

        Assert.Equal(1, code);
        Assert.Equal("", output);
        var lines = error.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^.*fleet\.yaml:6: YAML syntax error at column \d+: ", lines[0]);
        Assert.StartsWith("  skipped until this file parses, as they may depend on it: checks of fields left to fleet_defaults, link classes,", lines[1], StringComparison.Ordinal);
        Assert.Equal("1 error", lines[2].TrimEnd('\r'));
    }

    [Fact]
    public void MissingCredential_IsAnErrorThatNamesItButShowsNoSecret()
    {
        var (code, output, error) = Run(Path.Combine(RepoPaths.Root, "config", "inventory"));

        Assert.Equal(1, code);
        Assert.Contains("rainbow-ro", error, StringComparison.Ordinal);
        Assert.DoesNotContain("rainbow-demo-ro", output + error, StringComparison.Ordinal);
    }

    private void CopyDemoInventory()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "config", "inventory")))
        {
            File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
        }

        DemoPlans.CopyTo(_directory);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = ValidateCommand.Run(["validate", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
