using Xunit;

namespace GpuEm.Tests.Ptx;

/// <summary>A theory that needs NVIDIA's ptxas: skipped, with the way to get it, when it is absent.</summary>
public sealed class PtxasTheoryAttribute : TheoryAttribute
{
    public PtxasTheoryAttribute()
    {
        if (OfflineTools.Ptxas is null)
            Skip = "ptxas not found (GPUEM_PTXAS, ~/.cache/gpuem/cuda-tools, PATH): run .ci/fetch-ptxas.sh; the ptxas checks did not run.";
    }
}

/// <summary>A theory that needs clang for OpenCL C: skipped, saying so, when it is absent.</summary>
public sealed class ClangTheoryAttribute : TheoryAttribute
{
    public ClangTheoryAttribute()
    {
        if (OfflineTools.Clang is null)
            Skip = "clang not found (GPUEM_CLANG, PATH): the OpenCL C checks did not run.";
    }
}
