using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetOps.Core.Observations;

namespace NetOps.Mqtt.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Options_BindFromTheMqttSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mqtt:Host"] = "broker.local",
            ["Mqtt:Port"] = "8883",
            ["Mqtt:Username"] = "ingest",
            ["Mqtt:PasswordRef"] = "env:NETOPS_TEST_MQTT_PASSWORD",
            ["Mqtt:ClientId"] = "ingest-1",
            ["Mqtt:SharedGroup"] = "netops",
            ["Mqtt:UseTls"] = "true",
            ["Mqtt:SessionExpiry"] = "00:30:00",
            ["Mqtt:Broker:Port"] = "1884",
            ["Mqtt:Broker:Username"] = "netops",
            ["Mqtt:Broker:Password"] = "pw",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddNetOpsEmbeddedBroker();
        services.AddNetOpsMqttIngest(_ => (_, _) => ValueTask.CompletedTask);
        using var provider = services.BuildServiceProvider();

        var mqtt = provider.GetRequiredService<IOptions<MqttOptions>>().Value;
        var broker = provider.GetRequiredService<IOptions<EmbeddedBrokerOptions>>().Value;

        Assert.Equal(("broker.local", 8883, "ingest", "ingest-1", "netops", true), (mqtt.Host, mqtt.Port, mqtt.Username, mqtt.ClientId, mqtt.SharedGroup, mqtt.UseTls));
        Assert.Equal(TimeSpan.FromMinutes(30), mqtt.SessionExpiry);
        Assert.Equal(1884, broker.Port);
        Assert.Equal(10_000, broker.MaxPendingMessagesPerClient);
        Assert.Empty(mqtt.Validate());
    }

    [Fact]
    public void BadValue_FailsValidation_NamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mqtt:Port"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddNetOpsMqttOptions();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MqttOptions>>().Value);
        Assert.Contains("Mqtt:Port must be 1..65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credential_IsResolvedOnce_IntoThePassword_AndDefaultsComeFromTheClass()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mqtt:Credential"] = "mqtt-demo",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        var asked = new List<string>();
        services.AddNetOpsMqttOptions((_, name) => { asked.Add(name); return "secret"; });
        using var provider = services.BuildServiceProvider();

        var mqtt = provider.GetRequiredService<IOptions<MqttOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<MqttOptions>>().Value;
        Assert.Equal(("127.0.0.1", 18830, "netops", "secret"), (mqtt.Host, mqtt.Port, mqtt.Username, mqtt.Password));
        Assert.Equal(["mqtt-demo"], asked);
    }

    [Fact]
    public void ToString_NeverShowsThePassword()
    {
        var mqtt = new MqttOptions { Username = "u", Password = "hunter2" };
        var broker = new EmbeddedBrokerOptions { Username = "u", Password = "hunter2" };
        var node = new NodePublisherOptions { NodeId = "n", Password = "hunter2" };

        Assert.DoesNotContain("hunter2", mqtt.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", broker.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", node.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordRef_ReadsAFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "from-file\n");
            Assert.Equal("from-file", new MqttOptions { PasswordRef = "file:" + path }.ResolvePassword());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SharedGroup_WithASlash_IsInvalid()
    {
        Assert.NotEmpty(new MqttOptions { SharedGroup = "a/b" }.Validate());
        Assert.Equal("$share/g/netops/v1/nodes/+/telemetry", MqttTopics.Shared(MqttTopics.NodeTelemetryFilter, "g"));
    }

    [Fact]
    public void TelemetryPayload_RoundTripsThroughTheParser()
    {
        var telemetry = new NodeTelemetry(12.5, PowerSource.Mains, TimeSpan.FromSeconds(3600), -3.5, UplinkKind.None, -99, new GeoPosition(49.44, 7.77));
        var ts = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var payload = NodePublisher.TelemetryPayload(telemetry, 42, ts, "b1");

        var result = new Parsing.MqttPayloadParser().Parse(MqttTopics.NodeTelemetry("n1"), new System.Buffers.ReadOnlySequence<byte>(payload), ts.AddSeconds(1));

        var observation = Assert.IsType<NodeTelemetryObservation>(result.Observation);
        Assert.Equal(telemetry, observation.Telemetry);
        Assert.Equal(ts, observation.ObservedAt);
        Assert.Equal(42, observation.Sequence);
    }
}
