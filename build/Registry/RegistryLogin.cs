using System.Text;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Registry;

/// <summary>
/// A private, short-lived Docker client configuration holding one registry login: a folder only this user can
/// read, with config.json at mode 0600. docker is pointed at it through DOCKER_CONFIG, so the password never
/// reaches a command line, a log or the user's own Docker configuration (no `docker login` is run at all).
/// Disposing removes the folder; the build's teardown does so even when a task failed.
/// </summary>
public sealed class RegistryLogin : IDisposable
{
    private RegistryLogin(string directory, string registry)
    {
        Directory = directory;
        Registry = registry;
    }

    /// <summary>The folder to give docker as DOCKER_CONFIG.</summary>
    public string Directory { get; }

    /// <summary>The registry host the login is for, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com.</summary>
    public string Registry { get; }

    /// <param name="authorization">ECR's token: base64 of "AWS:password", which is what docker's "auth" field holds.</param>
    public static RegistryLogin Create(string registryEndpoint, string authorization)
    {
        var registry = registryEndpoint.Contains("://", StringComparison.Ordinal) ? new Uri(registryEndpoint).Authority : registryEndpoint.TrimEnd('/');
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization));
        if (!decoded.Contains(':', StringComparison.Ordinal))
        {
            throw new BuildException("The registry's authorization token is not user:password; ask ECR for a new one (GetAuthorizationToken).");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("jenkins-ecs-docker-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var config = new JsonObject { ["auths"] = new JsonObject { [registry] = new JsonObject { ["auth"] = authorization } } };
        var path = Path.Combine(directory, "config.json");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(config.ToJsonString());
        }

        return new RegistryLogin(directory, registry);
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
