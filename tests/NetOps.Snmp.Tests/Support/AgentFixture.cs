using System.Net;
using NetOps.Testing;

namespace NetOps.Snmp.Tests.Support;

/// <summary>One of our agents on a free loopback port, with a client; both disposed with the test.</summary>
internal sealed class AgentFixture : IAsyncDisposable
{
    private AgentFixture(SnmpAgent agent, SnmpClient client, CapturingLogger<SnmpAgent> agentLog, CapturingLogger<SnmpClient> clientLog)
    {
        Agent = agent;
        Client = client;
        AgentLog = agentLog;
        ClientLog = clientLog;
    }

    public SnmpAgent Agent { get; }

    public SnmpClient Client { get; }

    public CapturingLogger<SnmpAgent> AgentLog { get; }

    public CapturingLogger<SnmpClient> ClientLog { get; }

    public MibView View => Agent.View;

    /// <summary>"127.0.0.1:PORT", as the net-snmp tools take it.</summary>
    public string Address => $"127.0.0.1:{Agent.LocalEndPoint.Port}";

    public SnmpTarget Target(SnmpVersion version = SnmpVersion.V2c) =>
        new(Agent.LocalEndPoint) { Version = version, Timeout = TimeSpan.FromSeconds(1), Retries = 1 };

    public static AgentFixture Start(MibView? view = null, SnmpAgentOptions? options = null, IPAddress? address = null)
    {
        var agentLog = new CapturingLogger<SnmpAgent>();
        var clientLog = new CapturingLogger<SnmpClient>();
        var agent = SnmpAgent.Start(new IPEndPoint(address ?? IPAddress.Loopback, 0), view ?? new MibView(), options, agentLog);
        return new AgentFixture(agent, new SnmpClient(logger: clientLog), agentLog, clientLog);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Agent.DisposeAsync();
        Assert.Empty(AgentLog.Errors);
        Assert.Empty(ClientLog.Errors);
    }
}
