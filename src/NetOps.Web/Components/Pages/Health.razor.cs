using System.Globalization;
using Microsoft.AspNetCore.Components;
using NetOps.Core.Cluster;
using NetOps.Inventory;
using NetOps.Web.Api;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// The health page: the live collectors, the devices each one polls and their last heartbeat, refreshed every two
/// seconds (a killed collector stays until its lease runs out, then its devices show under the others).
/// </summary>
public sealed partial class Health : ComponentBase
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _disposed = new();
    private CollectorsResponse? _collectors;
    private string? _error;
    private bool _interactive;

    [Inject] public required IServiceProvider Services { get; init; }

    [Inject] public required IInventoryProvider Inventory { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync(_disposed.Token);

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _interactive = true;
            _ = RefreshLoopAsync(_disposed.Token);
            StateHasChanged();
        }
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Refresh);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await LoadAsync(cancellationToken);
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (Services.GetService(typeof(IMembershipStore)) is not IMembershipStore store)
        {
            return;
        }

        try
        {
            var view = await store.ReadAsync(cancellationToken);
            _collectors = CollectorsResponse.Of(store.Description, view, Inventory.Current.Devices.Keys);
            _error = null;
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Keep the last list on the page, marked stale.
            _error = $"The membership store ({store.Description}) does not answer: {e.Message}";
        }
    }

    private string Ago(DateTimeOffset at) => Seconds((_collectors?.Now ?? at) - at) + " ago";

    private string Ahead(DateTimeOffset at) => "in " + Seconds(at - (_collectors?.Now ?? at));

    private static string Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
