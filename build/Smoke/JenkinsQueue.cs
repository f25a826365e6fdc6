using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Smoke;

/// <summary>
/// A build of a job that waits in the queue: the job, its URL, the number the build will take when it starts (the
/// job's next build number while it waits), and why it waits.
/// </summary>
public sealed record WaitingBuild(string Job, string Url, int Number, string? Why)
{
    public override string ToString() => $"{Job} #{Number}";
}

/// <summary>
/// Jenkins' queue as core exports it at the pin (contracts/jenkins-quiet-down.json, "queue"; a test holds these names
/// against it): the drain reads what waits behind its quiet-down, and the smoke test checks that it started on the new
/// master. Jenkins saves the queue into the home when it stops and loads it at start.
/// </summary>
public static class JenkinsQueue
{
    public const string ItemsField = "items";
    public const string IdField = "id";
    public const string WhyField = "why";
    public const string TaskField = "task";
    public const string NameField = "name";
    public const string UrlField = "url";
    public const string NextBuildNumberField = "nextBuildNumber";
    public const string LastBuildField = "lastBuild";
    public const string NumberField = "number";

    /// <summary>Queue.HudsonIsAboutToShutDown, core's (English) reason for a queued build while Jenkins quiets down.</summary>
    public const string WhyWhileQuietingDown = "Jenkins is about to shut down";

    /// <summary>The queue's items, each with the task it would run (a job: its name, URL and next build number).</summary>
    public const string QueuePath = $"queue/api/json?tree={ItemsField}[{IdField},{WhyField},{TaskField}[{NameField},{UrlField},{NextBuildNumberField}]]";

    /// <summary>After a job's URL: its last build's number.</summary>
    public const string LastBuildPath = $"api/json?tree={LastBuildField}[{NumberField}]";

    /// <summary>
    /// The builds of jobs in a queue/api/json answer (<see cref="QueuePath"/>), ordered by job. Other queue items (a
    /// Pipeline's node block waiting for an agent, which belongs to a running build) have no next build number and
    /// are left out.
    /// </summary>
    public static IReadOnlyList<WaitingBuild> WaitingBuilds(JsonNode queue)
        => (queue[ItemsField] as JsonArray ?? []).OfType<JsonObject>()
            .Select(item => (Item: item, Task: item[TaskField] as JsonObject))
            .Where(i => i.Task is not null && (string?)i.Task[UrlField] is { Length: > 0 } && i.Task[NextBuildNumberField] is JsonValue)
            .Select(i => new WaitingBuild((string?)i.Task![NameField] ?? (string)i.Task[UrlField]!, (string)i.Task[UrlField]!, (int)i.Task[NextBuildNumberField]!, (string?)i.Item[WhyField]))
            .OrderBy(b => b.Job, StringComparer.Ordinal)
            .ToList();
}
