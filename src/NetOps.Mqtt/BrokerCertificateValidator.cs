using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NetOps.Mqtt;

/// <summary>How a client checks the broker's certificate: the system store, a CA file of our own, or (lab only) not at all.</summary>
internal sealed record BrokerTls(bool UseTls, bool AllowUntrustedCertificates = false, string? CaFile = null)
{
    public static readonly BrokerTls None = new(false);
}

/// <summary>
/// Checks the broker's certificate. With a CA file the chain must end at one of its certificates
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>: the system store plays no part); otherwise the system's verdict
/// stands. The host name is checked either way, unless untrusted certificates are allowed.
/// </summary>
internal sealed class BrokerCertificateValidator
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private readonly string _host;
    private readonly bool _allowUntrusted;
    private readonly X509Certificate2Collection? _trusted;

    public BrokerCertificateValidator(string host, bool allowUntrusted, string? caFile)
    {
        _host = host;
        _allowUntrusted = allowUntrusted;
        if (caFile is not null)
        {
            _trusted = [];
            try
            {
                _trusted.ImportFromPemFile(caFile);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Mqtt:CaFile {caFile} could not be read as PEM certificates: {e.Message}", e);
            }

            if (_trusted.Count == 0)
            {
                throw new InvalidOperationException($"Mqtt:CaFile {caFile} holds no PEM certificate");
            }
        }
    }

    /// <summary>Why the last handshake's certificate was refused; null when it was not.</summary>
    public string? Refusal { get; private set; }

    public bool Validate(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        Refusal = null;
        if (_allowUntrusted)
        {
            return true;
        }

        if (certificate is null)
        {
            return Refuse("the broker sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Refuse($"the broker's certificate ({certificate.Subject}) is not issued for {_host}");
        }

        if (_trusted is null)
        {
            return errors == SslPolicyErrors.None || Refuse(
                $"the broker's certificate ({certificate.Subject}, issued by {certificate.Issuer}) is not trusted by this system"
                + $" ({Describe(presented)}); set Mqtt:CaFile to the CA that signed it");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        // A private CA rarely publishes revocation lists; the trust decision is the CA file.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (presented is not null)
        {
            // Intermediates the broker sent along.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2;
        using var owned = leaf is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        return chain.Build(leaf ?? owned!) || Refuse(
            $"the broker's certificate ({certificate.Subject}, issued by {certificate.Issuer}) does not chain to Mqtt:CaFile ({Describe(chain)})");
    }

    private bool Refuse(string reason)
    {
        Refusal = "TLS: " + reason;
        return false;
    }

    private static string Describe(X509Chain? chain) => chain is null || chain.ChainStatus.Length == 0
        ? "no chain"
        : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
}
