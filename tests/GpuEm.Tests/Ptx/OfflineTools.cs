using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GpuEm.Tests.Ptx;

/// <summary>ptxas's <c>-v</c> report of one kernel.</summary>
internal sealed record PtxasReport(
    int ExitCode, string Output, int Registers, long SharedBytes, long StackBytes, long SpillStoreBytes, long SpillLoadBytes);

/// <summary>
/// The offline tools the checks use when present: NVIDIA's ptxas (GPUEM_PTXAS, else the cache
/// folder .ci/fetch-ptxas.sh fills, else PATH) and clang for OpenCL C (GPUEM_CLANG, else PATH).
/// </summary>
internal static partial class OfflineTools
{
    private static readonly Lazy<string?> PtxasPath = new(() => Find(
        "GPUEM_PTXAS",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache/gpuem/cuda-tools/bin/ptxas"),
        ["ptxas"]));

    private static readonly Lazy<string?> ClangPath = new(() => Find(
        "GPUEM_CLANG", null, ["clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14"]));

    public static string? Ptxas => PtxasPath.Value;

    public static string? Clang => ClangPath.Value;

    /// <summary>Assembles <paramref name="ptx"/> for sm_<paramref name="sm"/> with -v --warn-on-spills.</summary>
    public static PtxasReport RunPtxas(string ptx, int sm)
    {
        string folder = Directory.CreateTempSubdirectory("gpuem-ptx-").FullName;
        try
        {
            string input = Path.Combine(folder, "kernel.ptx");
            File.WriteAllText(input, ptx);
            (int code, string output) = Run(Ptxas!, "-arch=sm_" + sm, "-v", "--warn-on-spills", "-o", Path.Combine(folder, "kernel.cubin"), input);
            Match usage = Usage().Match(output);
            Match frame = Frame().Match(output);
            return new PtxasReport(
                code,
                output,
                usage.Success ? Int(usage.Groups["regs"].Value) : 0,
                usage.Success && usage.Groups["smem"].Success ? Int(usage.Groups["smem"].Value) : 0,
                frame.Success ? Int(frame.Groups["stack"].Value) : 0,
                frame.Success ? Int(frame.Groups["stores"].Value) : 0,
                frame.Success ? Int(frame.Groups["loads"].Value) : 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Compiles OpenCL C <paramref name="source"/> for SPIR with -cl-std=CL2.0; exit code and messages.</summary>
    public static (int ExitCode, string Output) RunClang(string source)
    {
        string folder = Directory.CreateTempSubdirectory("gpuem-cl-").FullName;
        try
        {
            string input = Path.Combine(folder, "kernel.cl");
            File.WriteAllText(input, source);
            return Run(Clang!, "-cl-std=CL2.0", "-target", "spir64", "-Werror=implicit-function-declaration",
                "-emit-llvm", "-c", "-o", Path.Combine(folder, "kernel.bc"), input);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static (int ExitCode, string Output) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    private static string? Find(string variable, string? cached, string[] names)
    {
        string? set = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(set))
            return File.Exists(set) ? set : null;
        if (cached is not null && File.Exists(cached))
            return cached;
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            foreach (string name in names)
            {
                string path = Path.Combine(folder, name);
                if (folder.Length > 0 && File.Exists(path))
                    return path;
            }
        return null;
    }

    [GeneratedRegex(@"Used (?<regs>\d+) registers(?:, (?<smem>\d+) bytes smem)?")]
    private static partial Regex Usage();

    [GeneratedRegex(@"(?<stack>\d+) bytes stack frame, (?<stores>\d+) bytes spill stores, (?<loads>\d+) bytes spill loads")]
    private static partial Regex Frame();
}
