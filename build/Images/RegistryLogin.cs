using System.Text;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// A private, short-lived Docker client configuration holding one registry login: a folder only this user can
/// read, with config.json at mode 0600. docker is pointed at it through DOCKER_CONFIG, so the password never
/// reaches a command line, a log or the user's own Docker configuration (no `docker login` is run at all).
/// Disposing removes the folder: the host disposes its services (and with <see cref="RegistryTarget"/> this login)
/// when the run ends, after the teardown, also when a task failed or the run was interrupted (SIGINT, SIGTERM). A run killed outright (SIGKILL) cannot: the folder is named after the process that made it,
/// jenkins-ecs-docker-&lt;pid&gt;-&lt;random&gt;, and the next run removes those whose process is gone
/// (<see cref="RemoveLeftovers"/>).
/// </summary>
public sealed class RegistryLogin : IDisposable
{
    public const string FolderPrefix = "jenkins-ecs-docker-";

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

        var directory = System.IO.Directory.CreateTempSubdirectory($"{FolderPrefix}{Environment.ProcessId}-").FullName;
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

    /// <summary>
    /// Removes the private Docker configs under <paramref name="temporaryFolder"/> that a killed run left: those
    /// whose owner process has ended, or whose pid now belongs to a process started after the folder was made.
    /// Returns the folders removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveLeftovers(string temporaryFolder)
    {
        var removed = new List<string>();
        if (!System.IO.Directory.Exists(temporaryFolder))
        {
            return removed;
        }

        foreach (var folder in System.IO.Directory.EnumerateDirectories(temporaryFolder, FolderPrefix + "*"))
        {
            var rest = Path.GetFileName(folder)[FolderPrefix.Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(rest[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId || OwnerLives(pid, System.IO.Directory.GetCreationTimeUtc(folder)))
            {
                continue;
            }

            try
            {
                System.IO.Directory.Delete(folder, recursive: true);
                removed.Add(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's folder, or one a parallel run removes at this moment.
            }
        }

        return removed;
    }

    private static bool OwnerLives(int pid, DateTime createdUtc)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            // A pid is reused: a process that started after the folder was made is not the one that made it.
            return !process.HasExited && process.StartTime.ToUniversalTime() <= createdUtc.AddSeconds(1);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
