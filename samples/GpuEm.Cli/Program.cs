namespace GpuEm.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // Ctrl-C stops the fit after its current iteration; the last completed model is printed
        // (flagged not converged). A second Ctrl-C ends the process as usual.
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested)
                return;
            e.Cancel = true;
            cancel.Cancel();
        };
        return CliApp.Run(args, Console.Out, Console.Error, cancel.Token, showProgress: !Console.IsErrorRedirected, Console.In);
    }
}
