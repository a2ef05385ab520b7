using System.Globalization;
using Microsoft.Extensions.Logging;
using MQTTnet.Diagnostics.Logger;

namespace NetOps.Mqtt;

/// <summary>Forwards MQTTnet's own log to an <see cref="ILogger"/>; verbose lines only at trace level.</summary>
internal sealed class MqttNetLoggerAdapter(ILogger logger) : IMqttNetLogger
{
    public bool IsEnabled => logger.IsEnabled(LogLevel.Error);

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        var level = logLevel switch
        {
            MqttNetLogLevel.Verbose => LogLevel.Trace,
            MqttNetLogLevel.Info => LogLevel.Debug,
            MqttNetLogLevel.Warning => LogLevel.Warning,
            MqttNetLogLevel.Error => LogLevel.Error,
            _ => LogLevel.Debug,
        };
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var text = parameters is { Length: > 0 } ? string.Format(CultureInfo.InvariantCulture, message, parameters) : message;
        logger.Log(level, exception, "MQTTnet {MqttSource}: {MqttMessage}", source, text);
    }
}
