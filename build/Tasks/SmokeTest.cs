using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Smoke;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(SmokeTest))]
[TaskDescription("Through https://DomainName/: TLS, /login, the reverse-proxy check, a WebSocket upgrade, Jenkins out of quiet-down, one job per agent label run to completion as the admin, and the builds that waited for the restart on the new master; on failure the master's and the agent's last log lines.")]
[Needs(TaskNeeds.Aws | TaskNeeds.AdminLogin)]
[IsDependentOn(typeof(ReadStackOutputs))]
[RunsAfter(typeof(DeployServices))]
[Consumes(StageOutput.Stacks)]
[Consumes(StageOutput.MasterDrain, WhenPresent = true)]
[Produces(StageOutput.SmokeTestResult)]
public sealed class SmokeTest(AwsClients aws, ICakeLog log) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var inputs = context.Options.SmokeTest;
        if (inputs.Skip)
        {
            log.Information("SmokeTest skipped: skipSmokeTest is set in {0} (or as --skip-smoke-test); nothing was checked.", inputs.Environment.EnvironmentFile);
            context.Outputs.SmokeTestResult.Set($"skipped: skipSmokeTest is set in {inputs.Environment.EnvironmentFile} (or as --skip-smoke-test); nothing was checked");
            return;
        }

        var parameters = inputs.StackParameters;
        AdminPassword.CheckPrerequisites(parameters, inputs.AdminPassword?.Value, inputs.Environment.EnvironmentFile);
        var domain = parameters["DomainName"];
        var secretArn = parameters.GetValueOrDefault("AdminPasswordSecretArn");

        var token = context.CancellationToken;
        var session = aws.Session();
        using var secrets = new SecretsManagerClient(session);
        using var logs = new CloudWatchLogsClient(session);
        var outputs = context.Outputs.Stacks.Get(nameof(SmokeTest));
        var logGroups = outputs.TryGetValue("MasterLogGroupName", out var master) && outputs.TryGetValue("AgentLogGroupName", out var agent) ? new SmokeLogGroups(master, agent) : null;
        var options = new SmokeTestOptions(
            new Uri($"https://{domain}/"),
            inputs.AdminUser,
            await AdminPassword.ResolveAsync(inputs.AdminPassword?.Value, secretArn, () => secrets, token),
            context.Catalog.Images.Where(i => i.Agent is not null).Select(i => new AgentProbe(i.Toolchain!, i.Agent!.Label)).ToList(),
            TimeSpan.FromMinutes(inputs.TimeoutMinutes))
        {
            // In a Deploy that drained the master: the builds that waited in its queue must start on the new one.
            Waited = context.Outputs.MasterDrain.IsSet ? context.Outputs.MasterDrain.Get(nameof(SmokeTest)).Queued : [],
        };

        using var trustedCa = inputs.CaFile is { } ca ? SmokeConnection.LoadCa(ca) : null;
        string? tlsProblem = null;
        using var handler = SmokeConnection.Create(trustedCa, connectTo: null, problem => tlsProblem = problem);
        var smoke = new JenkinsSmokeTest(handler, text => log.Information("{0}", text), () => tlsProblem);
        await SmokeTestRun.RunAsync(smoke, options, logGroups, logs, text => log.Information("{0}", text), token);
        context.Outputs.SmokeTestResult.Set($"passed: {options.PublicUrl} over TLS, /login, the WebSocket upgrade, the reverse-proxy check and a job on each of {options.Agents.Count} agent labels" +
            (options.Waited.Count > 0 ? $"; the {options.Waited.Count} build(s) that waited for the restart are on the new master" : string.Empty));
    }
}
