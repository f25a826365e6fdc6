using JenkinsOnEcs.Build.Aws;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Scheduling;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// Deploys (or plans) every stack of cfn/stacks.json, each as soon as the stacks whose outputs feed its
/// parameters (by name, <see cref="StackGraph"/>) are done, so stacks that do not wait for each other deploy at
/// once. Every stack's parameters, the wiring, and the SSM parameters that SSM-typed ones name are checked before
/// the first stack is touched.
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
        StackGraph graph;
        try
        {
            templates = LoadTemplates(request);
            graph = StackGraph.Build(templates, request.Parameters, request.EnvironmentFile);
            var loadedAt = watch.ElapsedMilliseconds;
            ssmValues = await ResolveSsmAsync(UpFrontSsmReferences(templates, request), request, upFront: true, cancellationToken);
            log.Verbose("Templates checked at {0} ms, {1} SSM value(s) at {2} ms, stack states at {3} ms", loadedAt, ssmValues.Count, watch.ElapsedMilliseconds, await describedAt);
        }
        catch
        {
            await describing.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        var described = templates.Select(t => t.Stack.Name).Zip(await describing).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        graph.Log(log);

        return await RollOutAsync(request, graph, templates.ToDictionary(t => t.Stack.Name, StringComparer.Ordinal), described, ssmValues, cancellationToken);
    }

    /// <summary>
    /// Starts every stack as soon as the stacks it waits for are done (<see cref="WorkSchedule"/>), so independent
    /// stacks deploy at once, each through its change set. After a failure no stack starts, and those under way are
    /// waited for to their end (a stack is never left mid-update by the build); every failure is reported. Run by a
    /// task, the rollout is nested in the run's schedule: when another task fails it likewise starts no further
    /// stack. A cancellation (SIGTERM) ends each stack's wait as it did one stack at a time: CloudFormation goes on,
    /// the run's end names the busy stacks.
    /// </summary>
    private async Task<InfrastructureResult> RollOutAsync(
        InfrastructureRequest request,
        StackGraph graph,
        Dictionary<string, (StackDefinition Stack, CloudFormationTemplate Template)> templates,
        Dictionary<string, StackDescription?> described,
        IReadOnlyDictionary<string, string> ssmValues,
        CancellationToken cancellationToken)
    {
        string StackName(string node) => templates[node].Stack.StackName(request.EnvironmentName);

        // Touched only on the schedule's flow (a stack's start and the Ended hook), never from the stacks' tasks,
        // which hand their deployment over through finished.
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var deployments = new Dictionary<string, StackDeployment>(StringComparer.Ordinal);
        var finished = new System.Collections.Concurrent.ConcurrentDictionary<string, StackDeployment>(StringComparer.Ordinal);
        var tags = new Dictionary<string, string> { [EnvironmentTag] = request.EnvironmentName };
        bool Cancelled(Exception error) => error is OperationCanceledException && cancellationToken.IsCancellationRequested;

        async Task Deploy(StackNode node, string stackName)
        {
            try
            {
                finished[node.Name] = await StartAsync(request, node, stackName, templates[node.Name], described[node.Name], outputs, ssmValues, tags, cancellationToken);
            }
            catch (Exception ex) when (!Cancelled(ex) && !ex.Message.Contains(stackName, StringComparison.Ordinal))
            {
                // The run's last line is this error: it names its stack.
                throw new BuildException($"Stack {stackName} failed: {ex.Message}", ex);
            }
        }

        Task Start(StackNode node)
        {
            var stackName = StackName(node.Name);
            var pending = node.Inputs.Where(i => deployments[i.Producer].Outcome == StackOutcome.Pending || i.Parameters.Any(p => !outputs.ContainsKey(p))).ToList();
            if (request.PlanOnly && pending.Count > 0)
            {
                // A plan cannot know the outputs of a stack that does not exist yet; its dependents are planned at once.
                log.Information("{0}: planned after the stacks it waits for exist (needs the outputs of {1})", stackName, string.Join(", ", pending.Select(i => i.Producer)));
                finished[node.Name] = new StackDeployment(stackName, StackOutcome.Pending, new Dictionary<string, string>(), []);
                return Task.CompletedTask;
            }

            return Deploy(node, stackName);
        }

        void Ended(WorkEnd end)
        {
            if (end.Error is null)
            {
                var deployment = finished[end.Name];
                deployments[end.Name] = deployment;
                request.StackEnded?.Invoke(deployment);
                foreach (var (output, value) in deployment.Outputs)
                {
                    outputs[output] = value;
                }
            }
            else if (!Cancelled(end.Error))
            {
                // A cancelled stack is said at the run's end (InterruptionReport), with every stack CloudFormation is still busy with.
                var failed = StackName(end.Name);
                request.StackEnded?.Invoke(new StackDeployment(failed, StackOutcome.Failed, new Dictionary<string, string>(), []) { Failure = end.Error.Message });

                // The error itself ends the run (all of them, if more than one); this line says which stack, as it happens.
                log.Error("{0} failed{1}", failed, end.StillRunning.Count == 0 ? string.Empty
                    : $"; no further stack starts, waiting for {string.Join(", ", end.StillRunning.Select(StackName))} to end");
            }
        }

        var work = graph.Nodes.Select(n => new ScheduledWork(n.Name, n.Inputs.Select(i => i.Producer).Distinct(StringComparer.Ordinal).ToList(), () => Start(n))).ToList();
        var result = await WorkSchedule.RunAsync(work, new ScheduleOptions { Cancellation = cancellationToken, Ended = Ended });
        var failures = result.Failures.Where(f => !Cancelled(f.Error)).Select(f => (Stack: StackName(f.Name), f.Error)).ToList();
        if (cancellationToken.IsCancellationRequested)
        {
            // The run's end says it was stopped; a stack that had failed by then is said here, or it would go unsaid.
            foreach (var (stack, error) in failures)
            {
                log.Error("{0}: {1}", stack, error.Message);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        var done = string.Join(", ", graph.Nodes.Where(n => deployments.ContainsKey(n.Name)).Select(n => $"{deployments[n.Name].StackName}: {deployments[n.Name].Outcome}"));
        if (failures.Count > 0)
        {
            var after = (done.Length > 0 ? $"Completed: {done}. " : string.Empty) + (result.NotStarted.Count > 0 ? $"Not started: {string.Join(", ", result.NotStarted)}." : string.Empty);
            if (failures.Count == 1)
            {
                if (after.Length > 0)
                {
                    log.Error("{0}", after.TrimEnd());
                }

                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0].Error);
            }

            throw new BuildException($"{failures.Count} stacks failed:\n" + string.Join("\n", failures.Select(f => $"{f.Stack}: {f.Error.Message}")) + (after.Length > 0 ? "\n" + after : string.Empty));
        }

        if (result.StoppedByParent && result.NotStarted.Count > 0)
        {
            // Another task of the run failed: the stacks under way were finished, none after them started. The
            // next Deploy goes on from here (each stack's fingerprint says which are done).
            var notStarted = string.Join(", ", result.NotStarted.Select(StackName));
            throw new BuildException($"No further stack was started because another part of the run failed; the stacks under way were finished. {(done.Length > 0 ? $"Completed: {done}. " : string.Empty)}Not started: {notStarted}. Fix that failure and run Deploy again: it goes on from here.");
        }

        // In the order of cfn/stacks.json, whatever order they ended in.
        return new InfrastructureResult(graph.Nodes.Select(n => deployments[n.Name]).ToList(), outputs);
    }

    /// <summary>One stack's parameters from the outputs it waits for, its late SSM names, then its change set.</summary>
    private async Task<StackDeployment> StartAsync(
        InfrastructureRequest request,
        StackNode node,
        string stackName,
        (StackDefinition Stack, CloudFormationTemplate Template) stack,
        StackDescription? state,
        IReadOnlyDictionary<string, string> outputs,
        IReadOnlyDictionary<string, string> ssmValues,
        IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken)
    {
        // Read here, before the first await: the schedule adds to outputs only between its waits.
        var producers = node.Inputs.SelectMany(i => i.Parameters.Select(p => (Parameter: p, i.Producer))).ToDictionary(p => p.Parameter, p => p.Producer, StringComparer.Ordinal);
        var parameters = StackParameters.Resolve(stack.Stack, stack.Template, request.EnvironmentName, request.Parameters, outputs, request.EnvironmentFile, producers);
        var references = StackParameters.SsmReferences(stack.Stack, stack.Template, request.Parameters, parameters, node.WiredParameters.ToHashSet(StringComparer.Ordinal), request.EnvironmentFile);
        await Task.Yield();

        // The names were resolved up front, except where another stack's output gave the name: read those now.
        var late = references.Where(r => !ssmValues.ContainsKey(r.SsmName)).ToList();
        var values = late.Count == 0 ? ssmValues : ssmValues.Concat(await ResolveSsmAsync(late, request, upFront: false, cancellationToken)).ToDictionary(StringComparer.Ordinal);
        var stackSsmValues = references.ToDictionary(r => r.Parameter, r => values[r.SsmName], StringComparer.Ordinal);
        return await deployer.DeployAsync(stackName, state, stack.Template, parameters, tags, request.PlanOnly, stackSsmValues, cancellationToken);
    }

    /// <summary>The SSM names known before any stack is deployed: from the environment file or a template's default.</summary>
    private static List<SsmReference> UpFrontSsmReferences(List<(StackDefinition Stack, CloudFormationTemplate Template)> templates, InfrastructureRequest request)
    {
        var references = new List<SsmReference>();
        var outputs = templates.SelectMany(t => t.Template.Outputs.Select(o => (Output: o, t.Stack.Name))).ToList();
        foreach (var (stack, template) in templates)
        {
            var wired = outputs.Where(o => o.Name != stack.Name && !request.Parameters.ContainsKey(o.Output)).Select(o => o.Output).ToHashSet(StringComparer.Ordinal);
            references.AddRange(StackParameters.SsmReferences(stack, template, request.Parameters, passed: null, wired, request.EnvironmentFile));
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
            var untouched = upFront ? "No stack was touched." : "The stacks it waits for are deployed; no stack that waits for it was touched.";
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
    IStackParameterCheck ParameterChecks)
{
    /// <summary>Told of each stack as it ends, deployed or failed, so that a failed or stopped run can still say what it did.</summary>
    public Action<StackDeployment>? StackEnded { get; init; }
}

public sealed record InfrastructureResult(IReadOnlyList<StackDeployment> Stacks, IReadOnlyDictionary<string, string> Outputs);
