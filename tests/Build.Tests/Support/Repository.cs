namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>The repository the tests run from, and throw-away copies of it that a test may change.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Copies images/, environments/, cfn/ and ecs/ to a temporary folder: a repository a test may change.</summary>
    public static TemporaryRepository Copy() => new(Root);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "build", "Build.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository.");
    }
}

public sealed class TemporaryRepository : IDisposable
{
    public TemporaryRepository(string source)
    {
        Root = Directory.CreateTempSubdirectory("jenkins-ecs-repo-").FullName;
        foreach (var folder in new[] { "images", "environments", "cfn", "ecs", "tools", "contracts" })
        {
            CopyFolder(System.IO.Path.Combine(source, folder), System.IO.Path.Combine(Root, folder));
        }
    }

    public string Root { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>
    /// Writes environments/&lt;name&gt;.json for a deploy on this machine (eu-west-1, builds on the host network,
    /// the parameters no stack output gives; SmokeTest skipped, as moto runs no Jenkins) and returns the name. <paramref name="settings"/> adds JSON members,
    /// e.g. <c>"jenkinsUpstream": "http://127.0.0.1:8080"</c>. Its admin password secret is made where AWS_ENDPOINT_URL
    /// points (the test's moto), as a user makes it before the first deploy, so that CheckEnvironment finds it.
    /// </summary>
    public string WriteDeployEnvironment(string prefix, string settings = "\"nginxResolver\": \"127.0.0.1\"")
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(Path("environments", name + ".json"), $$"""
            { "region": "eu-west-1", "dockerBuildNetwork": "host", "skipSmokeTest": true, {{settings}},
              "parameters": { "DomainName": "jenkins.{{name}}.test", "AdminPasswordSecretArn": "{{AdminSecret(name)}}" } }
            """);
        return name;
    }

    /// <summary>
    /// The full ARN of an admin password secret named after the environment, created in the moto AWS_ENDPOINT_URL names
    /// (when it is set and the secret absent); without AWS_ENDPOINT_URL only the ARN, for tests that reach no AWS.
    /// </summary>
    public static string AdminSecret(string environment)
    {
        const string suffix = "Tested";
        var arn = $"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{environment}-admin-{suffix}";
        if (Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is not { Length: > 0 })
        {
            return arn;
        }

        return Task.Run(async () =>
        {
            using var account = new MotoAccount();
            using var secrets = new JenkinsOnEcs.Build.Aws.SecretsManagerClient(account.Session);
            return await secrets.DescribeSecretAsync(arn, default) is null ? await account.CreateSecretAsync(environment + "-admin", suffix) : arn;
        }).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            var target = System.IO.Path.Combine(to, System.IO.Path.GetFileName(file));
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(file));
            }
        }

        foreach (var folder in Directory.EnumerateDirectories(from))
        {
            if (System.IO.Path.GetFileName(folder) != "rendered")
            {
                CopyFolder(folder, System.IO.Path.Combine(to, System.IO.Path.GetFileName(folder)));
            }
        }
    }
}
