using JenkinsOnEcs.Build.Aws;
using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>
/// Deploys (or plans) every stack of cfn/stacks.json in order, handing each stack's outputs on to the
/// parameters of the next by name. Every stack's parameters, and the SSM parameters that SSM-typed ones name,
/// are checked before the first stack is touched.
/// </summary>
public sealed class InfrastructureRollout(StackRollout deployer, ISsmParameterStore ssm, ICakeLog log)
{
    public const string EnvironmentTag = "jenkins-ecs:environment";

    public async Task<InfrastructureResult> DeployAsync(InfrastructureRequest request, CancellationToken cancellationToken = default)
    {
        // Every stack's state at once (deploying one stack does not change another's): an unchanged run then
        // costs one round trip, not one per stack. Asked first, so that the round trip overlaps the parsing of
        // the templates and the SSM read; the describes only read, and are awaited even when a check fails, so
        // none outlives the run.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var describing = Task.WhenAll(request.Stacks.Select(s => deployer.DescribeAsync(s.StackName(request.EnvironmentName), cancellationToken)));
        var describedAt = describing.ContinueWith(_ => watch.ElapsedMilliseconds, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        List<(StackDefinition Stack, CloudFormationTemplate Template)> templates;
        IReadOnlyDictionary<string, string> ssmValues;
        try
        {
            templates = LoadTemplates(request);
            var loadedAt = watch.ElapsedMilliseconds;
            ssmValues = await ResolveSsmAsync(UpFrontSsmReferences(templates, request), request, upFront: true, cancellationToken);
            log.Verbose("Templates checked at {0} ms, {1} SSM value(s) at {2} ms, stack states at {3} ms", loadedAt, ssmValues.Count, watch.ElapsedMilliseconds, await describedAt);
        }
        catch
        {
            await describing.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        var described = await describing;
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var declaredOutputs = new HashSet<string>(StringComparer.Ordinal);
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
                declaredOutputs.UnionWith(template.Outputs);
                continue;
            }

            // The names were resolved up front, except where an earlier stack's output gave the name: read those now.
            var references = StackParameters.SsmReferences(stack, template, request.Parameters, parameters, declaredOutputs, request.EnvironmentFile);
            var late = references.Where(r => !ssmValues.ContainsKey(r.SsmName)).ToList();
            if (late.Count > 0)
            {
                ssmValues = new Dictionary<string, string>(ssmValues).Concat(await ResolveSsmAsync(late, request, upFront: false, cancellationToken)).ToDictionary(StringComparer.Ordinal);
            }

            var stackSsmValues = references.ToDictionary(r => r.Parameter, r => ssmValues[r.SsmName], StringComparer.Ordinal);
            var deployment = await deployer.DeployAsync(stackName, state, template, parameters, tags, request.PlanOnly, stackSsmValues, cancellationToken);
            deployments.Add(deployment);
            foreach (var (name, value) in deployment.Outputs)
            {
                outputs[name] = value;
            }

            pending.UnionWith(template.Outputs.Where(o => !deployment.Outputs.ContainsKey(o)));
            declaredOutputs.UnionWith(template.Outputs);
        }

        return new InfrastructureResult(deployments, outputs);
    }

    /// <summary>The SSM names known before any stack is deployed: from the environment file or a template's default.</summary>
    private static List<SsmReference> UpFrontSsmReferences(List<(StackDefinition Stack, CloudFormationTemplate Template)> templates, InfrastructureRequest request)
    {
        var references = new List<SsmReference>();
        var earlierOutputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (stack, template) in templates)
        {
            references.AddRange(StackParameters.SsmReferences(stack, template, request.Parameters, passed: null, earlierOutputs, request.EnvironmentFile));
            earlierOutputs.UnionWith(template.Outputs);
        }

        return references;
    }

    /// <summary>
    /// The value behind each referenced SSM name, in one batched read; a name SSM does not know is an error
    /// that names the stack, the parameter, the name and the fix (CloudFormation would refuse the change set).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> ResolveSsmAsync(IReadOnlyList<SsmReference> references, InfrastructureRequest request, bool upFront, CancellationToken cancellationToken)
    {
        if (references.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var empty = references.Where(r => string.IsNullOrWhiteSpace(r.SsmName)).ToList();
        var answer = await ssm.GetParametersAsync(references.Select(r => r.SsmName).Where(n => !string.IsNullOrWhiteSpace(n)), cancellationToken);
        var invalid = answer.Invalid.ToHashSet(StringComparer.Ordinal);
        var problems = empty.Select(r =>
                $"Stack '{r.Stack}': parameter {r.Parameter} is of an SSM parameter type, so its value must name an SSM parameter, but it is empty ({r.Source}). " +
                $"Set {r.Parameter} under \"parameters\" in {request.EnvironmentFile} to the SSM parameter's name.")
            .Concat(references.Where(r => invalid.Contains(r.SsmName)).Select(r =>
                $"Stack '{r.Stack}': parameter {r.Parameter} names the SSM parameter {r.SsmName} ({r.Source}), which does not exist in this account and region (SSM GetParameters lists it as invalid). " +
                $"Create it (aws ssm put-parameter --name {r.SsmName} --type String --value ...), or set {r.Parameter} under \"parameters\" in {request.EnvironmentFile} to an existing SSM parameter's name."))
            .ToList();
        if (problems.Count > 0)
        {
            var untouched = upFront ? "No stack was touched." : "The stacks before it are deployed; no later stack was touched.";
            throw new BuildException(string.Join("\n", problems) + (problems.Count > 1 ? "\n" : " ") + untouched);
        }

        return answer.Values;
    }

    /// <summary>Parses every template and checks what they declare against each other and the environment's parameters.</summary>
    private static List<(StackDefinition Stack, CloudFormationTemplate Template)> LoadTemplates(InfrastructureRequest request)
    {
        var templates = request.Stacks
            .Select(s => (Stack: s, Template: CloudFormationTemplate.Load(s.TemplatePath, Path.GetRelativePath(request.RepositoryRoot, s.TemplatePath))))
            .ToList();
        StackParameters.CheckKnown(request.Parameters, templates.Select(t => t.Template), request.EnvironmentFile);
        StackParameters.CheckAll(templates, request.Parameters, request.EnvironmentFile);
        request.ParameterChecks.Check(templates, request.Parameters, request.EnvironmentFile, request.RepositoryRoot);
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
    bool PlanOnly,
    IStackParameterCheck ParameterChecks);

public sealed record InfrastructureResult(IReadOnlyList<StackDeployment> Stacks, IReadOnlyDictionary<string, string> Outputs);
