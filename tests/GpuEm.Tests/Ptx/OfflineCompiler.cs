using GpuEm.Engines;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuEm.Tests.Ptx;

/// <summary>
/// Compiles kernels to PTX and to OpenCL C with no driver and no device (ILGPU's backends,
/// public since ILGPU PR #889), under the production compiler settings
/// (<see cref="DeviceManager.CompilerSettings"/>). One context for the test run.
/// </summary>
internal static class OfflineCompiler
{
    private static readonly Lazy<Context> SharedContext = new(
        () => Context.Create(builder => DeviceManager.CompilerSettings(builder)));

    private static readonly object Gate = new();

    /// <summary>The PTX ISA every architecture is compiled with: the newest Debian's ptxas 11.8 reads.</summary>
    public static CudaInstructionSet InstructionSet { get; } = CudaInstructionSet.ISA_78;

    /// <summary>
    /// The PTX of <paramref name="launch"/> for <paramref name="architecture"/>, specialized to its
    /// group size or, <paramref name="specialized"/> false, unspecialized as ILGPU's
    /// LoadStreamKernel compiles it for the engines.
    /// </summary>
    public static string Ptx(KernelLaunch launch, CudaArchitecture architecture, bool specialized = true)
    {
        lock (Gate)
        {
            Context context = SharedContext.Value;
            using var backend = new PTXBackend(
                context, new CudaCapabilityContext(architecture), architecture, InstructionSet, null);
            var compiled = (PTXCompiledKernel)backend.Compile(
                Entry(launch), specialized ? Specialization(launch) : KernelSpecialization.Empty);
            return compiled.PTXAssembly;
        }
    }

    /// <summary>The OpenCL C source of <paramref name="launch"/> (OpenCL 2.0, float64, generic address space).</summary>
    public static string OpenCl(KernelLaunch launch)
    {
        lock (Gate)
        {
            Context context = SharedContext.Value;
            var capabilities = new CLCapabilityContext(
                float16: false, float64: true, int64_Atomics: true, subGroups: false, genericAddressSpace: true);
            using var backend = new CLBackend(context, capabilities, CLDeviceVendor.Other, CLCVersion.CL20);
            var compiled = (CLCompiledKernel)backend.Compile(Entry(launch), Specialization(launch));
            return compiled.Source;
        }
    }

    private static EntryPointDescription Entry(KernelLaunch launch) =>
        launch.ExplicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(launch.Kernel)
            : EntryPointDescription.FromImplicitlyGroupedKernel(launch.Kernel);

    // An explicitly grouped launch is specialized to its group size (.maxntid: ptxas then fits the
    // registers to it); an auto-grouped kernel is compiled as ILGPU compiles it, unspecialized.
    private static KernelSpecialization Specialization(KernelLaunch launch) =>
        launch.GroupSize is int groupSize ? new KernelSpecialization(groupSize, null) : KernelSpecialization.Empty;
}
