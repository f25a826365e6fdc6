using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// CheckEnvironment's work: the templates' own checks first (the account checks read the parameter values, so those
/// must be well-formed; the same checks DeployInfrastructure makes), then every account check, one line each, then one
/// failure that lists every failed check. Read-only.
/// </summary>
public static class EnvironmentCheckRun
{
    public static async Task RunAsync(StackOptions stacks, string? registry, AwsSession session, Func<EcrClient> ecr, ISsmParameterStore ssm, Action<string> log, CancellationToken cancellationToken)
    {
        var request = Request(stacks.Environment, stacks.Parameters, session.Region.SystemName, registry);
        var lines = await RunAsync(request, session, ecr, ssm, cancellationToken);
        foreach (var line in lines)
        {
            log(line.ToString());
        }

        EnvironmentCheck.ThrowOnFailures(lines);
    }

    /// <summary>
    /// What the checks read, after the templates' own checks (a problem there fails here, as DeployInfrastructure would):
    /// every parameter's value (the environment file's, else the default), the SSM names, the master's execution role.
    /// </summary>
    public static EnvironmentCheckRequest Request(RunEnvironment environment, IReadOnlyDictionary<string, string> fromEnvironment, string region, string? registry)
    {
        var (repositoryRoot, environmentFile) = (environment.RepositoryRoot, environment.EnvironmentFile);
        var stacks = StackCatalog.Load(repositoryRoot)
            .Select(s => (Stack: s, Template: CloudFormationTemplate.Load(s.TemplatePath, Path.GetRelativePath(repositoryRoot, s.TemplatePath))))
            .ToList();
        StackParameters.CheckKnown(fromEnvironment, stacks.Select(t => t.Template), environmentFile);
        StackParameters.CheckAll(stacks, fromEnvironment, environmentFile);
        StackParameterChecks.CheckAll(stacks, fromEnvironment, environmentFile, repositoryRoot);

        var parameters = EnvironmentCheck.ParameterValues(stacks.Select(s => s.Template), fromEnvironment);
        var earlierOutputs = new HashSet<string>(StringComparer.Ordinal);
        var references = new List<SsmReference>();
        foreach (var (stack, template) in stacks)
        {
            references.AddRange(StackParameters.SsmReferences(stack, template, fromEnvironment, passed: null, earlierOutputs, environmentFile));
            earlierOutputs.UnionWith(template.Outputs);
        }

        return new EnvironmentCheckRequest(region, environment, parameters, references, ExecutionRoleGrants.Load(repositoryRoot, stacks, parameters), registry);
    }

    /// <summary>Every check, on clients of the session; the lines, failures included.</summary>
    public static async Task<IReadOnlyList<EnvironmentCheckLine>> RunAsync(EnvironmentCheckRequest request, AwsSession session, Func<EcrClient> ecr, ISsmParameterStore ssm, CancellationToken cancellationToken)
    {
        using var route53 = new Route53Client(session);
        using var acm = new AcmClient(session);
        using var secrets = new SecretsManagerClient(session);
        using var ec2 = new Ec2Client(session);
        return await EnvironmentCheck.RunAsync(request, new EnvironmentCheckClients(route53, acm, secrets, ec2, ssm, ecr), cancellationToken);
    }
}
