using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Infrastructure;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// CheckEnvironment's work: the templates' own checks first (the account checks read the parameter values, so those
/// must be well-formed; the same checks DeployInfrastructure makes), then every account check, one line each, then one
/// failure that lists every failed check. Read-only.
/// </summary>
public static class EnvironmentCheckRun
{
    public static async Task RunAsync(BuildSettings settings, AwsSession session, Func<EcrClient> ecr, ISsmParameterStore ssm, Action<string> log, CancellationToken cancellationToken)
    {
        var stacks = StackCatalog.Load(settings.RepositoryRoot)
            .Select(s => (Stack: s, Template: CloudFormationTemplate.Load(s.TemplatePath, Path.GetRelativePath(settings.RepositoryRoot, s.TemplatePath))))
            .ToList();
        StackParameters.CheckKnown(settings.StackParameters, stacks.Select(t => t.Template), settings.EnvironmentFile);
        StackParameters.CheckAll(stacks, settings.StackParameters, settings.EnvironmentFile);
        StackParameterChecks.CheckAll(stacks, settings.StackParameters, settings.EnvironmentFile, settings.RepositoryRoot);

        var parameters = EnvironmentCheck.ParameterValues(stacks.Select(s => s.Template), settings.StackParameters);
        var earlierOutputs = new HashSet<string>(StringComparer.Ordinal);
        var references = new List<SsmReference>();
        foreach (var (stack, template) in stacks)
        {
            references.AddRange(StackParameters.SsmReferences(stack, template, settings.StackParameters, passed: null, earlierOutputs, settings.EnvironmentFile));
            earlierOutputs.UnionWith(template.Outputs);
        }

        var request = new EnvironmentCheckRequest(
            session.Region.SystemName,
            settings.EnvironmentFile,
            parameters,
            references,
            ExecutionRoleGrants.Load(settings.RepositoryRoot, stacks, parameters),
            settings.Registry);

        using var route53 = new Route53Client(session);
        using var acm = new AcmClient(session);
        using var secrets = new SecretsManagerClient(session);
        using var ec2 = new Ec2Client(session);
        var lines = await EnvironmentCheck.RunAsync(request, new EnvironmentCheckClients(route53, acm, secrets, ec2, ssm, ecr), cancellationToken);
        foreach (var line in lines)
        {
            log(line.ToString());
        }

        EnvironmentCheck.ThrowOnFailures(lines);
    }
}
