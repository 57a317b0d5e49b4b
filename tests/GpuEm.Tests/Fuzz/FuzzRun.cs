using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GpuEm.Cli;

namespace GpuEm.Tests.Fuzz;

/// <summary>
/// Runs fuzz cases under a per-case timeout and checks the properties of each: nothing escapes
/// but the documented outcomes, no case hangs, and through the CLI an exit code of the documented
/// set, no NaN (or infinity) on stdout with exit 0, no stack trace or "Unhandled exception" on
/// stderr, and a short error line (at most 4,096 characters) for every failure; no case
/// allocates more than 256 MB on its thread (the inputs are kilobytes). Failures are
/// grouped by class; the first input of each class is kept in a folder that outlives the test,
/// named in the failure message with the case's seed, so it can be reproduced.
/// </summary>
internal sealed partial class FuzzRun(string name, int seed)
{
    /// <summary>How long one case may run. Every case is milliseconds; a hang is a failure. The
    /// margin is wide because the suite runs test classes in parallel on a 2-core CI machine,
    /// where a GC pause or a busy neighbour stretched a 1 ms case to 5.1 s once.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    // A case past the timeout is waited for this much longer before the next one starts, so that
    // no two cases of a run are in flight at once (a loader that allocates gigabytes for a size
    // it read must not do so many times over in parallel); one still running then ends the run.
    private static readonly TimeSpan HangGrace = TimeSpan.FromSeconds(30);

    // After this many hangs the rest of the cases are skipped.
    private const int MaxHangs = 3;

    // The CLI's documented exit codes (CliApp.Usage): 0 ok, 1 data or fit error, 2 usage error
    // (130, cancelled, needs a Ctrl-C, which no case sends).
    private static readonly int[] ExitCodes = [0, 1, 2];

    // An error is a line that says what, where and what to do; one that echoes a huge cell or
    // string of the input whole (issue 13, finding 7) is not.
    private const int MaxErrorLength = 4096;

    // The inputs are kilobytes (the huge strings 70 kB); a case that allocates more than this
    // trusted a size read from the file (issue 13, finding 3: limits on every size read).
    private const long MaxAllocation = 256L << 20;

    private readonly Dictionary<string, Failure> _failures = new(StringComparer.Ordinal);
    private string? _keptFolder;
    private int _hangs;
    private bool _stopped;

    private bool Stopped => _stopped || _hangs >= MaxHangs;

    /// <summary>Cases run so far.</summary>
    public int Cases { get; private set; }

    /// <summary>
    /// The seed of case <paramref name="index"/>: the run's seed and the index, mixed by
    /// SplitMix64's finalizer — the same in every process (HashCode.Combine, used before, is
    /// randomized per process, so a run seed did not reproduce its cases).
    /// </summary>
    public int CaseSeed(int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>
    /// Runs a library call on a mutated input. It may return or throw one of
    /// <paramref name="documented"/>; anything else, or running past the timeout, is a failure.
    /// </summary>
    public void Library(int index, string what, string inputName, byte[] input, Action run, params Type[] documented)
    {
        if (Stopped)
            return;
        Cases++;
        (bool finished, Exception? error, string late, long allocated) = Timed(run);
        if (!finished)
            Fail(index, "hang", what, inputName, input, late);
        else if (allocated > MaxAllocation)
            Fail(index, $"{what}: more than {MaxAllocation >> 20} MB allocated", what, inputName, input, Allocated(allocated, error));
        else if (error is not null && !documented.Any(t => t.IsInstanceOfType(error)))
            Fail(index, $"{error.GetType().Name} at {Origin(error)}", what, inputName, input, OneLine(error.Message));
    }

    /// <summary>
    /// Runs the CLI in process on a mutated input already written to <paramref name="path"/>
    /// (a "{input}" argument is replaced by the path) and checks its outcome.
    /// </summary>
    public void Cli(int index, string inputName, string path, byte[] input, string[] args)
    {
        if (Stopped)
            return;
        Cases++;
        string[] actual = args.Select(a => a == "{input}" ? path : a).ToArray();
        string what = "gpuem " + string.Join(' ', args);
        int code = -1;
        bool cancelled = false;
        StringWriter stdout = new(CultureInfo.InvariantCulture), stderr = new(CultureInfo.InvariantCulture);
        (bool finished, Exception? error, string late, long allocated) = Timed(() =>
        {
            // Each attempt (Timed reruns a late one) gets fresh writers and its own timeout.
            stdout = new StringWriter(CultureInfo.InvariantCulture);
            stderr = new StringWriter(CultureInfo.InvariantCulture);
            using var cancel = new CancellationTokenSource(CaseTimeout);
            code = CliApp.Run(actual, stdout, stderr, cancel.Token, showProgress: false);
            cancelled = cancel.IsCancellationRequested;
        });
        string err = stderr.ToString();
        string output = stdout.ToString();
        if (!finished || cancelled)
            Fail(index, "hang", what, inputName, input, finished ? $"exit {code} after more than {CaseTimeout.TotalSeconds} s" : late);
        else if (allocated > MaxAllocation)
            Fail(index, $"{args[0]}: more than {MaxAllocation >> 20} MB allocated", what, inputName, input, Allocated(allocated, error) + $"; exit {code}: {Excerpt(err)}");
        else if (error is not null)
            Fail(index, $"{args[0]}: {error.GetType().Name} escaped CliApp.Run at {Origin(error)}", what, inputName, input, OneLine(error.Message));
        else if (!ExitCodes.Contains(code))
            Fail(index, $"{args[0]}: exit {code}", what, inputName, input, Excerpt(err));
        else if (code == 0 && NotANumber().Match(JsonString().Replace(output, "\"\"")) is { Success: true } nan)
            Fail(index, $"{args[0]}: '{nan.Value}' on stdout with exit 0", what, inputName, input, Excerpt(output));
        else if (err.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase) || StackFrame().IsMatch(err))
            Fail(index, $"{args[0]}: stack trace on stderr", what, inputName, input, Excerpt(err));
        else if (code != 0 && !err.Contains("gpuem: error: ", StringComparison.Ordinal))
            Fail(index, $"{args[0]}: exit {code} without an error line", what, inputName, input, Excerpt(err));
        else if (err.Length > MaxErrorLength)
            Fail(index, $"{args[0]}: more than {MaxErrorLength:N0} chars on stderr", what, inputName, input, $"{err.Length:N0} chars: {Excerpt(err)}");
    }

    /// <summary>Fails with every failure class (its count, first case, seed and kept input) when there was one.</summary>
    public void AssertNoFailures(int atLeastCases)
    {
        var text = new StringBuilder();
        if (_failures.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {_failures.Values.Sum(f => f.Count)} of {Cases} cases failed, in {_failures.Count} classes (run seed {seed}; inputs kept in {_keptFolder}):\n");
            foreach ((string key, Failure failure) in _failures.OrderByDescending(f => f.Value.Count))
                text.Append(CultureInfo.InvariantCulture,
                    $"- {key} ×{failure.Count}: first case {failure.Index} (case seed {CaseSeed(failure.Index)}), {failure.What} on {failure.InputName} ({failure.Mutation}); input: {failure.File}; {failure.Detail}\n");
        }
        if (Stopped)
            text.Append(CultureInfo.InvariantCulture, $"{_hangs} cases hung{(_stopped ? ", one past the grace time" : "")}; the remaining cases did not run.\n");
        if (text.Length > 0)
            throw new Xunit.Sdk.XunitException(text.ToString());
        Xunit.Assert.True(Cases >= atLeastCases, $"{name} ran {Cases} cases, fewer than the {atLeastCases} it promises");
    }

    /// <summary>What the case's mutation was, for the failure message.</summary>
    public string Mutation { get; set; } = "";

    // Runs a case on its own thread (a busy pool would delay its start and count as a hang). A case past the timeout is given the grace time to end before the
    // next case starts; one that ended late is run once more, and is a hang only if that run is late too: the cases are deterministic, so a real hang repeats,
    // while a stall of the whole test process (CI once froze a 2 ms case for 38 s, with the cancellation token already fired) does not.
    private (bool Finished, Exception? Error, string Late, long Allocated) Timed(Action run)
    {
        (bool Finished, Exception? Error, string Late, long Allocated, bool Ended) first = TimedOnce(run);
        if (first.Finished || !first.Ended)
            return (first.Finished, first.Error, first.Late, first.Allocated);
        (bool Finished, Exception? Error, string Late, long Allocated, bool Ended) again = TimedOnce(run);
        return again.Finished
            ? (again.Finished, again.Error, again.Late, again.Allocated)
            : (false, null, $"{first.Late}; run again: {again.Late}", again.Allocated);
    }

    private (bool Finished, Exception? Error, string Late, long Allocated, bool Ended) TimedOnce(Action run)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Exception? error = null;
        long allocated = 0;
        var task = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                run();
            }
            catch (Exception ex)
            {
                error = ex;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (task.Wait(CaseTimeout))
            return (true, error, "", allocated, true);
        bool ended = task.Wait(HangGrace);
        _stopped |= !ended;
        string late = ended
            ? $"did not finish in {CaseTimeout.TotalSeconds} s (ended after {clock.Elapsed.TotalSeconds:F1} s{(error is null ? "" : $" with {error.GetType().Name}: {OneLine(error.Message)}")})"
            : $"did not finish in {(CaseTimeout + HangGrace).TotalSeconds} s";
        return (false, null, late, allocated, ended);
    }

    private void Fail(int index, string key, string what, string inputName, byte[] input, string detail)
    {
        if (key == "hang")
            _hangs++;
        if (_failures.TryGetValue(key, out Failure? known))
        {
            known.Count++;
            return;
        }
        _keptFolder ??= Directory.CreateTempSubdirectory($"gpuem-fuzz-{name}-").FullName;
        string file = Path.Combine(_keptFolder, $"case{index}-{inputName}");
        File.WriteAllBytes(file, input);
        _failures[key] = new Failure(index, what, inputName, Mutation, file, detail);
    }

    // The innermost GpuEm frame of an exception (where it was thrown from our code).
    private static string Origin(Exception error)
    {
        Exception inner = error;
        while (inner is AggregateException { InnerException: { } next })
            inner = next;
        string? frame = inner.StackTrace?.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith("at GpuEm.", StringComparison.Ordinal));
        string origin = frame is null ? "(no GpuEm frame)" : FrameArguments().Replace(frame[3..], "()");
        return inner == error ? origin : $"{origin} (inner {inner.GetType().Name}: {OneLine(inner.Message)})";
    }

    private static string Allocated(long bytes, Exception? error) =>
        $"{bytes / 1e6:N0} MB allocated on the case's thread for an input of kilobytes"
        + (error is null ? "" : $", then {error.GetType().Name}: {OneLine(error.Message)}");

    private static string OneLine(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length > 300 ? line[..300] + $"… ({line.Length} chars)" : line;
    }

    private static string Excerpt(string text) => OneLine(text.Trim());

    [GeneratedRegex(@"(?<![A-Za-z])(nan|infinity|∞)(?![A-Za-z])", RegexOptions.IgnoreCase)]
    private static partial Regex NotANumber();

    // A JSON string on stdout (info echoes the file's device name): text, not a number.
    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex JsonString();

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\(.*\)( in .*)?$")]
    private static partial Regex FrameArguments();

    private sealed class Failure(int index, string what, string inputName, string mutation, string file, string detail)
    {
        public int Index { get; } = index;

        public string What { get; } = what;

        public string InputName { get; } = inputName;

        public string Mutation { get; } = mutation;

        public string File { get; } = file;

        public string Detail { get; } = detail;

        public int Count { get; set; } = 1;
    }
}
