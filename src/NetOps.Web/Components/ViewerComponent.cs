using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using NetOps.Core.Security;
using NetOps.Core.State;

namespace NetOps.Web.Components;

/// <summary>
/// A component that shows only what the login may see: <see cref="Scope"/> (<see cref="NetOpsClaims.ScopeOf"/>) is read
/// before the component initialises, so even its prerendered markup holds nothing outside it.
/// </summary>
public abstract class ViewerComponent : CancellableComponent
{
    private Scope? _scope;

    [Inject] public required AuthenticationStateProvider LoginState { get; init; }

    /// <summary>What this login may see; <see cref="Scope.Nothing"/> until it is known.</summary>
    protected Scope Scope => _scope ?? Scope.Nothing;

    public override Task SetParametersAsync(ParameterView parameters)
    {
        if (_scope is not null)
        {
            return base.SetParametersAsync(parameters);
        }

        // A parameter view is only valid synchronously: the parameters are set now, the lifecycle runs after the await.
        parameters.SetParameterProperties(this);
        return ResolveScopeThenSetAsync();
    }

    private async Task ResolveScopeThenSetAsync()
    {
        var state = await LoginState.GetAuthenticationStateAsync();
        _scope = NetOpsClaims.ScopeOf(state.User);
        await base.SetParametersAsync(ParameterView.Empty);
    }
}
