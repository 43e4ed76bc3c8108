using System.Diagnostics;
using System.Text;

namespace BitTorrent.IntegrationTests.Infrastructure;

/// <summary>A real program from the machine (aria2c, mktorrent, ...) run by a test and killed when disposed.</summary>
public sealed class ExternalProgram : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalProgram(Process process) => _process = process;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;
    public int Pid => _process.Id;
    public int ExitCode => _process.ExitCode;

    public static ExternalProgram Start(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(Locate(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var started = new ExternalProgram(process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs a program to completion; fails the test with its output when it fails or overruns.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        await using var run = Start(program, arguments, workingDirectory);
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await run._process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{program} ran longer than {timeout.TotalSeconds:F0} s:\n{run.Output}");
        }
        run._process.WaitForExit(); // drain the output
        if (run.ExitCode != 0) throw new InvalidOperationException($"{program} exited with {run.ExitCode}:\n{run.Output}");
        return run.Output;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    private static string Locate(string program)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var path = Path.Combine(folder, program);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{program} is not installed; `make test` installs it (Debian package) when run as root.");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
