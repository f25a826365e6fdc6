using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Smoke;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>
/// The build's connection to Jenkins' API as the admin (DrainMaster, Plan): the root URL (jenkinsUrl, else
/// https://DomainName/), TLS as SmokeTest checks it, and the password read only once Jenkins answers.
/// </summary>
public static class JenkinsConnection
{
    /// <param name="hold">Keeps the handler and the CA alive for as long as the caller needs the client, and disposes them after.</param>
    public static JenkinsApiClient Create(DrainInputs inputs, Uri root, AwsClients aws, Func<IDisposable, IDisposable> hold, Action<string> tlsProblem)
    {
        var trustedCa = inputs.CaFile is { } ca ? SmokeConnection.LoadCa(ca) : null;
        if (trustedCa is not null)
        {
            hold(trustedCa);
        }

        var handler = SmokeConnection.Create(trustedCa, connectTo: null, tlsProblem);
        hold(handler);
        var secretArn = inputs.StackParameters.GetValueOrDefault("AdminPasswordSecretArn");
        return new JenkinsApiClient(handler, root, inputs.AdminUser, async cancellationToken =>
        {
            // Asked only once Jenkins answers: a first deploy or a master that is down needs no password.
            if (inputs.AdminPassword is null && string.IsNullOrEmpty(secretArn))
            {
                throw new BuildException(
                    $"Logging in to Jenkins at {root} needs the admin's password, and there is none: give the parameter AdminPasswordSecretArn " +
                    $"(in {inputs.Environment.EnvironmentFile} \"parameters\") or JENKINS_ECS_ADMIN_PASSWORD. Nothing was changed.");
            }

            using var secrets = new SecretsManagerClient(aws.Session());
            return await AdminPassword.ResolveAsync(inputs.AdminPassword?.Value, secretArn, () => secrets, cancellationToken);
        }, TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// What a restart would cost now, for Plan: the builds running (read only: no quiet-down), or that Jenkins does not answer.
    /// </summary>
    public static async Task<RestartCost> RestartCostAsync(JenkinsApiClient jenkins, DrainInputs inputs, CancellationToken cancellationToken)
    {
        try
        {
            await jenkins.ProbeAsync(cancellationToken);
            await jenkins.LoginAsync(cancellationToken);
            var running = await jenkins.RunningBuildsAsync(cancellationToken);
            return new RestartCost(running, running.Count == 0
                ? "Jenkins restarts; no build is running now, so a Deploy would not wait"
                : $"Jenkins restarts; {running.Count} build(s) are running ({string.Join(", ", running)}), a Deploy would wait for them (at most {inputs.Bound.TotalMinutes:0} min, drainTimeoutMinutes)");
        }
        catch (JenkinsUnreachable ex)
        {
            return new RestartCost(null, $"Jenkins restarts; it does not answer at {jenkins.Root} now ({ex.Message}), so a Deploy would not wait");
        }
        catch (BuildException ex)
        {
            return new RestartCost(null, $"Jenkins restarts; its running builds are unknown: {ex.Message}");
        }
        catch (JenkinsRefused ex)
        {
            return new RestartCost(null, $"Jenkins restarts; its running builds are unknown: {ex.Message} (a Deploy logs in as {jenkins.User} with {inputs.PasswordSource}, and would fail before quiet-down)");
        }
    }
}

/// <summary>What a restart would cost now: the builds running (null: unknown, Jenkins did not tell), and the plan's line.</summary>
public sealed record RestartCost(IReadOnlyList<RunningBuild>? Running, string Line)
{
    /// <summary>The plan's summary: the running builds a Deploy would wait for, when known.</summary>
    public string Summary => Running switch
    {
        null => "Jenkins restarts (a Deploy drains it first)",
        [] => "Jenkins restarts; no build is running now",
        _ => $"Jenkins restarts; {Running.Count} build(s) are running ({string.Join(", ", Running.Select(b => b.Name))}), a Deploy would wait for them",
    };
}
