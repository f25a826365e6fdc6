namespace JenkinsOnEcs.Build.Smoke;

/// <summary>Where the smoke test gets the admin's password: given (adminPassword), else the secret the stacks name (AdminPasswordSecretArn).</summary>
public static class AdminPassword
{
    /// <summary>
    /// What SmokeTest needs before it, or a Deploy it ends, changes anything: the public name and a way to the
    /// admin's password. Called at setup, and again by the task.
    /// </summary>
    public static void CheckPrerequisites(IReadOnlyDictionary<string, string> stackParameters, string? givenPassword, string environmentFile)
    {
        if (stackParameters.GetValueOrDefault("DomainName") is not { Length: > 0 })
        {
            throw new BuildException($"SmokeTest needs the parameter DomainName (in {environmentFile} \"parameters\", or --parameters=DomainName=jenkins.example.com), the public name it tests. Nothing was changed.");
        }

        Check(givenPassword, stackParameters.GetValueOrDefault("AdminPasswordSecretArn"), environmentFile);
    }

    /// <summary>Fails before any request when there is neither, naming both fixes and where the initial password is.</summary>
    public static void Check(string? givenPassword, string? secretArn, string environmentFile)
    {
        if (string.IsNullOrEmpty(givenPassword) && string.IsNullOrEmpty(secretArn))
        {
            throw new BuildException(
                "SmokeTest needs the Jenkins admin's password and has none: the environment gives no parameter AdminPasswordSecretArn " +
                $"(in {environmentFile} \"parameters\", or --parameters=AdminPasswordSecretArn=arn:…) and no adminPassword (JENKINS_ECS_ADMIN_PASSWORD). " +
                "Without a secret the master made a random initial password: its log has the line 'jenkins-entrypoint: no admin password secret was injected. " +
                "Initial password of …' (CloudWatch log group MasterLogGroupName, streams master/…; the file secrets/initialAdminPassword in the Jenkins home). " +
                "Give it as JENKINS_ECS_ADMIN_PASSWORD, or skip the smoke test with --skip-smoke-test. Nothing was changed.");
        }
    }

    public static async Task<string> ResolveAsync(string? givenPassword, string? secretArn, Func<ISecretReader> secrets, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(givenPassword))
        {
            return givenPassword;
        }

        var value = await secrets().GetSecretStringAsync(secretArn!, cancellationToken);
        return value.Length > 0
            ? value
            : throw new BuildException($"The secret {secretArn} (AdminPasswordSecretArn) is empty: put the admin's password in it.");
    }
}
