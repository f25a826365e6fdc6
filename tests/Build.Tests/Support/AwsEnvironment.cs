namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// An AWS environment a test controls fully: every variable the SDK reads for credentials, region and endpoints
/// cleared, the instance metadata service switched off and, to be sure, moved to a closed loopback port, so that
/// nothing but loopback is ever contacted. The test's own values go on top; all is put back on dispose. Use it in
/// the <see cref="AwsCollection"/>.
/// </summary>
/// <remarks>
/// The shared credentials and config files are two empty files of this test process, not the developer's
/// ~/.aws: AWSSDK.Core reads AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE once per process and ignores a path
/// that does not exist (falling back to ~/.aws), so they must exist and must not change. A test that needs a
/// profile writes it into them for a while (<see cref="WithProfiles"/>).
/// </remarks>
public static class AwsEnvironment
{
    private static readonly string[] Cleared =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_EC2_METADATA_V1_DISABLED",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_ECR",
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL_SSM", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
    ];

    private static readonly string Folder = CreateFolder();

    /// <summary>
    /// Points the SDK at this process's own shared files before any test touches it: the SDK fixes their location
    /// once per process, so a test that ran first without a scope would otherwise leave it on ~/.aws.
    /// </summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void UseOwnSharedFiles()
    {
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", CredentialsFile);
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", ConfigFile);
    }

    public static string CredentialsFile => Path.Combine(Folder, "credentials");

    public static string ConfigFile => Path.Combine(Folder, "config");

    public static EnvironmentScope Isolated(IReadOnlyDictionary<string, string?>? values = null)
    {
        var all = Cleared.ToDictionary(name => name, _ => (string?)null);
        all["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile;
        all["AWS_CONFIG_FILE"] = ConfigFile;
        all["AWS_EC2_METADATA_DISABLED"] = "true";
        all["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9";
        foreach (var (name, value) in values ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }

        return new EnvironmentScope(all);
    }

    /// <summary>
    /// The environment of a build run as a child process, as isolated as <see cref="Isolated"/>: every variable the SDK
    /// reads removed, metadata off, and the shared files the ones given (a child reads them afresh), then the values.
    /// </summary>
    public static Dictionary<string, string?> ForChild(string credentialsFile, string configFile, IReadOnlyDictionary<string, string?> values)
    {
        var all = Cleared.ToDictionary(name => name, _ => (string?)null);
        all["AWS_SHARED_CREDENTIALS_FILE"] = credentialsFile;
        all["AWS_CONFIG_FILE"] = configFile;
        all["AWS_EC2_METADATA_DISABLED"] = "true";
        all["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9";
        foreach (var (name, value) in values)
        {
            all[name] = value;
        }

        return all;
    }

    /// <summary>Isolated, with static keys in the environment and a region.</summary>
    public static EnvironmentScope WithKeys(string accessKey = "AKIDTESTKEY", string? region = "eu-west-1", IReadOnlyDictionary<string, string?>? values = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = accessKey,
            ["AWS_SECRET_ACCESS_KEY"] = "test-secret",
            ["AWS_REGION"] = region,
        };
        foreach (var (name, value) in values ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }

        return Isolated(all);
    }

    /// <summary>Writes profiles into the process's shared files until disposed, then empties them again.</summary>
    public static IDisposable WithProfiles(string credentials, string config)
    {
        File.WriteAllText(CredentialsFile, credentials);
        File.WriteAllText(ConfigFile, config);
        return new Emptying();
    }

    private static string CreateFolder()
    {
        var folder = Directory.CreateTempSubdirectory("jenkins-ecs-aws-profiles-").FullName;
        File.WriteAllText(Path.Combine(folder, "credentials"), string.Empty);
        File.WriteAllText(Path.Combine(folder, "config"), string.Empty);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    }

    private sealed class Emptying : IDisposable
    {
        public void Dispose()
        {
            File.WriteAllText(CredentialsFile, string.Empty);
            File.WriteAllText(ConfigFile, string.Empty);
        }
    }
}
