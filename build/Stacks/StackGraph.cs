using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// Which stack waits for which, derived from the wiring and not from the order of cfn/stacks.json: a stack
/// needs another when one of its parameters is that stack's output (same name) and the environment file does
/// not set it (a value there wins over any output, so it ties nothing). A stack's own output of the same name
/// as one of its parameters is a pass-through (the network stack's VpcId: given, or made), not an input.
/// Checked before any stack changes: an output two stacks declare, and a cycle, are errors naming the stacks
/// and parameters.
/// </summary>
public sealed class StackGraph
{
    private StackGraph(IReadOnlyList<StackNode> nodes) => Nodes = nodes;

    /// <summary>Every stack, in the order of cfn/stacks.json, with what it waits for.</summary>
    public IReadOnlyList<StackNode> Nodes { get; }

    public StackNode this[string name] => Nodes.Single(n => n.Name == name);

    public static StackGraph Build(IReadOnlyList<(StackDefinition Stack, CloudFormationTemplate Template)> stacks, IReadOnlyDictionary<string, string> fromEnvironment, string environmentFile)
    {
        var producers = stacks.SelectMany(s => s.Template.Outputs.Select(o => (Output: o, s.Stack.Name))).ToLookup(p => p.Output, p => p.Name, StringComparer.Ordinal);
        var duplicates = producers.Where(p => p.Count() > 1).ToList();
        if (duplicates.Count > 0)
        {
            throw new BuildException(string.Join("\n", duplicates.Select(d =>
            {
                var consumers = stacks.Where(s => s.Template.Parameters.ContainsKey(d.Key) && !d.Contains(s.Stack.Name)).Select(s => s.Stack.Name).ToList();
                return $"The output {d.Key} is declared by stacks {string.Join(" and ", d.Select(n => $"'{n}'"))}" +
                       (consumers.Count > 0 ? $", and stack {string.Join(", ", consumers.Select(c => $"'{c}'"))} takes it as its parameter {d.Key}" : string.Empty) +
                       ": a parameter is fed from the output of the same name, so each output name must come from one stack. Rename the output in all but one template.";
            })) + " No stack was touched.");
        }

        var nodes = stacks.Select(s =>
        {
            var inputs = s.Template.Parameters.Keys
                .Where(p => p != StackParameters.EnvironmentNameParameter && !fromEnvironment.ContainsKey(p))
                .Select(p => (Parameter: p, Producer: producers[p].SingleOrDefault()))
                .Where(p => p.Producer is not null && p.Producer != s.Stack.Name)
                .GroupBy(p => p.Producer!)
                .Select(g => new StackInput(g.Key, g.Select(p => p.Parameter).ToList()))
                .OrderBy(i => stacks.ToList().FindIndex(t => t.Stack.Name == i.Producer))
                .ToList();
            return new StackNode(s.Stack.Name, inputs);
        }).ToList();

        var graph = new StackGraph(nodes);
        graph.CheckAcyclic(environmentFile);
        return graph;
    }

    /// <summary>
    /// The graph of the environment's stacks, read from cfn/ alone (no AWS), for a dry run: it shows which stack
    /// would wait for which, and refuses a bad wiring as the run itself would.
    /// </summary>
    public static StackGraph Load(StackOptions environment)
    {
        var stacks = StackCatalog.Load(environment.Environment.RepositoryRoot)
            .Select(s => (Stack: s, Template: CloudFormationTemplate.Load(s.TemplatePath, Path.GetRelativePath(environment.Environment.RepositoryRoot, s.TemplatePath))))
            .ToList();
        return Build(stacks, environment.Parameters, environment.Environment.EnvironmentFile);
    }

    /// <summary>The stacks in an order that respects the wiring (file order among those that are ready).</summary>
    public IReadOnlyList<StackNode> Order()
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<StackNode>();
        while (order.Count < Nodes.Count)
        {
            var next = Nodes.First(n => !done.Contains(n.Name) && n.Inputs.All(i => done.Contains(i.Producer)));
            order.Add(next);
            done.Add(next.Name);
        }

        return order;
    }

    /// <summary>One line per stack: which stacks it waits for, by which parameters; for the plan and the dry run.</summary>
    public IEnumerable<(string Stack, string Waits)> Describe()
        => Order().Select(n => (n.Name, n.Inputs.Count == 0
            ? "starts at once (no parameter from another stack)"
            : $"waits for {string.Join(", ", n.Inputs.Select(i => $"{i.Producer} ({string.Join(", ", i.Parameters)})"))}"));

    /// <summary>Writes <see cref="Describe"/> under a heading.</summary>
    public void Log(ICakeLog log)
    {
        log.Information("Stacks, from their wiring (each starts when the stacks it waits for are done):");
        foreach (var (stack, waits) in Describe())
        {
            log.Information("  {0}: {1}", stack, waits);
        }
    }

    private void CheckAcyclic(string environmentFile)
    {
        // Depth-first; a stack met again while on the path closes a cycle.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<StackNode>();
        foreach (var node in Nodes)
        {
            if (Visit(node) is { } cycle)
            {
                var steps = cycle.Select((n, i) =>
                {
                    var next = cycle[(i + 1) % cycle.Count];
                    var input = n.Inputs.Single(x => x.Producer == next.Name);
                    return $"'{n.Name}' takes {string.Join(", ", input.Parameters)} from '{next.Name}'";
                });
                var parameters = cycle.SelectMany(n => n.Inputs.Where(i => cycle.Any(c => c.Name == i.Producer)).SelectMany(i => i.Parameters)).Distinct();
                throw new BuildException(
                    $"The stacks' wiring has a cycle: {string.Join(", ", steps)}, so none of {string.Join(", ", cycle.Select(c => $"'{c.Name}'"))} can be deployed first. " +
                    $"Break it: remove or rename one of these outputs or parameters ({string.Join(", ", parameters)}), or set one of the parameters under \"parameters\" in {environmentFile}. No stack was touched.");
            }
        }

        List<StackNode>? Visit(StackNode node)
        {
            switch (state.GetValueOrDefault(node.Name))
            {
                case 2: return null;
                case 1: return path.SkipWhile(p => p.Name != node.Name).ToList();
            }

            state[node.Name] = 1;
            path.Add(node);
            foreach (var input in node.Inputs)
            {
                if (Visit(this[input.Producer]) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node.Name] = 2;
            return null;
        }
    }
}

/// <summary>A stack and the stacks whose outputs it takes, each with the parameters they feed.</summary>
public sealed record StackNode(string Name, IReadOnlyList<StackInput> Inputs)
{
    public IEnumerable<string> WiredParameters => Inputs.SelectMany(i => i.Parameters);
}

/// <summary>The parameters of a stack that another stack's outputs (<see cref="Producer"/>) feed.</summary>
public sealed record StackInput(string Producer, IReadOnlyList<string> Parameters);
