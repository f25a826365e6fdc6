namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>What a <see cref="DeployScenario"/> writes and points the build at; every member is optional.</summary>
/// <param name="Settings">JSON members the environment file adds (see <see cref="TemporaryRepository.WriteDeployEnvironment"/>).</param>
/// <param name="Local">The repository's local environment instead of a written file: <c>--environment=local</c>,
/// <c>--aws-endpoint-url</c> at moto and no AWS variable at all (the local environment gives its moto the keys).</param>
/// <param name="AwsEndpoint">Where the build's AWS calls go instead of moto: a front of the test's before moto.</param>
/// <param name="AwsVariables">More variables of the AWS environment, e.g. <c>AWS_ENDPOINT_URL_BACKUP</c> at a fake.</param>
/// <param name="RecordAwsRequests">Every AWS call passes a <see cref="RecordingAwsProxy"/> (reading REST calls with
/// <paramref name="RestOperations"/>), which names each by its IAM action.</param>
/// <param name="BaseImages">Real base name → the name the build takes instead; the stand-ins when not given.</param>
public sealed record DeployScenarioOptions(
    string? Settings = null,
    bool Local = false,
    string? AwsEndpoint = null,
    IReadOnlyDictionary<string, string?>? AwsVariables = null,
    bool RecordAwsRequests = false,
    Func<string, string, string?>? RestOperations = null,
    IReadOnlyDictionary<string, string>? BaseImages = null);

/// <summary>
/// The parts a Deploy of the tests runs on, set up once: a throw-away copy of the repository, an environment file
/// (its admin password secret made in moto), the AWS environment that reaches moto, the stand-in bases under an
/// image prefix of the test's own, and the loopback registry. Disposing removes the images built under the prefix
/// and the copy, and gives the AWS environment back.
/// </summary>
/// <remarks>
/// The AWS environment is held for the scenario's whole life, as a test that reads moto after a run needs it; a test
/// may open a scope of its own inside it for one run (e.g. one without credentials). The environment file is written
/// against moto itself, never through a front or the recording proxy: the secret the test makes is no call of the build.
/// </remarks>
public sealed class DeployScenario : IDisposable
{
    private readonly StandInImages _standIns;
    private readonly LocalRegistry? _registry;
    private readonly DeployScenarioOptions _options;
    private readonly string _awsEndpoint;
    private readonly RecordingAwsProxy? _recorder;
    private readonly EnvironmentScope _aws;
    private bool _imagesAsked;

    /// <param name="registry">Where images are pushed; none for runs that stop before a push (no <c>--registry</c> then).</param>
    /// <param name="name">A short name of the test's: the environment's name starts with it, the image prefix ends with it.</param>
    public DeployScenario(StandInImages standIns, LocalRegistry? registry, MotoServer moto, string name, DeployScenarioOptions? options = null)
    {
        (_standIns, _registry, _options) = (standIns, registry, options ?? new DeployScenarioOptions());
        Prefix = standIns.Prefix + "-" + name;
        Repository = Support.Repository.Copy();
        try
        {
            using (moto.UseFor())
            {
                Environment = _options.Local ? "local"
                    : _options.Settings is null ? Repository.WriteDeployEnvironment(name) : Repository.WriteDeployEnvironment(name, _options.Settings);
            }

            _awsEndpoint = _options.AwsEndpoint ?? moto.Url;
            if (_options.RecordAwsRequests)
            {
                _recorder = new RecordingAwsProxy(new Uri(_awsEndpoint), _options.RestOperations ?? ((_, _) => null));
                _awsEndpoint = _recorder.Url;
            }

            var variables = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = _awsEndpoint, ["AWS_SECRET_ACCESS_KEY"] = "testing" };
            foreach (var (variable, value) in _options.AwsVariables ?? new Dictionary<string, string?>())
            {
                variables[variable] = value;
            }

            _aws = _options.Local ? AwsEnvironment.Isolated(_options.AwsVariables) : AwsEnvironment.WithKeys("testing", "eu-west-1", variables);
        }
        catch
        {
            _recorder?.Dispose();
            Repository.Dispose();
            throw;
        }
    }

    public TemporaryRepository Repository { get; }

    public string Root => Repository.Root;

    /// <summary>The environment the runs deploy: the written file's name, or "local".</summary>
    public string Environment { get; }

    /// <summary>The image prefix of this scenario's images (under the stand-ins' own).</summary>
    public string Prefix { get; }

    /// <summary>The IAM action of every AWS call the recording proxy saw, in arrival order (empty unless recording).</summary>
    public IReadOnlyList<string> AwsRequests => _recorder is null ? [] : [.. _recorder.Actions];

    /// <summary>Signed calls whose operation the recording proxy could not read (method and path).</summary>
    public IReadOnlyList<string> UnreadAwsRequests => _recorder is null ? [] : [.. _recorder.Unread];

    /// <summary>The arguments of a run of <paramref name="target"/> that builds images: bases, prefix, registry, environment.</summary>
    public string[] Arguments(string target, params string[] more)
    {
        _imagesAsked = true;
        string[] images = _options.BaseImages is null
            ? _standIns.Arguments(Prefix)
            : [.. _options.BaseImages.Select(b => $"--base-images={b.Key}={b.Value}"), $"--image-prefix={Prefix}", "--docker-build-network=host"];
        return [.. images, .. Registries().Select(host => $"--registry={host}"), .. EnvironmentArguments(), $"--target={target}", .. more];
    }

    /// <summary>Runs <paramref name="target"/> in-process with <see cref="Arguments"/>.</summary>
    public Task<DeployRun> RunAsync(string target, params string[] more) => RunWithAsync(Arguments(target, more));

    /// <summary>Runs <paramref name="target"/> with the environment only (no image arguments): for runs that build no image.</summary>
    public Task<DeployRun> RunWithoutImagesAsync(string target, params string[] more) => RunWithAsync([.. EnvironmentArguments(), $"--target={target}", .. more]);

    public void Dispose()
    {
        try
        {
            // Only after a run that could build: removing asks the daemon, which a scenario of AWS runs alone does not need.
            if (_imagesAsked)
            {
                _standIns.RemoveImages(Prefix, Registries());
            }
        }
        finally
        {
            _aws.Dispose();
            _recorder?.Dispose();
            Repository.Dispose();
        }
    }

    private async Task<DeployRun> RunWithAsync(string[] arguments)
    {
        var before = _recorder?.Actions.Count ?? 0;
        var run = await BuildRun.RunAsync(Root, runTasks: true, arguments);
        var summary = Repository.Path("artifacts", "deploy.md");
        return new DeployRun(run, File.Exists(summary) ? File.ReadAllText(summary) : null, [.. AwsRequests.Skip(before)]);
    }

    private string[] Registries() => _registry is null ? [] : [_registry.Host];

    private string[] EnvironmentArguments()
        => _options.Local ? ["--environment=local", $"--aws-endpoint-url={_awsEndpoint}"] : [$"--environment={Environment}"];
}

/// <summary>One run of a <see cref="DeployScenario"/>: the build's result, artifacts/deploy.md after it and the AWS calls it made.</summary>
/// <param name="DeploySummary">artifacts/deploy.md as the run left it (null when there is none).</param>
/// <param name="AwsRequests">The IAM action of each AWS call of this run, when the scenario records them.</param>
public sealed record DeployRun(BuildRun Build, string? DeploySummary, IReadOnlyList<string> AwsRequests)
{
    public int ExitCode => Build.ExitCode;

    public string Output => Build.Output;

    public IReadOnlyList<string> Executed => Build.Executed;

    public JenkinsOnEcs.Build.Host.TimelineEntry Of(string task) => Build.Of(task);
}
