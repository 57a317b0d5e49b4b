using System.Xml.Linq;
using Xunit;

namespace GpuEm.Tests.Surface;

/// <summary>
/// What <c>dotnet pack</c> publishes: the library is the package <c>GpuEm</c> (so that
/// <c>dotnet add package GpuEm</c> gets the library, not the tool), the tool is <c>gpuem-cli</c>
/// packed per platform, and every package has a licence and a description of its own. Read from
/// the project files, since the tests do not run <c>dotnet pack</c> (tests/scripts/check-packages.sh
/// does, end to end).
/// </summary>
public sealed class PackageMetadataTests
{
    private static readonly string Root = FindRepositoryRoot();

    [Fact]
    public void The_library_package_is_GpuEm_and_the_tool_package_is_gpuem_cli()
    {
        Assert.Equal("GpuEm", Property("src/GpuEm.Host/GpuEm.Host.csproj", "PackageId"));
        Assert.Equal("gpuem-cli", Property("samples/GpuEm.Cli/GpuEm.Cli.csproj", "PackageId"));
        Assert.Equal("gpuem", Property("samples/GpuEm.Cli/GpuEm.Cli.csproj", "ToolCommandName"));
    }

    [Theory]
    [InlineData("src/GpuEm.Host/GpuEm.Host.csproj")]
    [InlineData("src/GpuEm.Kernels/GpuEm.Kernels.csproj")]
    [InlineData("samples/GpuEm.Cli/GpuEm.Cli.csproj")]
    public void Every_package_has_a_description_of_its_own(string project)
    {
        string? description = Property(project, "Description");
        Assert.NotNull(description);
        Assert.NotEqual("Package Description", description);
        Assert.True(description.Length >= 60, $"{project}: '{description}' is too short to say what it is");
    }

    [Fact]
    public void The_packages_declare_the_MIT_licence_of_the_LICENSE_file_and_ship_symbols()
    {
        Assert.Equal("MIT", Property("Directory.Build.props", "PackageLicenseExpression"));
        string licence = File.ReadAllText(Path.Combine(Root, "LICENSE"));
        Assert.StartsWith("MIT License", licence, StringComparison.Ordinal);
        Assert.Contains("Copyright (c) 2026 The GpuEm authors", licence, StringComparison.Ordinal);
        Assert.Equal("snupkg", Property("Directory.Build.props", "SymbolPackageFormat"));
    }

    [Fact]
    public void The_tool_is_packed_per_platform_so_no_package_carries_every_native_library()
    {
        string? rids = Property("samples/GpuEm.Cli/GpuEm.Cli.csproj", "ToolPackageRuntimeIdentifiers");
        Assert.NotNull(rids);
        string[] list = rids.Split(';');
        Assert.Contains("linux-x64", list);
        Assert.Contains("win-x64", list);
        Assert.Contains("osx-arm64", list);
    }

    /// <summary>The first value of an MSBuild property in a project file (no evaluation).</summary>
    private static string? Property(string relativePath, string name) =>
        XDocument.Load(Path.Combine(Root, relativePath)).Descendants(name).FirstOrDefault()?.Value;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GpuEm.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("GpuEm.sln not found above " + AppContext.BaseDirectory);
    }
}
