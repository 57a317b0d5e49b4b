using System.Text.RegularExpressions;
using GpuEm.Engines;

namespace GpuEm.Tests.Ptx;

/// <summary>
/// What a CUDA device demands of a launch, checked on the PTX ILGPU generates and on ptxas's
/// report: each check returns the violations it found (empty: the launch is fine), so that a
/// deliberately broken kernel can be run through the same code.
/// </summary>
internal static partial class KernelChecks
{
    /// <summary>Shared memory per group without an opt-in (ILGPU 1.5.3 never opts in).</summary>
    public const long SharedLimitBytes = 48 * 1024;

    /// <summary>Threads per group on every CUDA architecture since sm_20.</summary>
    public const int MaxThreadsPerGroup = 1024;

    /// <summary>Registers per multiprocessor, which one group's threads share (sm_75 to sm_90).</summary>
    public const int RegistersPerGroupLimit = 65536;

    /// <summary>Static shared memory declared in <paramref name="ptx"/>, in bytes (the extern dynamic array excluded).</summary>
    public static long StaticSharedBytes(string ptx) =>
        StaticShared().Matches(ptx).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Violations visible in the PTX: group size, shared memory, calls, local memory.</summary>
    public static List<string> CheckPtx(KernelLaunch launch, string ptx)
    {
        var problems = new List<string>();
        if (launch.GroupSize is int groupSize && (groupSize < 1 || groupSize > MaxThreadsPerGroup))
            problems.Add($"group size {groupSize} is outside 1 … {MaxThreadsPerGroup}");
        long shared = StaticSharedBytes(ptx) + launch.DynamicSharedBytes;
        if (shared > SharedLimitBytes)
        {
            problems.Add($"shared memory {StaticSharedBytes(ptx)} B static + {launch.DynamicSharedBytes} B dynamic "
                + $"= {shared} B exceeds {SharedLimitBytes} B");
        }
        if (launch.HotPath)
        {
            // A call is a function ILGPU did not inline: XMath's float64 functions (software
            // CORDIC routines with a stack frame) or an unexpected non-inlined helper.
            foreach (string callee in Calls().Matches(ptx).Select(m => m.Groups[1].Value).Distinct())
                problems.Add($"calls {callee} (software math or a non-inlined function on the hot path)");
            if (LocalDepot().IsMatch(ptx))
                problems.Add("declares a .local depot (stack or local arrays on the hot path)");
        }
        return problems;
    }

    /// <summary>Violations in ptxas's <c>-v</c> report of one kernel at <paramref name="groupSize"/> threads.</summary>
    public static List<string> CheckPtxas(PtxasReport report, int groupSize, long dynamicSharedBytes)
    {
        var problems = new List<string>();
        if (report.ExitCode != 0)
        {
            problems.Add($"ptxas exited with {report.ExitCode}: {report.Output.Trim()}");
            return problems;
        }
        if (report.SpillStoreBytes > 0 || report.SpillLoadBytes > 0)
            problems.Add($"spills: {report.SpillStoreBytes} B stores, {report.SpillLoadBytes} B loads");
        if ((long)report.Registers * groupSize > RegistersPerGroupLimit)
        {
            problems.Add($"{report.Registers} registers × {groupSize} threads = {(long)report.Registers * groupSize} "
                + $"exceeds {RegistersPerGroupLimit}");
        }
        if (report.SharedBytes + dynamicSharedBytes > SharedLimitBytes)
        {
            problems.Add($"ptxas: {report.SharedBytes} B static shared + {dynamicSharedBytes} B dynamic exceeds "
                + $"{SharedLimitBytes} B");
        }
        return problems;
    }

    [GeneratedRegex(@"^\s*\.shared\s+(?:\.align\s+\d+\s+)?\.\w+\s+[\w$]+\[(\d+)\]", RegexOptions.Multiline)]
    private static partial Regex StaticShared();

    [GeneratedRegex(@"\bcall(?:\.uni)?\s+(?:\([^)]*\),\s*)?([\w$]+)")]
    private static partial Regex Calls();

    [GeneratedRegex(@"^\s*\.local\s", RegexOptions.Multiline)]
    private static partial Regex LocalDepot();
}
