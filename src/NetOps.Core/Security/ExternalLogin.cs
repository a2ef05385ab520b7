namespace NetOps.Core.Security;

/// <summary>
/// A login at another identity provider the login page offers beside its form: the provider's name on the button and the
/// path that starts the login (it takes <c>?returnUrl=</c>).
/// </summary>
public sealed record ExternalLogin(string DisplayName, string Path);
