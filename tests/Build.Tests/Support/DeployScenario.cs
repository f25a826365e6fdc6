namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>What a <see cref="DeployScenario"/> starts, writes and points the build at.</summary>
public sealed record DeployScenarioOptions
{
    /// <summary>JSON members the written environment file adds (<see cref="TemporaryRepository.WriteDeployEnvironment"/>).</summary>
    public string? Settings { get; init; }

    /// <summary>
    /// The repository's own local environment instead of a written file: <c>--environment=local</c> with
    /// <c>--aws-endpoint-url</c> at moto, and no AWS variable at all (the local environment gives its moto the keys).
    /// </summary>
    public bool Local { get; init; }

    /// <summary>Where the build's AWS calls go instead of moto: a front of the test's own before moto (e.g. one that throttles).</summary>
    public string? AwsEndpoint { get; init; }

    /// <summary>More variables for the AWS environment of every run (e.g. <c>AWS_ENDPOINT_URL_BACKUP</c> at a fake).</summary>
    public IReadOnlyDictionary<string, string?>? AwsVariables { get; init; }

    /// <summary>
    /// Every AWS call of the build passes a <see cref="RecordingAwsProxy"/> (before <see cref="AwsEndpoint"/> or moto),
    /// which reads each as its IAM action; <see cref="DeployRun.AwsRequests"/> lists a run's.
    /// </summary>
    public bool RecordAwsRequests { get; init; }

    /// <summary>The REST operations the recording proxy reads (method, path), as <see cref="RecordingAwsProxy"/> takes them.</summary>
    public Func<string, string, string?>? RestOperations { get; init; }

    /// <summary>Real base name → the name the build takes instead; the stand-ins' map when not given.</summary>
    public IReadOnlyDictionary<string, string>? BaseImages { get; init; }
}

/// <summary>
/// The parts one Deploy of the tests runs on, set up once: a throw-away copy of the repository, an environment file
/// (its admin password secret made in moto), the AWS environment that reaches moto, the stand-in bases under an image
/// prefix of the test's own, and the loopback registry. It runs targets with those arguments and, on dispose, removes
/// the images built under the prefix and the copy, and gives the AWS environment back.
/// </summary>
/// <remarks>
/// The AWS environment is held for the scenario's whole life, as a test that reads moto after a run needs it; a test
/// may open a scope of its own inside it for one run (e.g. one without credentials). The environment file is written
/// against moto itself, never through <see cref="DeployScenarioOptions.AwsEndpoint"/> or the recording proxy: the
/// secret the test makes is no call of the build.
/// </remarks>
public sealed class DeployScenario : IDisposable
{
    private readonly StandInImages _standIns;
    private readonly LocalRegistry _registry;
    private readonly DeployScenarioOptions _options;
    private readonly RecordingAwsProxy? _recorder;
    private readonly EnvironmentScope _aws;
    private readonly List<IDisposable> _owned = [];
    private bool _imagesAsked;

    /// <param name="name">A short name of the test's: the environment's name starts with it and the image prefix ends with it.</param>
    public DeployScenario(StandInImages standIns, LocalRegistry registry, MotoServer moto, string name, DeployScenarioOptions? options = null)
    {
        _standIns = standIns;
        _registry = registry;
        _options = options ?? new DeployScenarioOptions();
        Prefix = standIns.Prefix + "-" + name;
        Repository = Support.Repository.Copy();
        _owned.Add(Repository);
        try
        {
            if (_options.Local)
            {
                Environment = "local";
            }
            else
            {
                using (moto.UseFor())
                {
                    Environment = _options.Settings is null ? Repository.WriteDeployEnvironment(name) : Repository.WriteDeployEnvironment(name, _options.Settings);
                }
            }

            var endpoint = _options.AwsEndpoint ?? moto.Url;
            if (_options.RecordAwsRequests)
            {
                _recorder = new RecordingAwsProxy(new Uri(endpoint), _options.RestOperations ?? ((_, _) => null));
                _owned.Add(_recorder);
                endpoint = _recorder.Url;
            }

            AwsEndpoint = endpoint;
            _aws = _options.Local ? AwsEnvironment.Isolated(_options.AwsVariables) : AwsEnvironment.WithKeys("testing", "eu-west-1", Variables(endpoint, _options.AwsVariables));
        }
        catch
        {
            Dispose(_owned);
            throw;
        }
    }

    public TemporaryRepository Repository { get; }

    public string Root => Repository.Root;

    /// <summary>The environment the runs deploy: the written file's name, or "local".</summary>
    public string Environment { get; }

    /// <summary>The image prefix of this scenario's images (under the stand-ins' own).</summary>
    public string Prefix { get; }

    /// <summary>The registry the images are pushed to.</summary>
    public string RegistryHost => _registry.Host;

    /// <summary>Where the build's AWS calls go: moto, the given front or the recording proxy.</summary>
    public string AwsEndpoint { get; }

    /// <summary>artifacts/deploy.md of the copy, or null before a Deploy wrote it.</summary>
    public string? DeploySummary => File.Exists(Repository.Path("artifacts", "deploy.md")) ? File.ReadAllText(Repository.Path("artifacts", "deploy.md")) : null;

    /// <summary>The IAM action of every AWS call the recording proxy saw, in arrival order (empty unless recording).</summary>
    public IReadOnlyList<string> AwsRequests => _recorder is null ? [] : [.. _recorder.Actions];

    /// <summary>Signed calls whose operation the recording proxy could not read (method and path).</summary>
    public IReadOnlyList<string> UnreadAwsRequests => _recorder is null ? [] : [.. _recorder.Unread];

    /// <summary>The arguments of a run of <paramref name="target"/> that builds images: bases, prefix, registry, environment.</summary>
    public string[] Arguments(string target, params string[] more)
    {
        _imagesAsked = true;
        return [.. ImageArguments(), $"--registry={_registry.Host}", .. EnvironmentArguments(), $"--target={target}", .. more];
    }

    /// <summary>Runs <paramref name="target"/> in-process with <see cref="Arguments"/>.</summary>
    public Task<DeployRun> RunAsync(string target, params string[] more) => RunWithAsync(Arguments(target, more));

    /// <summary>Runs <paramref name="target"/> with the environment only (no image arguments): for runs that build no image.</summary>
    public Task<DeployRun> RunWithoutImagesAsync(string target, params string[] more)
        => RunWithAsync([.. EnvironmentArguments(), $"--target={target}", .. more]);

    public void Dispose()
    {
        try
        {
            // Only after a run that could build: removing asks the daemon, which a scenario of AWS runs alone does not need.
            if (_imagesAsked)
            {
                _standIns.RemoveImages(Prefix, _registry.Host);
            }
        }
        finally
        {
            _aws.Dispose();
            Dispose(_owned);
        }
    }

    private async Task<DeployRun> RunWithAsync(string[] arguments)
    {
        var before = _recorder?.Actions.Count ?? 0;
        var run = await BuildRun.RunAsync(Root, runTasks: true, arguments);
        return new DeployRun(run, DeploySummary, [.. AwsRequests.Skip(before)]);
    }

    private string[] ImageArguments()
        => _options.BaseImages is null
            ? _standIns.Arguments(Prefix)
            : [.. _options.BaseImages.Select(b => $"--base-images={b.Key}={b.Value}"), $"--image-prefix={Prefix}", "--docker-build-network=host"];

    private string[] EnvironmentArguments()
        => _options.Local ? ["--environment=local", $"--aws-endpoint-url={AwsEndpoint}"] : [$"--environment={Environment}"];

    private static Dictionary<string, string?> Variables(string endpoint, IReadOnlyDictionary<string, string?>? more)
    {
        var all = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = endpoint, ["AWS_SECRET_ACCESS_KEY"] = "testing" };
        foreach (var (name, value) in more ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }

        return all;
    }

    private static void Dispose(List<IDisposable> owned)
    {
        foreach (var part in Enumerable.Reverse(owned))
        {
            part.Dispose();
        }
    }
}

/// <summary>One run of a <see cref="DeployScenario"/>: the build's result, artifacts/deploy.md after it and the AWS calls it made.</summary>
/// <param name="DeploySummary">artifacts/deploy.md as the run left it (null when there is none).</param>
/// <param name="AwsRequests">The IAM action of each AWS call of this run, when the scenario records them.</param>
public sealed record DeployRun(BuildRun Build, string? DeploySummary, IReadOnlyList<string> AwsRequests)
{
    public int ExitCode => Build.ExitCode;

    public string Output => Build.Output;

    public IReadOnlyList<string> Executed => Build.Executed;

    public Cake.Frosting.TimelineEntry Of(string task) => Build.Of(task);
}
