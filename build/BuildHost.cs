using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace JenkinsOnEcs.Build;

/// <summary>The build's host, composed in one place for the program and for its tests.</summary>
public static class BuildHost
{
    public static CakeHost Create() => new CakeHost()
        .AddAssembly(typeof(BuildHost).Assembly)
        .UseContext<BuildContext>()
        .UseLifetime<BuildLifetime>()
        .AddArguments(SettingDefinitions.Arguments())
        .ConfigureServices(services =>
        {
            // Independent tasks run at the same time, in the order the tasks declare (the run's graph, also what --tree and --dryrun show).
            services.AddSingleton<IRunOrdering, Stages.RunGraph>();

            // The run's options, written once by the setup; the context reads them, and each service gets its part.
            services.AddSingleton(new Common.Handoff<RunOptions>("the run's options", "the setup"));
            AddPart(services, o => o.Aws);
            AddPart(services, o => o.Registry);
            AddPart(services, o => o.Stacks);
            AddPart(services, o => o.Ecs);
            AddPart(services, o => o.DeployLock);

            // The services tasks receive through their constructors.
            services.AddSingleton<DockerCli>();
            services.AddSingleton<DockerEngine>();
            services.AddSingleton(sp => new DockerCredentials(sp.GetRequiredService<Cake.Core.ICakeEnvironment>().GetEnvironmentVariable));
            services.AddSingleton(sp => new RegistryClient(new HttpClient { Timeout = RegistryClient.RequestTimeout }, sp.GetRequiredService<DockerCredentials>()));
            services.AddSingleton<BaseImageDigests>();
            services.AddSingleton<ImageBuilder>();
            services.AddSingleton<NginxConfigRenderer>();
            services.AddSingleton<NginxConfigCheck>();
            services.AddSingleton<EcsCloudRenderer>();
            services.AddSingleton<CascValidator>();
            services.AddSingleton(new Common.Handoff<AwsEndpointLost>("the lost AWS endpoint", "the local rehearsal"));
            services.AddSingleton<Local.LocalServices>();
            services.AddSingleton<AwsClients>();
            services.AddSingleton<IStackParameterCheck, Checks.StackParameterChecks>();
            services.AddSingleton<StackOperations>();
            services.AddSingleton<CfnLint>();
            services.AddSingleton<TemplateValidator>();
            services.AddSingleton<RegistryTarget>();
            services.AddSingleton<ImagePusher>();
            services.AddSingleton<ImagePublisher>();
            services.AddSingleton<TaskDefinitionRollout>();
            services.AddSingleton<ServiceRollout>();
            services.AddSingleton<Reports.DeployPlanner>();
            services.AddSingleton<Locking.DeployLock>();
            services.AddSingleton<Locking.InterruptionReport>();
            services.AddSingleton<MasterQuietDown>();
            services.AddSingleton<MasterRestartDrain>();
        });

    private static void AddPart<T>(IServiceCollection services, Func<RunOptions, T> part)
        where T : class
        => services.AddSingleton(sp => sp.GetRequiredService<Common.Handoff<RunOptions>>().Part(part));
}
