using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Tests.Infrastructure;

/// <summary>
/// A loopback front for moto's CloudFormation that keeps each stack in progress, as AWS does, until the test
/// releases it, and records when things happened. Every request goes on to moto unchanged; after a stack's
/// ExecuteChangeSet, DescribeStacks of that stack answers with moto's answer but the status *_IN_PROGRESS
/// (CREATE_COMPLETE → CREATE_IN_PROGRESS) until the task its release gives has completed. moto itself finishes a
/// change set within the ExecuteChangeSet call, so without the hold no two stacks could ever be seen under way at
/// once. A release is an event (other stacks executed, a halt), so no verdict depends on how fast the machine is.
/// Times are read from one monotonic clock here, at the front, so they order requests as the build sent them.
/// </summary>
public sealed partial class SlowCloudFormationFront : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _moto;
    private readonly Func<string, Task> _release;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, Task> _heldUntil = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _executed = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _refused = new();
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _requestWaiters = [];

    /// <param name="release">By stack name, called at its ExecuteChangeSet: the stack is in progress until this task completes.</param>
    public SlowCloudFormationFront(string motoUrl, Func<string, Task> release)
    {
        _moto = new HttpClient { BaseAddress = new Uri(motoUrl) };
        _release = release;
        Port = Support.Ports.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

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


    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _moto.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // The listener was closed (Dispose).
                return;
            }

            // Concurrent stacks poll at once: each request on its own.
            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
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

        try
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
                .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : string.Empty);
            var action = form.GetValueOrDefault("Action");
            var stack = form.GetValueOrDefault("StackName");
            if (action == "CreateChangeSet" && stack is not null)
            {
                ChangeSetCreated.TryAdd(stack, _clock.Elapsed);
            }

            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), context.Request.Url!.PathAndQuery)
            {
                Content = new StringContent(body),
            };
            request.Content.Headers.Remove("Content-Type");
            foreach (var name in context.Request.Headers.AllKeys.Where(k => k is not null))
            {
                if (name!.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!request.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]);
                }
            }

            using var response = await _moto.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();
            if (action == "ExecuteChangeSet" && stack is not null && response.IsSuccessStatusCode)
            {
                Executed[stack] = _clock.Elapsed;
                _heldUntil[stack] = _release(stack);
            }

            if (action == "DescribeStacks" && stack is not null && _heldUntil.TryGetValue(stack, out var until))
            {
                var now = _clock.Elapsed;
                if (!until.IsCompleted)
                {
                    answer = Complete().Replace(answer, "<StackStatus>$1_IN_PROGRESS</StackStatus>");
                }
                else if (Complete().IsMatch(answer))
                {
                    Completed.TryAdd(stack, now);
                }
            }

            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type)
            {
                context.Response.ContentType = type.ToString();
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(answer);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
            if (action == "ExecuteChangeSet" && stack is not null)
            {
                (response.IsSuccessStatusCode ? _executed : _refused).GetOrAdd(stack, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (HttpRequestException)
        {
            context.Response.StatusCode = 502;
            context.Response.Close();
        }
    }

    [GeneratedRegex("<StackStatus>(CREATE|UPDATE)_COMPLETE</StackStatus>")]
    private static partial Regex Complete();
}
