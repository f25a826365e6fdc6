using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// A loopback front for moto's CloudFormation that keeps each stack in progress, as AWS does, until the test
/// releases it, and records when things happened. Every request goes on to moto unchanged; after a stack's
/// ExecuteChangeSet, DescribeStacks of that stack answers with moto's answer but the status *_IN_PROGRESS
/// (CREATE_COMPLETE → CREATE_IN_PROGRESS) until the task its release gives has completed. moto itself finishes a
/// change set within the ExecuteChangeSet call, so without the hold no two stacks could ever be seen under way at
/// once. A release is an event (other stacks executed, another part of the run failed), so no verdict depends on how fast the machine is.
/// Times are read from one monotonic clock here, at the front, so they order requests as the build sent them.
/// </summary>
public sealed partial class SlowCloudFormationFront : IDisposable
{
    private readonly AwsFront _front;
    private readonly Func<string, Task> _release;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, Task> _heldUntil = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _executed = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _refused = new();
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _requestWaiters = [];

    /// <param name="release">By stack name, called at its ExecuteChangeSet: the stack is in progress until this task completes.</param>
    public SlowCloudFormationFront(string motoUrl, Func<string, Task> release)
    {
        _release = release;
        _front = new AwsFront(new Uri(motoUrl), HoldAsync);
    }

    public int Port => _front.Port;

    public string Url => _front.Url;

    /// <summary>When each stack's first change set was asked for (the stack's start).</summary>
    public ConcurrentDictionary<string, TimeSpan> ChangeSetCreated { get; } = new();

    /// <summary>When each stack's ExecuteChangeSet was answered.</summary>
    public ConcurrentDictionary<string, TimeSpan> Executed { get; } = new();

    /// <summary>When DescribeStacks first showed the stack complete after its execution (the stack's end, as the build saw it).</summary>
    public ConcurrentDictionary<string, TimeSpan> Completed { get; } = new();

    /// <summary>How many requests reached the front.</summary>
    public int Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests;
            }
        }
    }

    private int _requests;

    /// <summary>A minute is a hang, not a slow machine: every wait on the front gives up after it.</summary>
    public static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(1);

    /// <summary>Completes once the stack's ExecuteChangeSet was answered with success (it is then under way).</summary>
    public Task WhenExecuted(string stack) => _executed.GetOrAdd(stack, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(GiveUp);

    /// <summary>Completes once the stack's ExecuteChangeSet was answered with an error.</summary>
    public Task Refused(string stack) => _refused.GetOrAdd(stack, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(GiveUp);

    /// <summary>Completes when <paramref name="count"/> requests in all have reached the front (never, if none more come).</summary>
    public Task WhenRequests(int count)
    {
        lock (_gate)
        {
            if (_requests >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _requestWaiters.Add((count, reached));
            return reached.Task;
        }
    }

    public void Dispose() => _front.Dispose();

    private async Task<AwsFront.Answer> HoldAsync(AwsFront.Request request, Func<Task<AwsFront.Answer>> forward)
    {
        lock (_gate)
        {
            _requests++;

            foreach (var waiter in _requestWaiters.Where(w => w.Count <= _requests).ToList())
            {
                waiter.Reached.TrySetResult();
                _requestWaiters.Remove(waiter);
            }
        }

        var form = request.Text.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : string.Empty);
        var action = form.GetValueOrDefault("Action");
        var stack = form.GetValueOrDefault("StackName");
        if (action == "CreateChangeSet" && stack is not null)
        {
            ChangeSetCreated.TryAdd(stack, _clock.Elapsed);
        }

        AwsFront.Answer answer;
        try
        {
            answer = await forward();
        }
        catch (HttpRequestException)
        {
            // moto is unreachable: answer as a gateway does.
            return new AwsFront.Answer(502, [], []);
        }

        var succeeded = answer.Status is >= 200 and < 300;
        if (action == "ExecuteChangeSet" && stack is not null && succeeded)
        {
            Executed[stack] = _clock.Elapsed;
            _heldUntil[stack] = _release(stack);
        }

        if (action == "DescribeStacks" && stack is not null && _heldUntil.TryGetValue(stack, out var until))
        {
            var now = _clock.Elapsed;
            var text = Encoding.UTF8.GetString(answer.Body);
            if (!until.IsCompleted)
            {
                answer = answer with { Body = Encoding.UTF8.GetBytes(Complete().Replace(text, "<StackStatus>$1_IN_PROGRESS</StackStatus>")) };
            }
            else if (Complete().IsMatch(text))
            {
                Completed.TryAdd(stack, now);
            }
        }

        if (action == "ExecuteChangeSet" && stack is not null)
        {
            // Only once the build has the answer: a test that acts on it then acts after the build saw it.
            answer = answer with { Sent = () => (succeeded ? _executed : _refused).GetOrAdd(stack, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult() };
        }

        return answer;
    }

    [GeneratedRegex("<StackStatus>(CREATE|UPDATE)_COMPLETE</StackStatus>")]
    private static partial Regex Complete();
}
