using System.Reflection;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stages;

/// <summary>The hand-offs between tasks: every consumer depends on a producer, and a missing producer is named.</summary>
public sealed class StageGraphTests
{
    [Fact]
    public void The_tasks_the_setup_and_teardown_single_out_are_declared_on_the_tasks()
    {
        // Setup shows the stack graph in a dry run with one of these; teardown writes the Deploy's summary for this target.
        Assert.Equal([nameof(Tasks.DeployInfrastructure), nameof(Tasks.Plan)], StageGraph.TaskTypes.Where(t => t.GetCustomAttribute<ShowsStackGraphAttribute>() is not null).Select(StageGraph.NameOf).Order());
        Assert.True(ShowsStackGraphAttribute.AnyIn(["RenderJenkinsConfig", "Plan"]));
        Assert.False(ShowsStackGraphAttribute.AnyIn(["RenderJenkinsConfig", "ReadStackOutputs"]));
        Assert.Equal([nameof(Tasks.Deploy)], StageGraph.TaskTypes.Where(t => t.GetCustomAttribute<WritesDeploySummaryAttribute>() is not null).Select(StageGraph.NameOf));
        Assert.True(WritesDeploySummaryAttribute.IsOn("deploy"));
        Assert.False(WritesDeploySummaryAttribute.IsOn("Plan"));
    }

    [Fact]
    public void Only_ReadStackOutputs_produces_a_value_as_a_fallback()
    {
        var fallbacks = StageGraph.TaskTypes.SelectMany(t => t.GetCustomAttributes<ProducesAttribute>().Where(p => p.Fallback).Select(p => (StageGraph.NameOf(t), p.Output)));
        Assert.Equal([(nameof(Tasks.ReadStackOutputs), StageOutput.Stacks)], fallbacks);
    }

    [Fact]
    public void The_outputs_kept_by_key_are_the_images_their_failures_and_the_task_definitions()
    {
        Assert.Equal([StageOutput.BuiltImages, StageOutput.PushedImages, StageOutput.TaskDefinitions, StageOutput.FailedImages], Enum.GetValues<StageOutput>().Where(StageGraph.IsKeyed));
    }

    [Fact]
    public void Every_consumer_depends_transitively_on_a_producer_of_what_it_consumes()
    {
        var byName = StageGraph.TaskTypes.ToDictionary(StageGraph.NameOf);
        foreach (var consumer in StageGraph.TaskTypes)
        {
            // A consumer "when present" uses the output where its run has it and does without it otherwise.
            foreach (var consumed in consumer.GetCustomAttributes<ConsumesAttribute>().Where(c => !c.WhenPresent))
            {
                var producers = StageGraph.Producers(consumed.Output).ToHashSet();
                Assert.True(producers.Count > 0, $"no task produces {consumed.Output}");
                Assert.True(Dependencies(consumer, byName).Any(producers.Contains), $"{StageGraph.NameOf(consumer)} consumes {consumed.Output} but depends on none of {string.Join(", ", producers)}");
            }
        }
    }

    [Fact]
    public void Each_output_has_the_producers_the_readme_names()
    {
        Assert.Equal(["DeployInfrastructure", "ReadStackOutputs"], StageGraph.Producers(StageOutput.Stacks).Order());
        Assert.Equal(["BuildAgentImages", "BuildMasterImage", "BuildNginxImage"], StageGraph.Producers(StageOutput.BuiltImages).Order());
        Assert.Equal(["PushAgentImages", "PushMasterImage", "PushNginxImage"], StageGraph.Producers(StageOutput.PushedImages).Order());
        Assert.Equal(["PushAgents", "RegisterTaskDefinitions"], StageGraph.Producers(StageOutput.TaskDefinitions).Order());
        Assert.Equal(["CheckMasterRestart"], StageGraph.Producers(StageOutput.MasterRestart));
        Assert.Equal(["BackupHome"], StageGraph.Producers(StageOutput.HomeRecoveryPoint));
        Assert.Equal(["DeployInfrastructure"], StageGraph.Producers(StageOutput.StackDeployments));
        Assert.Equal(["DeployServices"], StageGraph.Producers(StageOutput.ServiceDeployments));
        Assert.Equal(["SmokeTest"], StageGraph.Producers(StageOutput.SmokeTestResult));
    }

    [Fact]
    public void A_handoff_is_written_once_and_a_missing_one_names_its_producer()
    {
        var outputs = new StageOutputs();

        var missing = Assert.Throws<BuildException>(() => outputs.Stacks.Get("RegisterTaskDefinitions"));
        Assert.Contains("RegisterTaskDefinitions needs the stacks' outputs", missing.Message);
        Assert.Contains("run DeployInfrastructure or ReadStackOutputs before it", missing.Message);

        outputs.Stacks.Set(new Dictionary<string, string>());
        Assert.Throws<InvalidOperationException>(() => outputs.Stacks.Set(new Dictionary<string, string>()));

        var image = Assert.Throws<BuildException>(() => outputs.BuiltImages.Get("jenkins-master", "PushMasterImage", "BuildMasterImage"));
        Assert.Contains("run BuildMasterImage before it", image.Message);
    }

    [Fact]
    public async Task A_consumer_run_exclusive_fails_naming_the_task_that_produces_the_stack_outputs()
    {
        var exclusive = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=CheckServiceUpdates", "--exclusive");

        Assert.NotEqual(0, exclusive.ExitCode);
        Assert.Contains("CheckServiceUpdates needs the stacks' outputs, which no task of this run produced: run DeployInfrastructure or ReadStackOutputs before it", exclusive.Output);
    }

    [Fact]
    public async Task A_local_build_with_an_upstream_setting_reads_no_stacks()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--target=BuildNginxImage");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["CheckNginxConfig", "BuildNginxImage"], run.Executed);

        // The proxy's image needs no stack at all: its upstream comes at container start.
        Assert.DoesNotContain("ReadStackOutputs", run.Skipped);
    }

    private static IEnumerable<string> Dependencies(Type task, IReadOnlyDictionary<string, Type> byName)
    {
        var seen = new HashSet<string>();
        var queue = new Queue<Type>([task]);
        while (queue.TryDequeue(out var next))
        {
            foreach (var dependency in next.GetCustomAttributes<IsDependentOnAttribute>().Select(a => a.Task))
            {
                if (seen.Add(StageGraph.NameOf(dependency)))
                {
                    queue.Enqueue(dependency);
                }
            }
        }

        return seen;
    }
}

/// <summary>The hand-offs under the concurrent host: tasks of independent branches write and read them at once.</summary>
public sealed class HandoffConcurrencyTests
{
    [Fact]
    public async Task A_value_written_by_many_at_once_is_written_once_and_every_other_writer_is_refused()
    {
        var handoff = new JenkinsOnEcs.Build.Common.Handoff<string>("the value", "Producer");
        using var start = new Barrier(8);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            try
            {
                handoff.Set("v" + i);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        })));

        Assert.Single(results, won => won);
        Assert.True(handoff.TryGet(out var value));
        Assert.Equal("v" + Array.IndexOf(results, true), value);
    }

    [Fact]
    public async Task Keys_written_by_concurrent_producers_are_all_kept_and_none_twice()
    {
        var images = new JenkinsOnEcs.Build.Common.KeyedHandoff<string>("the image");
        using var start = new Barrier(6);
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var k = 0; k < 200; k++)
            {
                images.Set($"{i}-{k}", "x");
            }
        })));

        Assert.Equal(1200, images.All.Count);
        Assert.Throws<InvalidOperationException>(() => images.Set("0-0", "again"));
    }
}
