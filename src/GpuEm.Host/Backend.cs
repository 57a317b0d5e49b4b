namespace GpuEm;

/// <summary>Where the E-step and the accumulation of sufficient statistics run.</summary>
public enum Backend
{
    /// <summary>
    /// The first device that opens, in the order CUDA, OpenCL, then <see cref="Reference"/>.
    /// Devices ILGPU lists but cannot open are skipped with a notice. Never picks the CPU
    /// accelerator, which is an emulator meant for tests.
    /// </summary>
    Auto,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend (float32 kernels).</summary>
    Cuda,

    /// <summary>An OpenCL 2.0 device with generic address space support through ILGPU.</summary>
    OpenCL,

    /// <summary>
    /// ILGPU's CPU accelerator: the GPU kernels emulated on the CPU. Correct but orders of magnitude
    /// slower than real hardware; meant for testing the kernels without a GPU.
    /// </summary>
    CpuAccelerator,

    /// <summary>The managed, multi-threaded float64 reference engine (the CPU production path).</summary>
    Reference,
}
