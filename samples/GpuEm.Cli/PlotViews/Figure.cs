using ScottPlot;
using SkiaSharp;

namespace GpuEm.Cli.PlotViews;

/// <summary>Something drawn into a rectangle of the picture: one plot, or a grid of them.</summary>
internal abstract class Panel
{
    public abstract void Render(SKCanvas canvas, PixelRect rect);

    /// <summary>One ScottPlot plot filling the rectangle.</summary>
    public static Panel Of(Plot plot) => new Single(plot);

    private sealed class Single(Plot plot) : Panel
    {
        public override void Render(SKCanvas canvas, PixelRect rect) => plot.Render(canvas, rect);
    }
}

/// <summary>Panels side by side, left to right, equal widths, written as one PNG.</summary>
internal static class Figure
{
    public static void SavePng(string path, int width, int height, IReadOnlyList<Panel> panels)
    {
        // Skia returns no surface (null) when it cannot allocate the pixels.
        using SKSurface surface = SKSurface.Create(new SKImageInfo(width, height))
            ?? throw new InvalidOperationException(
                $"cannot allocate a {width} × {height} image; choose a smaller --width or --height");
        surface.Canvas.Clear(SKColors.White);
        float share = (float)width / panels.Count;
        for (int p = 0; p < panels.Count; p++)
        {
            var rect = new PixelRect(MathF.Round(p * share), MathF.Round((p + 1) * share), height, 0);
            surface.Canvas.Save();
            surface.Canvas.ClipRect(rect.ToSKRect());
            panels[p].Render(surface.Canvas, rect);
            surface.Canvas.Restore();
        }
        using SKImage image = surface.Snapshot();
        using SKData encoded = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"cannot encode the {width} × {height} image as PNG");
        // Replaced, never truncated.
        GpuEm.Persistence.ReplacedFile.Write(path, encoded.SaveTo);
    }

    /// <summary>
    /// Checks an output picture's path before any work: its folder exists and it is not a folder.
    /// </summary>
    public static void CheckOutput(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"{option} {path} is a folder; give a file name such as fig.png");
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder))
            throw new UsageException($"{option} {path}: the folder {folder} does not exist");
    }
}
