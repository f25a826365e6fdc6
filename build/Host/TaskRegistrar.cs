using System.Reflection;
using Cake.Core;
using Microsoft.Extensions.DependencyInjection;

namespace JenkinsOnEcs.Build.Host;

/// <summary>Finds the task classes of the given assemblies and registers them on Cake's engine, as Cake.Frosting does.</summary>
internal static class TaskRegistrar
{
    public static IReadOnlyList<string> Register(ICakeEngine engine, IServiceProvider services, Type contextType, IEnumerable<Assembly> assemblies)
    {
        var taskTypes = assemblies
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IFrostingTask).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

        var names = new List<string>();
        foreach (var type in taskTypes)
        {
            var taskContext = ContextTypeOf(type);
            if (!taskContext.IsAssignableFrom(contextType))
            {
                throw new InvalidOperationException($"Task {type.Name} runs on {taskContext.Name}, but the host's context is {contextType.Name}: change the task's base class.");
            }

            var name = NameOf(type);
            if (names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Two tasks are named '{name}': rename one ([TaskName]).");
            }

            names.Add(name);
            var task = (IFrostingTask)ActivatorUtilities.CreateInstance(services, type);
            var builder = engine.RegisterTask(name);

            if (type.GetCustomAttribute<TaskDescriptionAttribute>() is { } description)
            {
                builder.Description(description.Description);
            }

            foreach (var dependency in type.GetCustomAttributes<IsDependentOnAttribute>())
            {
                builder.IsDependentOn(NameOfDependency(type, dependency.Task));
            }

            foreach (var dependee in type.GetCustomAttributes<IsDependeeOfAttribute>())
            {
                builder.IsDependeeOf(NameOfDependency(type, dependee.Task));
            }

            if (IsOverridden(type, nameof(IFrostingTask.ShouldRun)))
            {
                builder.WithCriteria(context => task.ShouldRun(context));
            }

            // On the thread pool: the host runs independent tasks at the same time (ConcurrentGraphRunner), and a
            // synchronous task body (a docker build) would otherwise hold the others up until it ends.
            builder.Does(context => Task.Run(() => task.RunAsync(context)));

            // Cake treats an error handler as handling the error, so one is registered only where a task asks for it.
            if (IsOverridden(type, nameof(IFrostingTask.OnError)))
            {
                builder.OnError((exception, context) => task.OnError(exception, context));
            }

            if (IsOverridden(type, nameof(IFrostingTask.Finally)))
            {
                builder.Finally(context => task.Finally(context));
            }
        }

        return names;
    }

    public static string NameOf(Type taskType)
        => taskType.GetCustomAttribute<TaskNameAttribute>()?.Name ?? taskType.Name;

    private static string NameOfDependency(Type owner, Type dependency)
        => typeof(IFrostingTask).IsAssignableFrom(dependency)
            ? NameOf(dependency)
            : throw new InvalidOperationException($"Task {owner.Name} depends on {dependency.Name}, which is not a task.");

    private static Type ContextTypeOf(Type taskType)
    {
        for (var t = taskType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(FrostingTask<>) || t.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>)))
            {
                return t.GetGenericArguments()[0];
            }
        }

        return typeof(ICakeContext);
    }

    private static bool IsOverridden(Type taskType, string method)
    {
        for (var t = taskType; t is not null && !(t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(FrostingTask<>) || t.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>))); t = t.BaseType)
        {
            if (t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Any(m => m.Name == method))
            {
                return true;
            }
        }

        return false;
    }
}
