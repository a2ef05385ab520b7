using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using MQTTnet.Server.Internal.Adapter;

namespace NetOps.Mqtt;

/// <summary>
/// An in-process MQTTnet broker with username/password authentication and in-memory retained messages.
/// Usable directly (<see cref="StartAsync"/>, <see cref="DisposeAsync"/>) or as a hosted service.
/// MQTTnet's broker has no shared subscriptions: scale-out ingest needs mosquitto (docs/mqtt.md).
/// A client that connects with an empty client id gets one assigned, as mosquitto does (MQTT 3.1.1 with a clean session, or MQTT 5).
/// </summary>
public sealed class EmbeddedBroker : IHostedService, IAsyncDisposable
{
    private readonly EmbeddedBrokerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MqttServer? _server;
    private byte[]? _username;
    private byte[]? _password;

    public EmbeddedBroker(EmbeddedBrokerOptions options, ILogger<EmbeddedBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public int Port => _options.Port;

    public string Host => _options.BindAddress;

    /// <summary>True while the broker is started and accepts new connections.</summary>
    public bool IsAcceptingConnections => _server is { IsStarted: true, AcceptNewConnections: true };

    /// <summary>Ready check for a health endpoint: started, and a TCP connection to the port succeeds.</summary>
    public async Task<bool> CheckReadyAsync(CancellationToken cancellationToken)
    {
        if (!IsAcceptingConnections)
        {
            return false;
        }

        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Parse(_options.BindAddress), _options.Port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts listening; returns once the port accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is not null)
            {
                return;
            }

            _username = Encoding.UTF8.GetBytes(_options.Username);
            _password = Encoding.UTF8.GetBytes(_options.ResolvePassword() ?? string.Empty);

            var bind = IPAddress.Parse(_options.BindAddress);

            // MQTTnet also listens on IPv6, on any address unless told otherwise: keep it as narrow as the IPv4 side.
            var bindV6 = bind.Equals(IPAddress.Any) ? IPAddress.IPv6Any : IPAddress.IPv6Loopback;
            var factory = new MqttServerFactory();
            var serverOptions = factory.CreateServerOptionsBuilder()
                .WithDefaultEndpoint()
                .WithDefaultEndpointBoundIPAddress(bind)
                .WithDefaultEndpointBoundIPV6Address(bindV6)
                .WithDefaultEndpointPort(_options.Port)
                .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient)
                .WithPersistentSessions(_options.PersistentSessions)
                .Build();
            var server = factory.CreateMqttServer(serverOptions, [new ClientIdAssigningServerAdapter(new MqttTcpServerAdapter())],
                new MqttNetLoggerAdapter(_logger));
            server.ValidatingConnectionAsync += ValidateConnectionAsync;
            server.ApplicationMessageEnqueuedOrDroppedAsync += OnEnqueuedOrDroppedAsync;
            await server.StartAsync().ConfigureAwait(false);
            _server = server;
            _logger.LogInformation("Embedded MQTT broker listening on {Address}:{Port}", _options.BindAddress, _options.Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is null)
            {
                return;
            }

            var server = _server;
            _server = null;
            await server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
            server.Dispose();
            _logger.LogInformation("Embedded MQTT broker on port {Port} stopped", _options.Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The retained message of a topic, or null; for tests and diagnostics.</summary>
    public async Task<MQTTnet.MqttApplicationMessage?> GetRetainedMessageAsync(string topic)
    {
        var server = _server ?? throw new InvalidOperationException("the broker is not started");
        return await server.GetRetainedMessageAsync(topic).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        // Constant-time comparison; neither the given nor the expected password is ever logged.
        var userOk = args.UserName is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(args.UserName), _username);
        var passwordOk = args.RawPassword is not null && CryptographicOperations.FixedTimeEquals(args.RawPassword, _password);
        if (!userOk || !passwordOk)
        {
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            _logger.LogWarning("MQTT connection from {Endpoint} refused: bad user name or password", args.RemoteEndPoint?.ToString());
            return Task.CompletedTask;
        }

        if (string.IsNullOrEmpty(args.ClientId) && args.ProtocolVersion == MqttProtocolVersion.V500)
        {
            // MQTT 5 [MQTT-3.1.3-6]: the broker assigns an id and tells it in the CONNACK. (3.1.1: ClientIdAssigningServerAdapter.)
            args.AssignedClientIdentifier = ClientIdAssigningServerAdapter.NewClientId();
        }

        return Task.CompletedTask;
    }

    private Task OnEnqueuedOrDroppedAsync(ApplicationMessageEnqueuedEventArgs args)
    {
        if (args.IsDropped)
        {
            _logger.LogWarning("Embedded MQTT broker dropped a message for client {ClientId}: its queue is full", args.ReceiverClientId);
        }

        return Task.CompletedTask;
    }
}
