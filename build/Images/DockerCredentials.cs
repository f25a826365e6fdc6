using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Images;

/// <summary>A registry login: user and password (or token), never logged.</summary>
public sealed record RegistryCredential(string Username, string Secret, string Source)
{
    public string BasicValue => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Secret}"));

    public override string ToString() => $"{Username} ({Source})";
}

/// <summary>
/// The user's own registry logins, where docker keeps them (docker/cli, cli/config/configfile/file.go and
/// credentials/): config.json in DOCKER_CONFIG, else ~/.docker. A host in <c>credHelpers</c> is asked of
/// <c>docker-credential-&lt;helper&gt; get</c> (the server address on stdin, JSON with Username and Secret on
/// stdout); else <c>credsStore</c>'s helper; else <c>auths.&lt;host&gt;.auth</c> (base64 of user:password).
/// Docker Hub's key is https://index.docker.io/v1/. Helpers run without a shell; their answers are not logged.
/// </summary>
public sealed class DockerCredentials(Func<string, string?> environment)
{
    private readonly Lazy<JsonObject?> _config = new(() => Load(environment));
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RegistryCredential?> _found = new(StringComparer.Ordinal);

    public string ConfigPath => Path.Combine(environment("DOCKER_CONFIG") is { Length: > 0 } folder
        ? folder
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"), "config.json");

    /// <summary>The login docker would use for the registry host, or null when the config has none.</summary>
    public RegistryCredential? For(string host) => _found.GetOrAdd(host, Find);

    private RegistryCredential? Find(string host)
    {
        if (_config.Value is not { } config)
        {
            return null;
        }

        var key = host == ImageReference.DockerHub ? ImageReference.DockerHubConfigKey : host;
        if (config["credHelpers"] is JsonObject helpers && helpers.FirstOrDefault(h => Normalize(h.Key) == Normalize(key)).Value is JsonValue helper)
        {
            return FromHelper((string)helper!, key);
        }

        if (config["credsStore"] is JsonValue store && (string?)store is { Length: > 0 } storeName && FromHelper(storeName, key) is { } stored)
        {
            return stored;
        }

        if (config["auths"] is JsonObject auths && auths.FirstOrDefault(a => Normalize(a.Key) == Normalize(key)).Value is JsonObject entry)
        {
            if ((string?)entry["auth"] is { Length: > 0 } auth)
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                }
                catch (FormatException)
                {
                    throw new BuildException($"The login for {host} in {ConfigPath} is not base64 of user:password: run `docker login {host}` again.");
                }

                var colon = decoded.IndexOf(':');
                return colon > 0
                    ? new RegistryCredential(decoded[..colon], decoded[(colon + 1)..], ConfigPath)
                    : throw new BuildException($"The login for {host} in {ConfigPath} is not base64 of user:password: run `docker login {host}` again.");
            }

            if ((string?)entry["username"] is { Length: > 0 } user && (string?)entry["password"] is { } password)
            {
                return new RegistryCredential(user, password, ConfigPath);
            }
        }

        return null;
    }

    private RegistryCredential? FromHelper(string helper, string serverAddress)
    {
        var program = "docker-credential-" + helper;
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("get");
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new BuildException($"{ConfigPath} names the credential helper \"{helper}\" for {serverAddress}, but {program} is not on PATH: install it, or remove it from the config and run `docker login`.");
        }

        using (process)
        {
            process.StandardInput.Write(serverAddress);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                throw new BuildException($"{program} get did not answer within 30 s for {serverAddress}: check the helper (it may be waiting for a keyring unlock).");
            }

            if (process.ExitCode != 0)
            {
                // "credentials not found in native keychain": this helper has no login for the host.
                return null;
            }

            try
            {
                var answer = JsonNode.Parse(output.Result) as JsonObject;
                var user = (string?)answer?["Username"];
                var secret = (string?)answer?["Secret"];
                return user is { Length: > 0 } && secret is not null && user != "<token>"
                    ? new RegistryCredential(user, secret, program)
                    : null;
            }
            catch (System.Text.Json.JsonException)
            {
                throw new BuildException($"{program} get answered something that is not JSON for {serverAddress}: check the helper.");
            }
        }
    }

    private static string Normalize(string key)
    {
        var host = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        host = host.Split('/')[0];
        return host is "index.docker.io" or "docker.io" or ImageReference.DockerHub ? ImageReference.DockerHub : host;
    }

    private static JsonObject? Load(Func<string, string?> environment)
    {
        var folder = environment("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new BuildException($"{path} is not valid JSON ({ex.Message}): fix it, or point DOCKER_CONFIG at another folder.");
        }
    }
}
