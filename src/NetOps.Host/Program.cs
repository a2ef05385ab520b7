using NetOps.Host;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddNetOpsLogging();
    builder.AddNetOpsHost();

    var app = builder.Build();
    app.MapNetOpsHost();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    // A bad inventory or configuration at boot stops the process with the message that names file, line and field.
    Log.Fatal(e, "NetOps stopped: {Message}", e.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
