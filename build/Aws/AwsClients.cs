using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The run's AWS session and clients, made on first use (targets that need no AWS never resolve credentials)
/// and shared by every task after that, also by tasks' parallel work. Where they go and as whom is the run's
/// <see cref="AwsOptions"/>, set at setup.
/// </summary>
/// <param name="log">Where a call that waits long for its answer says so; null: it waits silently.</param>
public sealed class AwsClients(Handoff<AwsOptions> options, ICakeLog? log = null) : IDisposable
{
    private readonly Lock _lock = new();
    private Lazy<AwsSession>? _session;
    private CloudFormationClient? _cloudFormation;
    private EcrClient? _ecr;
    private EcsClient? _ecs;
    private SsmClient? _ssm;
    private DynamoDbClient? _dynamoDb;
    private BackupClient? _backup;
    private Task? _preparing;

    /// <summary>The session; the environment file's awsEndpointUrl stands where AWS_ENDPOINT_URL would.</summary>
    public AwsSession Session() => SessionAlone();

    public CloudFormationClient CloudFormation() => Get(ref _cloudFormation, session => new CloudFormationClient(session));

    public EcrClient Ecr() => Get(ref _ecr, session => new EcrClient(session));

    public EcsClient Ecs() => Get(ref _ecs, session => new EcsClient(session));

    public SsmClient Ssm() => Get(ref _ssm, session => new SsmClient(session));

    public DynamoDbClient DynamoDb() => Get(ref _dynamoDb, session => new DynamoDbClient(session));

    public BackupClient Backup() => Get(ref _backup, session => new BackupClient(session));

    /// <summary>Whether this run has made its AWS session, i.e. has talked, or was about to talk, to AWS.</summary>
    public bool InUse
    {
        get
        {
            lock (_lock)
            {
                return _session is { IsValueCreated: true };
            }
        }
    }

    /// <summary>
    /// Starts resolving the session and making the CloudFormation and SSM clients in the background, so the SDK's start-up
    /// (credential chain, region, pipeline) overlaps setup's other checks (until <see cref="CheckCredentials"/> waits
    /// for it) instead of adding to them.
    /// A failure is not reported here: the first real use repeats the step and reports it there.
    /// </summary>
    public void Prepare()
    {
        lock (_lock)
        {
            _preparing ??= Task.Run(() =>
            {
                try
                {
                    Get(ref _cloudFormation, session => new CloudFormationClient(session));
                    Get(ref _ssm, session => new SsmClient(session));
                }
                catch (Exception)
                {
                    // Repeated, and reported, on first use.
                }
            });
        }
    }

    /// <summary>
    /// Resolves the run's credentials now, waiting for a <see cref="Prepare"/> under way, so that a source that fails
    /// (a role STS refuses, an expired SSO login, a failing credential_process) stops setup before the first change,
    /// with the source's own message.
    /// </summary>
    public void CheckCredentials() => SessionAlone();

    public void Dispose()
    {
        lock (_lock)
        {
            _cloudFormation?.Dispose();
            _ecr?.Dispose();
            _ecs?.Dispose();
            _ssm?.Dispose();
            _dynamoDb?.Dispose();
            _backup?.Dispose();
        }
    }

    // One session per run; a caller that comes while another resolves it waits for that one. A failure is not
    // kept: the next caller tries again (and a background preparation's failure is reported by the first real use).
    private AwsSession SessionAlone()
    {
        var aws = options.Value;
        Lazy<AwsSession> session;
        lock (_lock)
        {
            session = _session ??= new Lazy<AwsSession>(() =>
            {
                var made = AwsSession.Create(
                    aws.Region,
                    name => name == "AWS_ENDPOINT_URL" && aws.EndpointUrl is { } url && Environment.GetEnvironmentVariable(name) is null
                        ? url.ToString()
                        : Environment.GetEnvironmentVariable(name),
                    aws.Limits,
                    aws.Credentials);
                if (log is not null)
                {
                    made.Waiting = line => log.Information("{0}", line);
                }

                return made;
            });
        }

        try
        {
            return session.Value;
        }
        catch
        {
            lock (_lock)
            {
                if (ReferenceEquals(_session, session))
                {
                    _session = null;
                }
            }

            throw;
        }
    }

    // The session is resolved outside the lock, so disposing never waits for a credential chain.
    private T Get<T>(ref T? field, Func<AwsSession, T> make)
        where T : class
    {
        var session = SessionAlone();
        lock (_lock)
        {
            return field ??= make(session);
        }
    }
}
