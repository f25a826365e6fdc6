using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace JenkinsOnEcs.Build.Smoke;

/// <summary>
/// The one HTTP handler a smoke test uses for its requests and its WebSocket: TLS validated as a browser does
/// (chain to a trusted root and the host name), a cookie jar (core's crumb is bound to the session, so the session
/// cookie must come back), no automatic redirects (the reverse-proxy check reads the redirect itself).
/// </summary>
public static class SmokeConnection
{
    /// <param name="trustedCa">Test-only: a CA trusted besides the system's roots. The host name is still checked.</param>
    /// <param name="connectTo">Test-only: where to open connections, whatever the URL's host (the name still goes in SNI and Host).</param>
    /// <param name="tlsProblems">Receives why a certificate was refused, for the message.</param>
    public static SocketsHttpHandler Create(X509Certificate2? trustedCa, IPEndPoint? connectTo, Action<string> tlsProblems)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(certificate, chain, errors, trustedCa, tlsProblems);
        if (connectTo is not null)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(connectTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(connectTo, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    /// <summary>A CA certificate from a PEM file (the certificate only; no key is wanted or read).</summary>
    public static X509Certificate2 LoadCa(string pemFile)
    {
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new BuildException($"smokeTestCaFile {pemFile} holds no PEM certificate ({ex.Message}): give a file with -----BEGIN CERTIFICATE-----.");
        }
    }

    private static bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2? trustedCa, Action<string> problems)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems("the server sent no certificate");
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems($"the certificate ({leaf.Subject}; names {string.Join(", ", Names(leaf))}) is not for this host name");
            return false;
        }

        if (trustedCa is not null)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(trustedCa);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements.Skip(1))
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (custom.Build(leaf))
            {
                return true;
            }

            problems($"the certificate ({leaf.Subject}, issued by {leaf.Issuer}) does not chain to the trusted CA {trustedCa.Subject}: {string.Join("; ", custom.ChainStatus.Select(s => s.StatusInformation.Trim()))}");
            return false;
        }

        var status = chain?.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0) ?? [];
        problems($"the certificate ({leaf.Subject}, issued by {leaf.Issuer}) does not chain to a trusted root: {string.Join("; ", status)}");
        return false;
    }

    private static IEnumerable<string> Names(X509Certificate2 certificate)
        => certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).DefaultIfEmpty("none");
}
