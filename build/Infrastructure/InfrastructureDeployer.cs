using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>
/// Deploys (or plans) every stack of cfn/stacks.json in order, handing each stack's outputs on to the
/// parameters of the next by name.
/// </summary>
public sealed class InfrastructureDeployer(StackDeployer deployer, ICakeLog log)
{
    public const string EnvironmentTag = "jenkins-ecs:environment";

    public async Task<InfrastructureResult> DeployAsync(InfrastructureRequest request, CancellationToken cancellationToken = default)
    {
        // Every stack's state at once (deploying one stack does not change another's): an unchanged run then
        // costs one round trip, not one per stack. Asked first, so that the round trip overlaps the parsing of
        // the templates; the describes only read, and are awaited even when a template fails, so none outlives the run.
        var describing = Task.WhenAll(request.Stacks.Select(s => deployer.DescribeAsync(s.StackName(request.EnvironmentName), cancellationToken)));
        List<(StackDefinition Stack, CloudFormationTemplate Template)> templates;
        try
        {
            templates = LoadTemplates(request);
        }
        catch
        {
            await describing.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        var described = await describing;
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new HashSet<string>(StringComparer.Ordinal);
        var deployments = new List<StackDeployment>();
        var tags = new Dictionary<string, string> { [EnvironmentTag] = request.EnvironmentName };
        foreach (var ((stack, template), state) in templates.Zip(described))
        {
            var stackName = stack.StackName(request.EnvironmentName);
            IReadOnlyDictionary<string, string> parameters;
            try
            {
                parameters = StackParameters.Resolve(stack, template, request.EnvironmentName, request.Parameters, outputs, request.EnvironmentFile);
            }
            catch (BuildException) when (request.PlanOnly && template.Parameters.Keys.Any(pending.Contains))
            {
                // A plan cannot know the outputs of a stack that does not exist yet.
                log.Information("{0}: planned after the stacks it depends on exist (needs their outputs)", stackName);
                deployments.Add(new StackDeployment(stackName, StackOutcome.Pending, new Dictionary<string, string>(), []));
                pending.UnionWith(template.Outputs);
                continue;
            }

            var deployment = await deployer.DeployAsync(stackName, state, template, parameters, tags, request.PlanOnly, cancellationToken);
            deployments.Add(deployment);
            foreach (var (name, value) in deployment.Outputs)
            {
                outputs[name] = value;
            }

            pending.UnionWith(template.Outputs.Where(o => !deployment.Outputs.ContainsKey(o)));
        }

        return new InfrastructureResult(deployments, outputs);
    }

    /// <summary>Parses every template and checks what they declare against each other and the environment's parameters.</summary>
    private static List<(StackDefinition Stack, CloudFormationTemplate Template)> LoadTemplates(InfrastructureRequest request)
    {
        var templates = request.Stacks
            .Select(s => (Stack: s, Template: CloudFormationTemplate.Load(s.TemplatePath, Path.GetRelativePath(request.RepositoryRoot, s.TemplatePath))))
            .ToList();
        StackParameters.CheckKnown(request.Parameters, templates.Select(t => t.Template), request.EnvironmentFile);
        var duplicate = templates.SelectMany(t => t.Template.Outputs.Select(o => (Output: o, t.Stack.Name))).GroupBy(o => o.Output).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new BuildException($"The output {duplicate.Key} is declared by stacks {string.Join(" and ", duplicate.Select(d => d.Name))}: later stacks take parameters from outputs by name, so each name must come from one stack.");
        }

        return templates;
    }
}

public sealed record InfrastructureRequest(
    string RepositoryRoot,
    IReadOnlyList<StackDefinition> Stacks,
    string EnvironmentName,
    string EnvironmentFile,
    IReadOnlyDictionary<string, string> Parameters,
    bool PlanOnly);

public sealed record InfrastructureResult(IReadOnlyList<StackDeployment> Stacks, IReadOnlyDictionary<string, string> Outputs);
