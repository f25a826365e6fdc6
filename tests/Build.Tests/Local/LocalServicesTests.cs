using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Local;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Local;

/// <summary>
/// The setup starts the local rehearsal once, with what the run needs of it. An address off this machine is refused
/// before anything starts, so a refusal shows which service the start reached; the services themselves are started
/// by the local Deploy tests (DeployTests, LocalServiceLifetimeTests).
/// </summary>
public sealed class LocalServicesTests
{
    private static readonly LocalServiceOptions OffMachine = new(Start: true, new Uri("http://192.0.2.1:4599/"), "192.0.2.1:5099", new RunEnvironment("local", Repository.Root));

    [Fact]
    public void A_run_that_needs_neither_aws_nor_a_registry_reaches_neither_service()
    {
        using var local = Rehearsal(out var console);

        local.Start(OffMachine, aws: false, registry: false);

        Assert.DoesNotContain("moto_server", console.Output);
        Assert.DoesNotContain("docker-registry", console.Output);
    }

    [Fact]
    public void A_run_that_needs_aws_starts_moto_at_the_endpoint_setting()
    {
        using var local = Rehearsal(out _);

        var error = Assert.Throws<BuildException>(() => local.Start(OffMachine, aws: true, registry: false));

        Assert.Equal("startLocalServices starts services on this machine only, but awsEndpointUrl is 192.0.2.1:4599: use a 127.0.0.1 address, or set startLocalServices to false.", error.Message);
    }

    [Fact]
    public void A_run_that_needs_the_registry_starts_it_at_the_registry_setting()
    {
        using var local = Rehearsal(out _);

        var error = Assert.Throws<BuildException>(() => local.Start(OffMachine, aws: false, registry: true));

        Assert.Contains("but registry is 192.0.2.1:5099", error.Message);
    }

    [Fact]
    public void Without_start_local_services_nothing_is_started_whatever_the_run_needs()
    {
        using var local = Rehearsal(out var console);

        local.Start(OffMachine with { Start = false }, aws: true, registry: true);

        Assert.Empty(console.Output);
    }

    [Fact]
    public void The_rehearsal_is_started_once()
    {
        using var local = Rehearsal(out _);
        local.Start(OffMachine, aws: false, registry: false);

        Assert.Contains("started once, by the setup", Assert.Throws<InvalidOperationException>(() => local.Start(OffMachine, aws: false, registry: false)).Message);
    }

    private static LocalServices Rehearsal(out CapturingConsole console)
    {
        console = new CapturingConsole();
        return new LocalServices(new CakeBuildLog(console), new RunCancellation(), new Handoff<AwsEndpointLost>("the lost AWS endpoint", "the local rehearsal"));
    }
}
