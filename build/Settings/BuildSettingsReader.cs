using System.Text.Json;
using System.Text.RegularExpressions;
using Cake.Core;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Nginx;

namespace JenkinsOnEcs.Build.Settings;

/// <summary>
/// Reads the settings from the environment file, environment variables and arguments (in rising precedence)
/// and validates them, so that a bad value fails before any task runs.
/// </summary>
public sealed partial class BuildSettingsReader(ICakeArguments arguments, Func<string, string?> environmentVariable)
{
    public static readonly string DefaultEnvironment = SettingDefinitions.Get(SettingNames.Environment).Default!;
    public const string EnvironmentsFolder = "environments";

    public BuildSettings Read(string repositoryRoot)
    {
        var environment = Value(SettingNames.Environment) ?? DefaultEnvironment;
        if (!EnvironmentName().IsMatch(environment))
        {
            throw new BuildException($"Environment name '{environment}' is not valid: use letters, digits and dashes (e.g. --environment=production).");
        }

        var file = ReadFile(repositoryRoot, environment);
        var relative = Path.Combine(EnvironmentsFolder, environment + ".json");
        string? Setting(string key) => Value(key) ?? (file.TryGetValue(key, out var e) && e.ValueKind != JsonValueKind.Null ? e.ToString() : null);

        // A value that fails its check is reported with where it came from: the argument, the JENKINS_ECS_*
        // variable or the environment file, whichever gave it.
        T Read<T>(string key, Func<string?, T> parse)
        {
            var value = Setting(key);
            try
            {
                return parse(value);
            }
            catch (BuildException ex) when (value is not null)
            {
                throw new BuildException($"{Origin(key, relative)}: {ex.Message}", ex);
            }
        }

        return new BuildSettings
        {
            Environment = new RunEnvironment(environment, repositoryRoot),
            ImagePrefix = Read(SettingNames.ImagePrefix, v => ImagePrefix(v ?? SettingDefinitions.Get(SettingNames.ImagePrefix).Default!)),
            DockerBuildNetwork = NullIfEmpty(Setting(SettingNames.DockerBuildNetwork)),
            Parallelism = Read(SettingNames.Parallelism, v => Number(SettingNames.Parallelism, v, Math.Max(2, System.Environment.ProcessorCount), 1, 32)),
            NoCache = Read(SettingNames.NoCache, v => Switch(SettingNames.NoCache, v, SettingDefinitions.Get(SettingNames.NoCache).DefaultSwitch)),
            JenkinsUpstream = Read(SettingNames.JenkinsUpstream, v => NullIfEmpty(v) is { } upstream ? Upstream(upstream) : null),
            NginxResolver = Read(SettingNames.NginxResolver, v => Resolver(v ?? SettingDefinitions.Get(SettingNames.NginxResolver).Default!)),
            ProxyTimeoutSeconds = Read(SettingNames.ProxyTimeoutSeconds, v => Number(SettingNames.ProxyTimeoutSeconds, v, SettingDefinitions.Get(SettingNames.ProxyTimeoutSeconds).DefaultNumber, 30, 3600)),
            BaseImages = Map(file, relative, SettingNames.BaseImages, "FROM=TO", "nginx:1.28=mirror/nginx:1.28", scalarsAllowed: false),
            Region = Read(SettingNames.Region, v => NullIfEmpty(v) is { } region ? Aws.AwsRegionResolver.Validate(region).SystemName : null),
            StackParameters = Map(file, relative, SettingNames.StackParameters, "NAME=VALUE", "DomainName=jenkins.example.com", scalarsAllowed: true),
            Registry = Read(SettingNames.Registry, v => NullIfEmpty(v) is { } registry ? RegistryHost(registry) : null),
            AwsEndpointUrl = Read(SettingNames.AwsEndpointUrl, v => NullIfEmpty(v) is { } endpoint
                ? (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new BuildException($"awsEndpointUrl '{endpoint}' is not an http(s) URL."))
                : null),
            StartLocalServices = Read(SettingNames.StartLocalServices, v => Switch(SettingNames.StartLocalServices, v, false)),
            BreakLock = Read(SettingNames.BreakLock, v => Switch(SettingNames.BreakLock, v, SettingDefinitions.Get(SettingNames.BreakLock).DefaultSwitch)),
            TimeZone = Read(SettingNames.TimeZone, v => TimeZone(v ?? SettingDefinitions.Get(SettingNames.TimeZone).Default!)),
            AdminUser = Read(SettingNames.AdminUser, v => AdminUser(v ?? SettingDefinitions.Get(SettingNames.AdminUser).Default!)),
            // 1792, not 2048: the master shares its instance with the proxy (256), and the default m7i.large registers
            // 2048 units, so 2048 + 256 never placed. A master that needs more CPU takes a larger MasterInstanceType
            // (CheckPlacement names the fit); Jenkins without executors on the master is rarely CPU-bound.
            MasterCpu = Read(SettingNames.MasterCpu, v => Number(SettingNames.MasterCpu, v, SettingDefinitions.Get(SettingNames.MasterCpu).DefaultNumber, 256, 16384)),
            MasterMemory = Read(SettingNames.MasterMemory, v => Number(SettingNames.MasterMemory, v, SettingDefinitions.Get(SettingNames.MasterMemory).DefaultNumber, 1024, 122880)),
            // No default: without a value the build computes the largest the agents' cluster places (AgentCapacity).
            MaxAgents = Read(SettingNames.MaxAgents, v => v is null ? (int?)null : Number(SettingNames.MaxAgents, v, 0, 1, SettingDefinitions.MaxAgentsUpperBound)),
            SkipHomeBackup = Read(SettingNames.SkipHomeBackup, v => Switch(SettingNames.SkipHomeBackup, v, SettingDefinitions.Get(SettingNames.SkipHomeBackup).DefaultSwitch)),
            RecoveryPoint = Read(SettingNames.RecoveryPoint, v => NullIfEmpty(v) is { } arn ? RecoveryPointArn(arn) : null),
            AllowMasterRestart = Read(SettingNames.AllowMasterRestart, v => Switch(SettingNames.AllowMasterRestart, v, SettingDefinitions.Get(SettingNames.AllowMasterRestart).DefaultSwitch)),
            MasterRevision = Read(SettingNames.MasterRevision, v => OptionalRevision(SettingNames.MasterRevision, v)) ?? Read(SettingNames.Revision, v => OptionalRevision(SettingNames.Revision, v)),
            ProxyRevision = Read(SettingNames.ProxyRevision, v => OptionalRevision(SettingNames.ProxyRevision, v)) ?? Read(SettingNames.Revision, v => OptionalRevision(SettingNames.Revision, v)),
            DrainTimeoutMinutes = Read(SettingNames.DrainTimeoutMinutes, v => Number(SettingNames.DrainTimeoutMinutes, v, SettingDefinitions.Get(SettingNames.DrainTimeoutMinutes).DefaultNumber, 1, 1440)),
            RestartWithRunningBuilds = Read(SettingNames.RestartWithRunningBuilds, v => Switch(SettingNames.RestartWithRunningBuilds, v, SettingDefinitions.Get(SettingNames.RestartWithRunningBuilds).DefaultSwitch)),
            JenkinsUrl = Read(SettingNames.JenkinsUrl, v => NullIfEmpty(v) is { } url ? JenkinsRootUrl(url) : null),
            SkipSmokeTest = Read(SettingNames.SkipSmokeTest, v => Switch(SettingNames.SkipSmokeTest, v, SettingDefinitions.Get(SettingNames.SkipSmokeTest).DefaultSwitch)),
            SmokeTestTimeoutMinutes = Read(SettingNames.SmokeTestTimeoutMinutes, v => Number(SettingNames.SmokeTestTimeoutMinutes, v, SettingDefinitions.Get(SettingNames.SmokeTestTimeoutMinutes).DefaultNumber, 1, 180)),
            SmokeTestCaFile = Read(SettingNames.SmokeTestCaFile, v => NullIfEmpty(v) is { } ca ? CaFile(repositoryRoot, ca) : null),
            AdminPassword = file.ContainsKey(SettingNames.AdminPassword)
                ? throw new BuildException($"{relative} holds \"{SettingNames.AdminPassword}\": a password does not belong in a committed file. Remove it; give it as JENKINS_ECS_ADMIN_PASSWORD, or name a Secrets Manager secret with the parameter AdminPasswordSecretArn.")
                : NullIfEmpty(Value(SettingNames.AdminPassword)) is { } password ? new Redacted(password) : null,
        };
    }

    /// <summary>The names of the environment files present, for messages.</summary>
    public static IEnumerable<string> KnownEnvironments(string repositoryRoot)
    {
        var folder = Path.Combine(repositoryRoot, EnvironmentsFolder);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)
            : [];
    }

    private string? Value(string key)
    {
        var definition = SettingDefinitions.All.Single(s => s.Key == key);
        if (arguments.HasArgument(definition.Argument))
        {
            return arguments.GetArguments(definition.Argument).Last();
        }

        return NullIfEmpty(environmentVariable(definition.EnvironmentVariable));
    }

    /// <summary>Where a setting's value came from, for messages: the argument, the variable, or the file.</summary>
    private string Origin(string key, string relative)
    {
        var definition = SettingDefinitions.All.Single(s => s.Key == key);
        if (arguments.HasArgument(definition.Argument))
        {
            return $"--{definition.Argument}={arguments.GetArguments(definition.Argument).Last()}";
        }

        return NullIfEmpty(environmentVariable(definition.EnvironmentVariable)) is { } value
            ? $"{definition.EnvironmentVariable}={value}"
            : $"{relative} \"{key}\"";
    }

    private static Dictionary<string, JsonElement> ReadFile(string repositoryRoot, string environment)
    {
        var relative = Path.Combine(EnvironmentsFolder, environment + ".json");
        var path = Path.Combine(repositoryRoot, relative);
        if (!File.Exists(path))
        {
            var known = KnownEnvironments(repositoryRoot).ToList();
            throw new BuildException(
                $"Environment '{environment}' has no file {relative}. " +
                (known.Count > 0 ? $"Known environments: {string.Join(", ", known)}; pass one with --environment=NAME, or create {relative}." : $"Create {relative}."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new BuildException($"{relative} is not valid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message.Split(" LineNumber")[0]} Fix the file.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new BuildException($"{relative} must hold one JSON object of settings, e.g. {{ \"imagePrefix\": \"jenkins-ecs\" }}.");
            }

            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.StartsWith('$'))
                {
                    continue; // "$schema" and "$comment" are for editors and readers.
                }

                var definition = SettingDefinitions.All.FirstOrDefault(s => s.Key == property.Name && s.Key != SettingNames.Environment)
                    ?? throw new BuildException($"{relative}: unknown setting '{property.Name}'{Suggest(property.Name)}. Known settings: {string.Join(", ", SettingDefinitions.All.Where(s => s.Key != SettingNames.Environment).Select(s => s.Key))}.");
                var expected = definition.Type switch
                {
                    SettingType.Number => JsonValueKind.Number,
                    SettingType.Map => JsonValueKind.Object,
                    SettingType.Switch => JsonValueKind.True,
                    _ => JsonValueKind.String,
                };
                var kind = property.Value.ValueKind == JsonValueKind.False ? JsonValueKind.True : property.Value.ValueKind;
                if (kind != expected && kind != JsonValueKind.Null)
                {
                    throw new BuildException($"{relative}: '{property.Name}' must be a {KindName(expected)}, not a {KindName(kind)}.");
                }

                values[property.Name] = property.Value.Clone();
            }

            return values;
        }
    }

    /// <summary>
    /// A map setting: the file's object, then NAME=VALUE arguments (repeatable) over it; each value keeps where it
    /// was given, for messages about it later.
    /// </summary>
    private StackParameterValues Map(Dictionary<string, JsonElement> file, string relative, string key, string form, string example, bool scalarsAllowed)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        if (file.TryGetValue(key, out var element) && element.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in element.EnumerateObject())
            {
                sources[entry.Name] = $"{relative} \"{key}\".\"{entry.Name}\"";
                map[entry.Name] = entry.Value.ValueKind switch
                {
                    JsonValueKind.String when entry.Value.GetString() is { Length: > 0 } text => text,
                    JsonValueKind.String when scalarsAllowed => string.Empty,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False when scalarsAllowed => entry.Value.GetRawText(),
                    _ => throw new BuildException($"{sources[entry.Name]} must map to {(scalarsAllowed ? "a string, number or boolean" : "a non-empty string")}. Fix the file."),
                };
            }
        }

        var argument = SettingDefinitions.All.Single(s => s.Key == key).Argument;
        if (arguments.HasArgument(argument))
        {
            foreach (var pair in arguments.GetArguments(argument))
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || (!scalarsAllowed && parts[1].Length == 0))
                {
                    throw new BuildException($"--{argument}={pair}: write --{argument}={form}, e.g. --{argument}={example}.");
                }

                map[parts[0]] = parts[1];
                sources[parts[0]] = $"--{argument}={pair}";
            }
        }

        return new StackParameterValues(map, sources);
    }

    private static string ImagePrefix(string value)
        => ImageRepository().IsMatch(value)
            ? value
            : throw new BuildException($"imagePrefix '{value}' is not a valid image repository name: use lower-case letters, digits, '.', '_', '-' and '/'.");

    private static NginxUpstream Upstream(string value)
        => NginxUpstream.TryParse(value, out var upstream, out var problem)
            ? upstream
            : throw new BuildException($"jenkinsUpstream '{value}' is not usable: {problem} Give it as http://host:port (the master's internal load balancer).");

    private static string RegistryHost(string value)
        => RegistryHostPattern().IsMatch(value)
            ? value
            : throw new BuildException($"registry '{value}' is not a registry host: give host or host:port, e.g. 127.0.0.1:5000, without a scheme or path.");

    private static string TimeZone(string value)
        => value.Contains('/') || value == "UTC"
            ? (TimeZoneInfo.TryFindSystemTimeZoneById(value, out _) ? value : throw new BuildException($"timezone '{value}' is not a known IANA timezone (e.g. Europe/Berlin, America/New_York, Etc/UTC)."))
            : throw new BuildException($"timezone '{value}' is not an IANA timezone name: use Area/City, e.g. Europe/Berlin, or Etc/UTC.");

    private static string CaFile(string repositoryRoot, string value)
    {
        var path = Path.GetFullPath(value, repositoryRoot);
        return File.Exists(path) ? path : throw new BuildException($"smokeTestCaFile '{value}' does not exist (looked at {path}): give a PEM CA certificate's path.");
    }

    private static string AdminUser(string value)
        => AdminUserName().IsMatch(value)
            ? value
            : throw new BuildException($"adminUser '{value}' is not a Jenkins user id: use letters, digits, '.', '_' and '-'.");

    private static string Resolver(string value)
        => HostName().IsMatch(value)
            ? value
            : throw new BuildException($"nginxResolver '{value}' is not a DNS server: give a host name or IP address, optionally with :port ([v6]:port for IPv6).");

    private static int Number(string key, string? value, int fallback, int min, int max)
    {
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, out var number) && number >= min && number <= max
            ? number
            : throw new BuildException($"{key} must be a whole number from {min} to {max}, not '{value}'.");
    }

    private static Uri JenkinsRootUrl(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Query.Length == 0
            ? new Uri(url.AbsoluteUri.TrimEnd('/') + "/")
            : throw new BuildException($"jenkinsUrl must be Jenkins' root URL, http(s)://host[:port][/path], not '{value}'.");

    private static string RecoveryPointArn(string value)
        => value.StartsWith("arn:", StringComparison.Ordinal) && value.Contains(":recovery-point:", StringComparison.Ordinal)
            ? value
            : throw new BuildException($"recoveryPoint must be an AWS Backup recovery point ARN (arn:aws:backup:REGION:ACCOUNT:recovery-point:ID), not '{value}'.");

    private static int? OptionalRevision(string key, string? value)
        => value is null ? null : Number(key, value, 0, 1, 1_000_000);

    private static bool Switch(string key, string? value, bool fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        // bool.TryParse as the command line's flags use it: true, True, false, ...
        return bool.TryParse(value, out var on)
            ? on
            : throw new BuildException($"{key} must be true or false, not '{value}'.");
    }

    private static string KindName(JsonValueKind kind) => kind == JsonValueKind.True ? "boolean" : kind.ToString().ToLowerInvariant();

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Suggest(string name)
        => Common.EditDistance.Nearest(name, SettingDefinitions.All.Select(s => s.Key), 3, ignoreCase: true) is [var near, ..] ? $" (did you mean '{near}'?)" : string.Empty;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex AdminUserName();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")]
    private static partial Regex RegistryHostPattern();

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex ImageRepository();

    // A host name or IPv4 address with an optional port, a bare IPv6 address, or a bracketed one with a port.
    [GeneratedRegex(@"^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?|[0-9a-fA-F:]+|\[[0-9a-fA-F:]+\](:[0-9]{1,5})?)$")]
    private static partial Regex HostName();
}
