using System.Diagnostics;

namespace ConvGen.Export.Tests.Report;

/// <summary>Debian's headless Chromium (<c>apt-get install -y chromium</c>), which renders the report to a PNG as a
/// person's browser would show it.</summary>
internal static class Chromium
{
    /// <summary>The browser's path, or null when none is installed.</summary>
    public static string? Path { get; } =
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    /// <summary>Why a test that needs the browser cannot run here, or null when it can. On CI (CI=true) a missing
    /// browser is a failure, not a skip: CI installs it.</summary>
    public static string? Missing =>
        Path is not null ? null : "Chromium is not installed: apt-get update && apt-get install -y chromium";

    /// <summary>Renders <paramref name="page"/> in a window of <paramref name="width"/> × <paramref name="height"/> CSS
    /// pixels and returns the screenshot's path (beside the page).</summary>
    public static string Screenshot(string page, int width, int height)
    {
        string browser = Path ?? throw new InvalidOperationException(Missing);
        string directory = System.IO.Path.GetDirectoryName(page)!;
        string screenshot = System.IO.Path.Combine(directory, "screenshot.png");
        string profile = System.IO.Path.Combine(directory, ".chromium-profile");
        var start = new ProcessStartInfo(browser)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (string argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars",
            "--no-first-run", "--user-data-dir=" + profile, "--screenshot=" + screenshot, $"--window-size={width},{height}",
            new Uri(page).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Chromium did not render {page} in 90 s.");
        }

        if (!File.Exists(screenshot))
        {
            throw new InvalidOperationException($"Chromium exited with {process.ExitCode} and no screenshot: {errors.Result}");
        }

        return screenshot;
    }
}

/// <summary>A fact that needs Chromium: skipped with the install line when it is missing, except on CI.</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Missing is string missing && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = missing;
        }
    }
}
