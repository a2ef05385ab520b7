using NetOps.Testing;

namespace NetOps.Web.Tests;

public sealed class DeploymentFilesTests
{
    [Fact]
    public async Task DockerCompose_IsValidForDockerCompose()
    {
        // No Docker engine runs here; `docker-compose config` validates the file without one.
        await using var compose = ExternalProcess.Start("docker-compose", ["-f", Path.Combine(RepoPaths.Root, "docker-compose.yml"), "config", "--quiet"],
            workingDirectory: RepoPaths.Root);
        var code = await compose.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"docker-compose config failed with {code}:\n{compose.Output}");
    }
}
