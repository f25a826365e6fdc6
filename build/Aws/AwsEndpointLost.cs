namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The run's AWS endpoint ended during the run, and every resource it held ended with it (a stand-in this run started
/// and that died: the local rehearsal's moto_server). Handed on once by whoever watched it; the deploy lock's release
/// and the report of a stopped run then say the state is gone instead of asking an endpoint that is no longer there.
/// </summary>
/// <param name="Holder">What held the state, named in messages.</param>
public sealed record AwsEndpointLost(string Holder);
